package plandiff

import (
	"fmt"
	"strings"
)

// OverrideLabel is the pull-request label that accepts the data loss a diff shows.
const OverrideLabel = "allow-data-loss"

// Limits of the Markdown, which goes to a job summary (GitHub takes at most 1 MiB per step):
// longer lists are cut with a count of what was left out, longer values shortened.
const (
	MaxRows       = 200 // rows per table
	MaxValueChars = 160 // characters per rendered value
	openThreshold = 10  // lists up to this long are shown open, longer ones folded in <details>
)

// Report is the diff of every stack, in stack order.
type Report []StackDiff

// DataLoss is how many losses the report holds, over every stack.
func (r Report) DataLoss() int {
	n := 0
	for _, d := range r {
		n += len(d.DataLoss)
	}
	return n
}

// Fails reports whether the gate fails: data loss, unless it is accepted.
func (r Report) Fails(allowDataLoss bool) bool { return r.DataLoss() > 0 && !allowDataLoss }

// Markdown renders the report for a job summary: a verdict and a table of counts, then one
// section per stack with its counts first, the data loss, and the added, removed and changed
// resources (long lists folded).
func (r Report) Markdown(allowDataLoss bool) string {
	var b strings.Builder
	b.WriteString("# Offline plan diff: base → pull request\n\n")
	switch n := r.DataLoss(); {
	case n > 0 && allowDataLoss:
		fmt.Fprintf(&b, "⚠️ **%d stateful resource(s) lose their data**, accepted by the label `%s`.\n\n", n, OverrideLabel)
	case n > 0:
		fmt.Fprintf(&b, "❌ **%d stateful resource(s) lose their data**: the gate fails. If that is intended, a maintainer adds the label `%s` to the pull request.\n\n", n, OverrideLabel)
	default:
		b.WriteString("✅ No stateful resource loses its data.\n\n")
	}
	b.WriteString("| Stack | Resources (base → head) | Added | Removed | Inputs changed | Data loss |\n|---|---|---|---|---|---|\n")
	for _, d := range r {
		fmt.Fprintf(&b, "| `%s` | %d → %d | %d | %d | %d in %d resources | %d |\n", d.Stack, d.BaseCount, d.HeadCount,
			len(d.Added), len(d.Removed), d.ChangedInputs(), len(d.Modified), len(d.DataLoss))
	}
	b.WriteString("\nSecrets stay masked (`[secret]`): offline a secret's value is never known, so only an input that becomes or stops being secret, or appears or disappears as one, shows. `pulumi preview` with credentials shows the rest.\n")
	for _, d := range r {
		b.WriteString("\n")
		d.markdown(&b, allowDataLoss)
	}
	return b.String()
}

