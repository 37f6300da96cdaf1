package planner

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/securestack/platform/infra"
	"github.com/securestack/platform/proof/controls"
	"github.com/securestack/platform/proof/engine/graph"
	"github.com/securestack/platform/proof/engine/recorder"
	"github.com/securestack/platform/proof/engine/stackconfig"
	"github.com/securestack/platform/proof/requirements"
)

// Options select the stack and where the files go.
type Options struct {
	Dir   string // project directory; "" finds Pulumi.yaml upwards
	Stack string // stack name, e.g. "dev"
	Out   string // output folder; "" writes no files
	// Preview records the stack as `pulumi preview` sees it: provider-computed outputs (ids, ARNs
	// of resources not yet created) stay unknown, and the controls judge what is known.
	Preview bool
	// Edit, if set, changes the loaded stack config (keys "namespace:key") before the run, as
	// recorder.Options.Edit does: tests plan a stack as a pull request would change it.
	Edit func(cfg map[string]string)
}

// Plan is the outcome of one offline plan.
type Plan struct {
	Graph   *graph.Graph
	Config  *infra.Config
	Results []controls.Result
}

// Failed reports whether any control failed.
func (p *Plan) Failed() bool { return len(controls.Failed(p.Results)) > 0 }

// Make records the stack and evaluates the controls.
func Make(opts Options) (*Plan, error) {
	dir := opts.Dir
	if dir == "" {
		var err error
		if dir, err = recorder.FindProjectDir(); err != nil {
			return nil, err
		}
	}
	st, err := stackconfig.Load(dir, opts.Stack)
	if err != nil {
		return nil, err
	}
	if opts.Edit != nil {
		opts.Edit(st.Config)
	}
	cfg, err := infra.ParseConfig(infra.Raw{Project: st.Project, Stack: st.Name, Values: st.Config,
		SecretKeys: st.SecretKeys, KnownControls: controls.IDs()})
	if err != nil {
		return nil, err
	}
	g, err := recorder.Record(recorder.Options{Dir: dir, Stack: opts.Stack, DryRun: opts.Preview, Edit: opts.Edit})
	if err != nil {
		return nil, err
	}
	waivers := map[string]string{}
	for _, w := range cfg.Waivers {
		waivers[w.Control] = w.Reason
	}
	results := controls.Evaluate(controls.Target{Graph: g, Environment: string(cfg.Environment), Repository: os.DirFS(dir)}, waivers)
	return &Plan{Graph: g, Config: cfg, Results: results}, nil
}

// Write prints the tree and the control results to w and, if out is set, writes the files.
func (p *Plan) Write(w io.Writer, out string) error {
	if _, err := io.WriteString(w, p.Tree()+"\n"+p.ResultsText()+"\n"+p.CoverageText()); err != nil {
		return err
	}
	if out == "" {
		return nil
	}
	if err := os.MkdirAll(out, 0o750); err != nil {
		return err
	}
	planJSON, err := p.JSON()
	if err != nil {
		return err
	}
	files := map[string][]byte{
		"plan.json":      planJSON,
		"report.md":      []byte(p.Report()),
		"components.mmd": []byte(p.Mermaid()),
	}
	if script := p.ReimportScript(); script != "" {
		files["reimport.sh"] = []byte(script)
	}
	for _, d := range p.Diagrams() {
		if d.File != "components.mmd" && d.Err == nil {
			files[d.File] = []byte(d.Text)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		if err := os.WriteFile(filepath.Join(out, name), files[name], 0o600); err != nil {
			return err
		}
	}
	_, err = fmt.Fprintf(w, "\nwrote %s\n", strings.Join(prefixed(out, slices.Sorted(maps.Keys(files))), ", "))
	return err
}

func prefixed(dir string, names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = filepath.Join(dir, n)
	}
	return out
}

// Summary counts results by status, e.g. "15 controls: 13 passed, 0 failed, 0 waived, 2 n/a".
func (p *Plan) Summary() string {
	n := map[controls.Status]int{}
	for _, r := range p.Results {
		n[r.Status]++
	}
	return fmt.Sprintf("%d controls: %d passed, %d failed, %d waived, %d not applicable",
		len(p.Results), n[controls.Pass], n[controls.Fail], n[controls.Waived], n[controls.NotApplicable])
}

