package controls

import (
	"slices"
)

// StatefulTypes are the resource types whose loss loses data or evidence. Later capabilities add
// theirs (buckets, tables, file systems, secrets, the cluster) here.
var StatefulTypes = []string{typeKey, typeLogGroup, typeEKSCluster}

var statefulControls = []*Control{
	{
		ID: "STATE-001", Title: "Prod: every stateful resource is protected or retained on delete",
		Section: section4, Requirement: "Encryption at Rest", Severity: High, Graph: checkStatefulProtected,
	},
}

func checkStatefulProtected(t Target) (int, []Finding) {
	if t.Environment != "prod" {
		return 0, nil
	}
	var fs []Finding
	n := 0
	for _, r := range t.Graph.Resources() {
		if !slices.Contains(StatefulTypes, r.Type) {
			continue
		}
		n++
		if !r.Protect && !r.RetainOnDelete {
			fs = append(fs, Finding{URN: r.URN, Violation: Violation{Path: "options.protect", Value: "false",
				Message: "a stateful resource in prod must be protected (protect) or kept (retainOnDelete)"}})
		}
	}
	return n, fs
}
