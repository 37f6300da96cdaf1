package plandiff

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Plan is what the diff reads of a plan.json.
type Plan struct {
	Project     string     `json:"project"`
	Stack       string     `json:"stack"`
	Environment string     `json:"environment"`
	Preview     bool       `json:"preview"`
	Resources   []Resource `json:"resources"`
}

// Resource is one recorded resource of a plan.json.
type Resource struct {
	URN            string         `json:"urn"`
	Type           string         `json:"type"`
	Name           string         `json:"name"`
	Custom         bool           `json:"custom"`
	Remote         bool           `json:"remote"`
	Parent         string         `json:"parent"`
	Protect        bool           `json:"protect"`
	RetainOnDelete bool           `json:"retainOnDelete"`
	Inputs         map[string]any `json:"inputs"`
}

// Parse reads a plan.json; source names the file in errors. Every problem is reported at once,
// each with its key path and value.
func Parse(data []byte, source string) (*Plan, error) {
	var p Plan
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber() // numbers render as written, 1 stays 1
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("%s: not a plan.json (%v)", source, err)
	}
	var problems []string
	if p.Stack == "" {
		problems = append(problems, `stack: missing (a plan.json names its stack, e.g. "dev")`)
	}
	if p.Resources == nil {
		problems = append(problems, "resources: missing (a plan.json lists the recorded resources)")
	}
	seen := map[string]int{}
	for i, r := range p.Resources {
		switch {
		case r.URN == "":
			problems = append(problems, fmt.Sprintf("resources[%d].urn: missing", i))
		case !strings.HasPrefix(r.URN, "urn:pulumi:"):
			problems = append(problems, fmt.Sprintf("resources[%d].urn: %q is not a Pulumi URN (urn:pulumi:<stack>::<project>::<type>::<name>)", i, r.URN))
		default:
			if j, dup := seen[r.URN]; dup {
				problems = append(problems, fmt.Sprintf("resources[%d].urn: %q is also resources[%d].urn (URNs are unique)", i, r.URN, j))
			}
			seen[r.URN] = i
		}
		if r.Type == "" {
			problems = append(problems, fmt.Sprintf("resources[%d].type: missing", i))
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%s: %s", source, strings.Join(problems, "; "))
	}
	return &p, nil
}

// errNoPlan is returned by Compare when neither side has a plan.
var errNoPlan = errors.New("plandiff: no plan on either side")