// components returns the component resources (and the stack), sorted by URN.
func (p *Plan) components() []*graph.Resource {
	var out []*graph.Resource
	for _, r := range p.Graph.Resources() {
		if !r.Custom {
			out = append(out, r)
		}
	}
	// The stack first, then its components by URN: the order of the tree.
	sort.SliceStable(out, func(i, j int) bool { return out[i].Type == graph.StackType && out[j].Type != graph.StackType })
	return out
}

// owner is the component a resource is counted under: its nearest component ancestor, or the stack.
func (p *Plan) owner(r *graph.Resource) string {
	if c, ok := p.Graph.Component(r); ok {
		return c.URN
	}
	for _, a := range p.Graph.Ancestors(r) {
		if a.Type == graph.StackType {
			return a.URN
		}
	}
	return r.Parent
}

// Tree renders the resources grouped by component, with counts per type.
func (p *Plan) Tree() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Stack %s (project %s, environment %s): %d resources\n", p.Graph.Stack, p.Graph.Project,
		p.Config.Environment, p.Graph.Len())
	counts := map[string]map[string]int{}
	for _, r := range p.Graph.Resources() {
		if !r.Custom {
			continue
		}
		o := p.owner(r)
		if counts[o] == nil {
			counts[o] = map[string]int{}
		}
		counts[o][r.Type]++
	}
	// Walk the component tree from the stack, children in URN order.
	var walk func(c *graph.Resource, depth int)
	walk = func(c *graph.Resource, depth int) {
		total := 0
		for _, n := range counts[c.URN] {
			total += n
		}
		indent := strings.Repeat("  ", depth)
		if c.Remote {
			fmt.Fprintf(&b, "%s%s %s (remote component: its inputs are recorded, its children exist only in a real preview)\n", indent, c.Type, c.Name)
		} else {
			fmt.Fprintf(&b, "%s%s %s (%d resources)\n", indent, c.Type, c.Name, total)
		}
		for _, typ := range slices.Sorted(maps.Keys(counts[c.URN])) {
			fmt.Fprintf(&b, "%s  %3d × %s\n", indent, counts[c.URN][typ], typ)
		}
		for _, child := range p.Graph.Children(c.URN) {
			if !child.Custom {
				walk(child, depth+1)
			}
		}
	}
	for _, stack := range p.Graph.OfType(graph.StackType) {
		walk(stack, 0)
	}
	if len(p.Graph.Placeholders) > 0 {
		fmt.Fprintf(&b, "\nNote: secure config values cannot be decrypted offline; a placeholder (%q) stands in for: %s\n",
			stackconfig.Placeholder, strings.Join(p.Graph.Placeholders, ", "))
	}
	return b.String()
}

// ResultsText renders the control results for a terminal.
func (p *Plan) ResultsText() string {
	var b strings.Builder
	for _, r := range p.Results {
		fmt.Fprintf(&b, "%-5s %-10s %-8s %s\n", strings.ToUpper(string(r.Status)), r.Control.ID, r.Control.Severity, r.Control.Title)
		if r.Waiver != "" {
			fmt.Fprintf(&b, "      waived: %s\n", r.Waiver)
		}
		if r.Evidence != "" && r.Status == controls.Pass {
			fmt.Fprintf(&b, "      %s\n", r.Evidence)
		}
		if len(r.Deferred) > 0 {
			fmt.Fprintf(&b, "      checked at apply: %d inputs unknown in this preview\n", len(r.Deferred))
		}
		if r.Status == controls.Fail || r.Status == controls.Waived {
			for _, f := range r.Findings {
				fmt.Fprintf(&b, "      %s\n", f)
			}
		}
	}
	fmt.Fprintln(&b, p.Summary())
	for _, w := range p.Config.Warnings {
		fmt.Fprintf(&b, "WARNING %s\n", w)
	}
	return b.String()
}

