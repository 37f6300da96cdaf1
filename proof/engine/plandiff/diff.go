package plandiff

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/securestack/platform/proof/controls"
)

// The renderings of values that are not plain JSON.
const (
	Absent  = "(absent)"  // the path does not exist on that side
	Secret  = "[secret]"  // plan.json's mark for a secret value (graph.Plain)
	Unknown = "[unknown]" // plan.json's mark for a value known only at apply (preview plans)
)

// Change is one property path whose value differs, each side rendered as compact JSON (a string
// quoted), or as Absent, Secret or Unknown.
type Change struct {
	Path     string
	Old, New string
}

// Modified is a resource in both plans whose inputs differ.
type Modified struct {
	Resource Resource // as in the head
	Changes  []Change
}

// Loss is data a deploy of the head would lose.
type Loss struct {
	Resource Resource // as in the base
	// ReplacedBy is the URN of the resource of the same type that takes its place in the head (same
	// logical name, or the only new one of its type under the same parent), if any.
	ReplacedBy string
	// Input is the fixed input whose change replaces the resource in place ("" when its URN left).
	Input  *Change
	Reason string
}

// StackDiff is the difference between the base's and the head's plan of one stack.
type StackDiff struct {
	Stack                string
	BaseCount, HeadCount int  // resources in each plan
	NewStack             bool // only the head plans it
	RemovedStack         bool // only the base plans it
	Added, Removed       []Resource
	Modified             []Modified
	DataLoss             []Loss
}

// Empty reports whether the plans are the same: nothing added, removed or changed.
func (d StackDiff) Empty() bool {
	return !d.NewStack && !d.RemovedStack && len(d.Added)+len(d.Removed)+len(d.Modified) == 0
}

// ChangedInputs is how many property paths changed, over all modified resources.
func (d StackDiff) ChangedInputs() int {
	n := 0
	for _, m := range d.Modified {
		n += len(m.Changes)
	}
	return n
}

// Compare diffs the base's plan of a stack with the head's; either may be nil (a stack only one
// side plans). A stack the head no longer plans is not data loss: deleting its stack file
// destroys nothing (`pulumi destroy` is a separate act), so its resources are listed as removed
// only.
func Compare(base, head *Plan) (StackDiff, error) {
	if base == nil && head == nil {
		return StackDiff{}, errNoPlan
	}
	var d StackDiff
	baseBy, headBy := index(base), index(head)
	switch {
	case base == nil:
		d.Stack, d.NewStack = head.Stack, true
	case head == nil:
		d.Stack, d.RemovedStack = base.Stack, true
	default:
		if base.Stack != head.Stack {
			return StackDiff{}, fmt.Errorf("plandiff: the base plans stack %q and the head stack %q: compare a stack with itself", base.Stack, head.Stack)
		}
		d.Stack = head.Stack
	}
	d.BaseCount, d.HeadCount = len(baseBy), len(headBy)
	for _, urn := range slices.Sorted(maps.Keys(headBy)) {
		if _, ok := baseBy[urn]; !ok {
			d.Added = append(d.Added, headBy[urn])
		}
	}
	for _, urn := range slices.Sorted(maps.Keys(baseBy)) {
		old := baseBy[urn]
		cur, ok := headBy[urn]
		if !ok {
			d.Removed = append(d.Removed, old)
			if !d.RemovedStack && stateful(old.Type) {
				d.DataLoss = append(d.DataLoss, leaving(old, d.Added))
			}
			continue
		}
		changes := diffValues("", map[string]any(old.Inputs), map[string]any(cur.Inputs), nil)
		if len(changes) == 0 {
			continue
		}
		d.Modified = append(d.Modified, Modified{Resource: cur, Changes: changes})
		if !stateful(old.Type) {
			continue
		}
		for _, c := range changes {
			if f, ok := fixedInput(old.Type, c.Path, c.Old == Absent); ok {
				d.DataLoss = append(d.DataLoss, Loss{Resource: old, Input: &c,
					Reason: "replaced: `" + f.Path + "` is fixed at creation; " + f.Why})
				break // one replacement per resource
			}
		}
	}
	return d, nil
}

func stateful(typ string) bool { return slices.Contains(controls.StatefulTypes, typ) }

func index(p *Plan) map[string]Resource {
	out := map[string]Resource{}
	if p != nil {
		for _, r := range p.Resources {
			out[r.URN] = r
		}
	}
	return out
}