func (d StackDiff) markdown(b *strings.Builder, allowDataLoss bool) {
	fmt.Fprintf(b, "## Stack `%s`\n\n", d.Stack)
	switch {
	case d.NewStack:
		fmt.Fprintf(b, "New stack: the base does not plan it. %d resources to create.\n\n", d.HeadCount)
	case d.RemovedStack:
		fmt.Fprintf(b, "The pull request no longer plans this stack (%d resources). Removing its stack file destroys nothing; `pulumi destroy` would.\n\n", d.BaseCount)
	case d.Empty():
		fmt.Fprintf(b, "No change: the same %d resources with the same inputs.\n", d.HeadCount)
		return
	default:
		fmt.Fprintf(b, "%d added, %d removed, %d inputs changed in %d resources; %d data loss.\n\n",
			len(d.Added), len(d.Removed), d.ChangedInputs(), len(d.Modified), len(d.DataLoss))
	}
	if len(d.DataLoss) > 0 {
		verdict := "❌ **Data loss** (fails the gate)"
		if allowDataLoss {
			verdict = "⚠️ **Data loss** (accepted by `" + OverrideLabel + "`)"
		}
		fmt.Fprintf(b, "### %s\n\n| Resource | Type | What happens | Change | In the base |\n|---|---|---|---|---|\n", verdict)
		for i, l := range d.DataLoss {
			if i == MaxRows {
				fmt.Fprintf(b, "\n… and %d more.\n", len(d.DataLoss)-MaxRows)
				break
			}
			what := l.Reason
			if l.ReplacedBy != "" {
				what += "; new URN " + code(l.ReplacedBy)
			}
			change := ""
			if l.Input != nil {
				change = code(l.Input.Path) + ": " + code(short(l.Input.Old)) + " → " + code(short(l.Input.New))
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", code(l.Resource.URN), code(l.Resource.Type), cell(what), change, options(l.Resource))
		}
		b.WriteString("\n")
	}
	resources := func(title string, rs []Resource) {
		if len(rs) == 0 {
			return
		}
		open := len(rs) <= openThreshold
		if open {
			fmt.Fprintf(b, "### %s (%d)\n\n", title, len(rs))
		} else {
			fmt.Fprintf(b, "<details><summary><b>%s (%d)</b></summary>\n\n", title, len(rs))
		}
		b.WriteString("| Type | Name | Parent |\n|---|---|---|\n")
		for i, r := range rs {
			if i == MaxRows {
				fmt.Fprintf(b, "\n… and %d more.\n", len(rs)-MaxRows)
				break
			}
			fmt.Fprintf(b, "| %s | %s | %s |\n", code(r.Type), code(r.Name), code(parentType(r.Parent)))
		}
		if open {
			b.WriteString("\n")
		} else {
			b.WriteString("\n</details>\n\n")
		}
	}
	resources("Added", d.Added)
	resources("Removed", d.Removed)
	if len(d.Modified) > 0 {
		fmt.Fprintf(b, "### Inputs changed (%d in %d resources)\n\n", d.ChangedInputs(), len(d.Modified))
		rows := 0
		for _, m := range d.Modified {
			open := len(m.Changes) <= openThreshold
			if open {
				fmt.Fprintf(b, "%s %s\n\n", code(m.Resource.Type), code(m.Resource.Name))
			} else {
				fmt.Fprintf(b, "<details><summary>%s %s: %d inputs</summary>\n\n", code(m.Resource.Type), code(m.Resource.Name), len(m.Changes))
			}
			b.WriteString("| Input | Base | Head |\n|---|---|---|\n")
			for _, c := range m.Changes {
				if rows == MaxRows {
					break
				}
				rows++
				fmt.Fprintf(b, "| %s | %s | %s |\n", code(c.Path), code(short(c.Old)), code(short(c.New)))
			}
			if open {
				b.WriteString("\n")
			} else {
				b.WriteString("\n</details>\n\n")
			}
			if rows == MaxRows {
				fmt.Fprintf(b, "… and more: the first %d changed inputs are shown (compare the plan.json files for the rest).\n\n", MaxRows)
				break
			}
		}
	}
}

// options says what protects the lost resource in the base: protect makes `pulumi up` refuse to
// delete it (the deploy fails instead), retainOnDelete leaves it in AWS, outside the stack.
func options(r Resource) string {
	var o []string
	if r.Protect {
		o = append(o, "protected (`pulumi up` refuses to delete it)")
	}
	if r.RetainOnDelete {
		o = append(o, "retained on delete (left in AWS, outside the stack)")
	}
	if len(o) == 0 {
		return "deleted with its data"
	}
	return strings.Join(o, "; ")
}

// parentType is the type in a URN (the parent's), or the stack.
func parentType(urn string) string {
	parts := strings.Split(urn, "::")
	if len(parts) < 4 {
		return urn
	}
	types := strings.Split(parts[2], "$")
	return types[len(types)-1]
}

// short cuts a rendered value to MaxValueChars runes.
func short(s string) string {
	r := []rune(s)
	if len(r) <= MaxValueChars {
		return s
	}
	return string(r[:MaxValueChars]) + "…"
}

// code is s as a Markdown code span inside a table cell: a fence longer than any backtick run in
// s, pipes escaped (GitHub splits cells on them even in code), newlines flattened.
func code(s string) string {
	if s == "" {
		return ""
	}
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\n", " "), "|", `\|`)
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	pad := ""
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		pad = " "
	}
	return fence + pad + s + pad + fence
}

// cell is prose in a table cell.
func cell(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, "\n", " "), "|", `\|`) }