// Coverage is one requirement line with the controls that prove and support it.
type Coverage struct {
	Line       requirements.Line
	Proven     []controls.Result // controls whose Requirement is the line
	Supporting []controls.Result // controls that list it in Supports
}

// Status is "proven" when at least one control proves the line, passes, and none fails; "failing"
// when one fails; "waived" or "not applicable" when none passes and one is waived, or all are not
// applicable here (Falco is asked for in prod only); "not implemented" when no control proves it.
func (c Coverage) Status() string {
	if len(c.Proven) == 0 {
		return "not implemented"
	}
	passed, waived := false, false
	for _, r := range c.Proven {
		switch r.Status {
		case controls.Fail:
			return "failing"
		case controls.Pass:
			passed = true
		case controls.Waived:
			waived = true
		}
	}
	switch {
	case passed:
		return "proven"
	case waived:
		return "waived"
	}
	return "not applicable"
}

// Coverage is every line of the requirements with the controls of this plan that prove it. A
// heading (a line others are indented under) is proven by its lines' controls, and only when every
// one of its lines is proven.
func (p *Plan) Coverage() []Coverage {
	lines := requirements.Lines()
	var out []Coverage
	for _, line := range lines {
		c := Coverage{Line: line}
		for _, r := range p.Results {
			if r.Control.Requirement == line.Text {
				c.Proven = append(c.Proven, r)
			}
			if slices.Contains(r.Control.Supports, line.Text) {
				c.Supporting = append(c.Supporting, r)
			}
		}
		out = append(out, c)
	}
	for i, c := range out {
		if !c.Line.IsHeading(lines) {
			continue
		}
		complete := true
		for _, sub := range out {
			if sub.Line.Heading == c.Line.Text {
				out[i].Proven = append(out[i].Proven, sub.Proven...)
				complete = complete && sub.Status() == "proven"
			}
		}
		if !complete {
			out[i].Proven = nil // not implemented until every line under it is
		}
	}
	return out
}

func ids(rs []controls.Result, withStatus bool) string {
	var out []string
	for _, r := range rs {
		if withStatus && r.Status != controls.Pass {
			out = append(out, r.Control.ID+" ("+string(r.Status)+")")
		} else {
			out = append(out, r.Control.ID)
		}
	}
	return strings.Join(out, ", ")
}

// CoverageText renders the requirements coverage for a terminal.
func (p *Plan) CoverageText() string {
	var b strings.Builder
	cov := p.Coverage()
	proven := 0
	for _, c := range cov {
		if c.Status() == "proven" {
			proven++
		}
	}
	fmt.Fprintf(&b, "Requirements coverage: %d of %d lines proven\n", proven, len(cov))
	for _, c := range cov {
		detail := ids(c.Proven, true)
		if len(c.Proven) == 0 && len(c.Supporting) > 0 {
			detail = "(supported by " + ids(c.Supporting, false) + ")"
		}
		fmt.Fprintf(&b, "  %-16s %-27s %s\n", c.Status(), strings.TrimSuffix(c.Line.Name, " (IAM Roles for Service Accounts)"), detail)
	}
	return b.String()
}

type jsonResource struct {
	URN            string         `json:"urn"`
	Type           string         `json:"type"`
	Name           string         `json:"name"`
	Custom         bool           `json:"custom"`
	Remote         bool           `json:"remote,omitempty"`
	Parent         string         `json:"parent,omitempty"`
	Dependencies   []string       `json:"dependencies,omitempty"`
	Provider       string         `json:"provider,omitempty"`
	Protect        bool           `json:"protect,omitempty"`
	RetainOnDelete bool           `json:"retainOnDelete,omitempty"`
	IgnoreChanges  []string       `json:"ignoreChanges,omitempty"`
	ImportID       string         `json:"importId,omitempty"`
	Inputs         map[string]any `json:"inputs"`
}

type jsonControl struct {
	ID          string   `json:"id"`
	Status      string   `json:"status"`
	Severity    string   `json:"severity"`
	Title       string   `json:"title"`
	Requirement string   `json:"requirement,omitempty"`
	Supports    []string `json:"supports,omitempty"`
	Checked     int      `json:"checked"`
	Waiver      string   `json:"waiver,omitempty"`
	Evidence    string   `json:"evidence,omitempty"`
	Findings    []string `json:"findings,omitempty"`
	Deferred    []string `json:"deferred,omitempty"` // inputs unknown in a preview: checked at apply
}

