// Package requirements is the product's requirements document (security-configuration.md, a copy
// of the team's shared file, kept identical by a test) parsed into its lines: the controls quote
// them, and the report's coverage table lists every one with the controls that prove it.
package requirements

import (
	_ "embed"
	"fmt"
	"regexp"
	"strings"
)

// Document is the requirements file as shipped.
//
//go:embed security-configuration.md
var Document string

// Line is one requirement: a bullet of the document.
type Line struct {
	// Section is its "## " heading, e.g. "1. Network Security".
	Section string
	// Text is the bullet without its markup: "VPC: Deployed in private subnets across 2 AZs. …"
	Text string
	// Name is the bold name it starts with: "VPC".
	Name string
	// Heading is the Text of the line it is indented under ("Encryption at Rest:" for "S3
	// Buckets: …"), "" for a top-level line.
	Heading string
}

// IsHeading reports whether other lines are indented under this one: it is met when they all are.
func (l Line) IsHeading(lines []Line) bool {
	for _, o := range lines {
		if o.Heading == l.Text {
			return true
		}
	}
	return false
}

var (
	bullet = regexp.MustCompile(`^\s*- (.*)$`)
	bold   = regexp.MustCompile(`\*\*([^*]+)\*\*`)
)

// Parse reads the lines of a requirements document, in order.
func Parse(doc string) ([]Line, error) {
	var out []Line
	section, heading := "", ""
	for i, raw := range strings.Split(doc, "\n") {
		if h, ok := strings.CutPrefix(raw, "## "); ok {
			section = strings.TrimSpace(h)
			continue
		}
		m := bullet.FindStringSubmatch(raw)
		if m == nil {
			continue
		}
		if section == "" {
			return nil, fmt.Errorf("requirements: line %d: a requirement before any section", i+1)
		}
		text := strings.TrimSpace(bold.ReplaceAllString(m[1], "$1"))
		name, _, _ := strings.Cut(text, ":")
		l := Line{Section: section, Text: text, Name: name}
		if strings.HasPrefix(raw, " ") || strings.HasPrefix(raw, "\t") {
			l.Heading = heading
		} else {
			heading = text
		}
		out = append(out, l)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("requirements: no requirement lines")
	}
	return out, nil
}

// Lines are the shipped document's requirements.
func Lines() []Line {
	lines, err := Parse(Document)
	if err != nil {
		panic(err) // the embedded document is fixed at build time; its test parses it
	}
	return lines
}

// Has reports whether text is exactly one of the lines.
func Has(text string) bool {
	for _, l := range Lines() {
		if l.Text == text {
			return true
		}
	}
	return false
}