// leaving is the loss of a stateful resource whose URN left the stack: deleted, or replaced by a
// resource of the same type under a new URN (a new logical name or parent), which starts empty.
func leaving(old Resource, added []Resource) Loss {
	l := Loss{Resource: old, Reason: "deleted: its URN leaves the stack"}
	var sameName, sameParent []Resource
	for _, a := range added {
		if a.Type != old.Type {
			continue
		}
		if a.Name == old.Name {
			sameName = append(sameName, a)
		}
		if a.Parent == old.Parent {
			sameParent = append(sameParent, a)
		}
	}
	switch {
	case len(sameName) == 1:
		l.ReplacedBy = sameName[0].URN
	case len(sameParent) == 1:
		l.ReplacedBy = sameParent[0].URN
	}
	if l.ReplacedBy != "" {
		l.Reason = "replaced by a new URN: Pulumi creates the new resource and deletes this one (no alias is recorded)"
	}
	return l
}

// diffValues appends the changes between a and b below path. Maps are compared key by key, lists
// index by index, and two strings that both hold a JSON document (a policy) inside the document,
// the path continuing with a JSON Pointer after '#': policy#/Statement/0/Action.
func diffValues(path string, a, b any, out []Change) []Change {
	am, aMap := a.(map[string]any)
	bm, bMap := b.(map[string]any)
	if aMap && bMap {
		keys := map[string]bool{}
		for k := range am {
			keys[k] = true
		}
		for k := range bm {
			keys[k] = true
		}
		for _, k := range slices.Sorted(maps.Keys(keys)) {
			av, aok := am[k]
			bv, bok := bm[k]
			p := child(path, k)
			switch {
			case !aok:
				out = append(out, Change{Path: p, Old: Absent, New: render(bv)})
			case !bok:
				out = append(out, Change{Path: p, Old: render(av), New: Absent})
			default:
				out = diffValues(p, av, bv, out)
			}
		}
		return out
	}
	al, aList := a.([]any)
	bl, bList := b.([]any)
	if aList && bList {
		for i := range max(len(al), len(bl)) {
			p := fmt.Sprintf("%s[%d]", path, i)
			switch {
			case i >= len(al):
				out = append(out, Change{Path: p, Old: Absent, New: render(bl[i])})
			case i >= len(bl):
				out = append(out, Change{Path: p, Old: render(al[i]), New: Absent})
			default:
				out = diffValues(p, al[i], bl[i], out)
			}
		}
		return out
	}
	if as, ok := a.(string); ok {
		if bs, ok := b.(string); ok && as != bs {
			if ad, bd, ok := documents(as, bs); ok {
				return diffPointer(path+"#", ad, bd, out)
			}
		}
	}
	if render(a) != render(b) {
		out = append(out, Change{Path: path, Old: render(a), New: render(b)})
	}
	return out
}

// diffPointer is diffValues inside a JSON document: the path is a JSON Pointer (RFC 6901).
func diffPointer(path string, a, b any, out []Change) []Change {
	var inner []Change
	inner = diffValues("", a, b, inner)
	for _, c := range inner {
		c.Path = path + pointer(c.Path)
		out = append(out, c)
	}
	return out
}

var segment = regexp.MustCompile(`\.([A-Za-z_][A-Za-z0-9_]*)|\["((?:[^"\\]|\\.)*)"\]|\[(\d+)\]|^([A-Za-z_][A-Za-z0-9_]*)`)

// pointer turns a property path ("Statement[0].Action", `Condition["StringEquals"]`) into a JSON
// Pointer ("/Statement/0/Action").
func pointer(path string) string {
	var b strings.Builder
	for _, m := range segment.FindAllStringSubmatch(path, -1) {
		tok := m[1] + m[3] + m[4]
		if m[2] != "" {
			var s string
			if err := json.Unmarshal([]byte(`"`+m[2]+`"`), &s); err == nil {
				tok = s
			}
		}
		b.WriteString("/" + strings.ReplaceAll(strings.ReplaceAll(tok, "~", "~0"), "/", "~1"))
	}
	return b.String() // "" is the whole document

}

// documents parses two strings that both hold a JSON object or array.
func documents(a, b string) (any, any, bool) {
	parse := func(s string) (any, bool) {
		t := strings.TrimSpace(s)
		if !strings.HasPrefix(t, "{") && !strings.HasPrefix(t, "[") {
			return nil, false
		}
		dec := json.NewDecoder(strings.NewReader(t))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil || dec.More() {
			return nil, false
		}
		return v, true
	}
	ad, aok := parse(a)
	bd, bok := parse(b)
	return ad, bd, aok && bok
}

var ident = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// child is the path of key k under path, as the graph package writes paths: a.b, or a["k.x"].
func child(path, k string) string {
	if ident.MatchString(k) {
		if path == "" {
			return k
		}
		return path + "." + k
	}
	q, _ := json.Marshal(k)
	return path + "[" + string(q) + "]"
}

// render is a value as compact JSON; plan.json's marks for secrets and unknowns stay marks.
func render(v any) string {
	if s, ok := v.(string); ok && (s == Secret || s == Unknown) {
		return s
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprintf("%v", v)
	}
	return strings.TrimSuffix(buf.String(), "\n")
}