// JSON is plan.json: deterministic for the same stack config and code.
func (p *Plan) JSON() ([]byte, error) {
	doc := struct {
		Project      string         `json:"project"`
		Stack        string         `json:"stack"`
		Environment  string         `json:"environment"`
		Preview      bool           `json:"preview,omitempty"`
		Placeholders []string       `json:"secureConfigPlaceholders,omitempty"`
		Counts       map[string]int `json:"countsByType"`
		Resources    []jsonResource `json:"resources"`
		Controls     []jsonControl  `json:"controls"`
	}{Project: p.Graph.Project, Stack: p.Graph.Stack, Environment: string(p.Config.Environment),
		Preview: p.Graph.DryRun, Placeholders: p.Graph.Placeholders, Counts: p.Graph.CountByType()}
	for _, r := range p.Graph.Resources() {
		doc.Resources = append(doc.Resources, jsonResource{URN: r.URN, Type: r.Type, Name: r.Name, Custom: r.Custom, Remote: r.Remote,
			Parent: r.Parent, Dependencies: r.Dependencies, Provider: r.Provider, Protect: r.Protect,
			RetainOnDelete: r.RetainOnDelete, IgnoreChanges: r.IgnoreChanges, ImportID: r.ImportID,
			Inputs: graph.PlainMap(r.Inputs)})
	}
	for _, r := range p.Results {
		c := jsonControl{ID: r.Control.ID, Status: string(r.Status), Severity: string(r.Control.Severity),
			Title: r.Control.Title, Requirement: r.Control.Requirement, Supports: r.Control.Supports,
			Checked: r.Checked, Waiver: r.Waiver, Evidence: r.Evidence}
		for _, d := range r.Deferred {
			c.Deferred = append(c.Deferred, d.String())
		}
		for _, f := range r.Findings {
			c.Findings = append(c.Findings, f.String())
		}
		doc.Controls = append(doc.Controls, c)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

var statusIcon = map[controls.Status]string{
	controls.Pass: "✅ pass", controls.Fail: "❌ FAIL", controls.Waived: "⚠️ waived", controls.NotApplicable: "➖ n/a",
}

// Report is report.md: the controls table with evidence, suitable as a pull-request comment.
func (p *Plan) Report() string {
	var b strings.Builder
	fmt.Fprintf(&b, "## Security report: stack `%s` (%s)\n\n", p.Graph.Stack, p.Config.Environment)
	mode := "recorded offline under Pulumi mocks"
	if p.Graph.DryRun {
		mode = "recorded offline as a preview (outputs of resources not yet created are unknown; what is unknown is judged by each control's rule for unknowns)"
	}
	fmt.Fprintf(&b, "%s. %d resources %s.\n\n", p.Summary(), p.Graph.Len(), mode)
	if len(p.Graph.Placeholders) > 0 {
		fmt.Fprintf(&b, "> Secure config values cannot be decrypted offline; placeholders stand in for: %s.\n\n",
			"`"+strings.Join(p.Graph.Placeholders, "`, `")+"`")
	}
	if len(p.Config.Warnings) > 0 {
		b.WriteString("> **Warnings** (legal but unusual values):\n")
		for _, w := range p.Config.Warnings {
			fmt.Fprintf(&b, "> - %s\n", w)
		}
		b.WriteString("\n")
	}
	b.WriteString("| Control | Status | Severity | What it checks | Requirement it proves | Checked | Evidence |\n")
	b.WriteString("|---|---|---|---|---|---|---|\n")
	for _, r := range p.Results {
		// A waived control keeps its findings: the reviewer sees what the waiver covers.
		var parts []string
		if r.Waiver != "" {
			parts = append(parts, "waived: "+r.Waiver)
		}
		if len(r.Deferred) > 0 {
			parts = append(parts, fmt.Sprintf("checked at apply: %d inputs unknown in this preview", len(r.Deferred)))
		}
		if r.Evidence != "" {
			parts = append(parts, r.Evidence)
		}
		for _, f := range r.Findings {
			parts = append(parts, "`"+f.URN+"` `"+f.Path+"` = `"+f.Value+"`: "+f.Message)
		}
		evidence := strings.Join(parts, "<br>")
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %d | %s |\n", r.Control.ID, statusIcon[r.Status],
			r.Control.Severity, r.Control.Title, mdEscape(requirementCell(r.Control)), r.Checked, mdEscape(evidence))
	}
	b.WriteString("\n### Requirements coverage\n\nEvery line of the requirements, with the controls that prove it on this stack. ")
	b.WriteString("A line no control proves says so; the controls that support it without proving it are listed beside it.\n\n")
	b.WriteString("| Section | Requirement | Status | Proven by | Supported by |\n|---|---|---|---|---|\n")
	coverageIcon := map[string]string{"proven": "✅ proven", "failing": "❌ failing", "waived": "⚠️ waived", "not applicable": "➖ not applicable", "not implemented": "⬜ not implemented"}
	for _, c := range p.Coverage() {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", c.Line.Section, mdEscape(c.Line.Text), coverageIcon[c.Status()],
			ids(c.Proven, true), ids(c.Supporting, false))
	}
	b.WriteString("\n<details><summary>Resources by type</summary>\n\n| Type | Count |\n|---|---|\n")
	counts := p.Graph.CountByType()
	for _, t := range slices.Sorted(maps.Keys(counts)) {
		fmt.Fprintf(&b, "| `%s` | %d |\n", t, counts[t])
	}
	b.WriteString("\n</details>\n\n")
	b.WriteString(p.DiagramsMarkdown())
	b.WriteString("\nProof limit: mocks prove what the program asks AWS and Kubernetes for, not that they accept it; `pulumi preview` with credentials checks the rest.\n")
	return b.String()
}

