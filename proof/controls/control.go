package controls

import (
	"fmt"
	"io/fs"
	"slices"
	"sort"

	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/securestack/platform/components/lib/iampolicy"
	"github.com/securestack/platform/proof/engine/graph"
)

// Severity ranks a control.
type Severity string

// The severities.
const (
	Critical Severity = "critical"
	High     Severity = "high"
	Medium   Severity = "medium"
)

// Status is the outcome of a control on one graph.
type Status string

// The statuses. Only Fail fails the gate.
const (
	Pass          Status = "pass"
	Fail          Status = "fail"
	Waived        Status = "waived"
	NotApplicable Status = "n/a"
)

// Violation is what a per-resource check returns: the property path and value at fault.
type Violation struct {
	Path    string // property path, e.g. "mapPublicIpOnLaunch"
	Value   string // the actual value, rendered
	Message string // what is wrong and what is required
}

// Finding is a violation located on a resource.
type Finding struct {
	URN string
	Violation
}

func (f Finding) String() string {
	return fmt.Sprintf("%s: %s = %s: %s", f.URN, f.Path, f.Value, f.Message)
}

// ResourceCheck checks one resource from its type token and inputs. It must not depend on anything
// else, so that the same function can run inside a Pulumi policy pack.
type ResourceCheck func(typ string, props property.Map) []Violation

// Target is what controls are evaluated on.
type Target struct {
	Graph       *graph.Graph
	Environment string // dev, staging or prod: some controls are stricter in prod
	// Repository holds the repository's files (the image workflow), when the controls run from a
	// checkout: the offline plan, the tests and CI. Nil in the policy pack, where the controls
	// that read files are not applicable.
	Repository fs.FS
	unknowns   *unknownState // the running control's rule for unknown values (unknown.go)
}

// Control is one security control.
type Control struct {
	ID      string
	Title   string
	Section string // section of the requirements, e.g. "1. Network Security"
	// Requirement is the requirement line the control proves, quoted exactly; "" for a hardening
	// control, which proves a rule of the design (secure defaults beyond the requirements).
	Requirement string
	// Supports are requirement lines the control contributes to without proving them.
	Supports []string
	Severity Severity
	// Types and Resource: a per-resource check applied to every resource of the types.
	Types    []string
	Resource ResourceCheck
	// Graph: a check over the whole graph; it reports how many subjects it examined.
	Graph func(t Target) (checked int, findings []Finding)
	// Evidence, if set, says what a passing result rests on (for example which sources may reach
	// the API endpoint); the report shows it.
	Evidence func(t Target) string
	// rawResource is Resource as written, before the rule for unknown values (unknown.go) wraps it.
	rawResource ResourceCheck
}

// Result is a control's outcome.
type Result struct {
	Control  *Control
	Status   Status
	Checked  int // resources (or subjects) examined
	Findings []Finding
	Waiver   string // the reason, when waived
	Evidence string // what a pass rests on, when the control says
	// Deferred are the inputs unknown in a preview that the control's rule defers: checked at apply.
	Deferred []Deferral
}

// Run evaluates the control on the target.
func (c *Control) Run(t Target) Result {
	r := Result{Control: c}
	t.unknowns = &unknownState{rule: RuleFor(c.ID), deferred: map[Deferral]bool{}}
	if c.Resource != nil {
		for _, res := range t.Graph.Resources() {
			if !slices.Contains(c.Types, res.Type) {
				continue
			}
			r.Checked++
			vs, deferredPaths := c.JudgeResource(res.Type, res.Inputs)
			for _, v := range vs {
				r.Findings = append(r.Findings, Finding{URN: res.URN, Violation: v})
			}
			for _, p := range deferredPaths {
				t.unknowns.add(res.URN, p)
			}
		}
	}
	if c.Graph != nil {
		n, fs := c.Graph(t)
		r.Checked += n
		r.Findings = append(r.Findings, t.settleFindings(fs)...)
	}
	r.Deferred = t.unknowns.list()
	sort.SliceStable(r.Findings, func(i, j int) bool { return r.Findings[i].URN < r.Findings[j].URN })
	switch {
	case len(r.Findings) > 0:
		r.Status = Fail
	case r.Checked == 0:
		r.Status = NotApplicable
	default:
		r.Status = Pass
	}
	if c.Evidence != nil && r.Status != NotApplicable {
		r.Evidence = c.Evidence(t)
	}
	return r
}

// Evaluate runs every control of the catalog; waivers maps control id → reason.
func Evaluate(t Target, waivers map[string]string) []Result {
	var out []Result
	for _, c := range Catalog() {
		r := c.Run(t)
		if reason, ok := waivers[c.ID]; ok {
			r.Status, r.Waiver = Waived, reason
		}
		out = append(out, r)
	}
	return out
}

// Failed returns the results that fail.
func Failed(results []Result) []Result {
	var out []Result
	for _, r := range results {
		if r.Status == Fail {
			out = append(out, r)
		}
	}
	return out
}

// Lookup returns the control with the id.
func Lookup(id string) (*Control, bool) {
	for _, c := range Catalog() {
		if c.ID == id {
			return c, true
		}
	}
	return nil, false
}

// IDs lists the ids of the catalog, in catalog order.
func IDs() []string {
	var ids []string
	for _, c := range Catalog() {
		ids = append(ids, c.ID)
	}
	return ids
}

// Catalog is every control, in a fixed order.
func Catalog() []*Control {
	return slices.Concat(networkControls, keyControls, identityControls, writeOnceControls, clusterControls, deployControls, runnerActionsControls,
		storageControls, s3Controls, dynamodbControls, efsControls, secretControls, accountControls, statefulControls,
		netpolControls, workloadControls, rbacControls, edgeControls, registryControls, supplyChainControls, detectionControls)
}

// violation helpers, shared by the checks.

func str(props property.Map, path string) (string, bool) {
	v, err := graph.Lookup(props, path, "")
	if err != nil || !v.IsString() {
		return "", false
	}
	return v.AsString(), true
}

func describe(props property.Map, path string) string {
	v, err := graph.Lookup(props, path, "")
	if err != nil {
		return "absent"
	}
	return graph.Describe(v)
}

// policyAt parses the policy document at path. It returns the violations that stop a check (the
// policy is absent, or not a policy) with ok false; whenMissing says why an absent one is wrong.
func policyAt(props property.Map, path, whenMissing string) (iampolicy.Document, []Violation, bool) {
	text, ok := str(props, path)
	if !ok || text == "" {
		return iampolicy.Document{}, []Violation{{Path: path, Value: describe(props, path), Message: whenMissing}}, false
	}
	doc, err := iampolicy.Parse(text)
	if err != nil {
		return iampolicy.Document{}, []Violation{{Path: path, Value: "unparseable", Message: err.Error()}}, false
	}
	return doc, nil, true
}