func mdEscape(s string) string { return strings.ReplaceAll(s, "|", "\\|") }

// requirementCell is what a control proves: a requirement line, or a hardening rule of the design
// with the lines it supports.
func requirementCell(c *controls.Control) string {
	if c.Requirement != "" {
		return c.Section + " — _" + c.Requirement + "_"
	}
	if len(c.Supports) == 0 {
		return "hardening (" + c.Section + ")"
	}
	var names []string
	for _, s := range c.Supports {
		name, _, _ := strings.Cut(s, ":")
		names = append(names, name)
	}
	return "hardening (" + c.Section + "); supports: " + strings.Join(names, ", ")
}

// Mermaid is a flowchart of the components: nesting, resource counts and dependencies between them.
func (p *Plan) Mermaid() string {
	ids := map[string]string{}
	comps := p.components()
	for i, c := range comps {
		ids[c.URN] = fmt.Sprintf("c%d", i)
	}
	count := map[string]int{}
	edges := map[string]bool{}
	for _, r := range p.Graph.Resources() {
		if !r.Custom {
			continue
		}
		o := p.owner(r)
		count[o]++
		for _, d := range r.Dependencies {
			dep, ok := p.Graph.Lookup(d)
			if !ok {
				continue
			}
			if from := p.owner(dep); from != o && ids[from] != "" && ids[o] != "" {
				edges[ids[from]+" -->|used by| "+ids[o]] = true
			}
		}
	}
	var b strings.Builder
	b.WriteString("flowchart TD\n")
	for _, c := range comps {
		fmt.Fprintf(&b, "  %s[\"%s<br/>%s<br/>%d resources\"]\n", ids[c.URN], c.Name, c.Type, count[c.URN])
	}
	for _, c := range comps {
		if pid, ok := ids[c.Parent]; ok {
			fmt.Fprintf(&b, "  %s --- %s\n", pid, ids[c.URN])
		}
	}
	keys := slices.Sorted(maps.Keys(edges))
	sort.Strings(keys)
	for _, e := range keys {
		fmt.Fprintf(&b, "  %s\n", e)
	}
	return b.String()
}
