package controls

import (
	"slices"
)

// StatefulTypes are the resource types whose loss loses data or evidence: keys, log groups, the
// cluster, buckets, tables, file systems, secrets and image repositories.
var StatefulTypes = []string{typeKey, typeLogGroup, typeEKSCluster, s3TypeBucketV2, typeTable, typeEFSFileSystem, typeSecret, typeECRRepository}

var statefulControls = []*Control{
	{
		ID: "STATE-001", Title: "Prod: every stateful resource is protected and retained on delete",
		Section: section4, Severity: High, Graph: checkStatefulProtected,
	},
	{
		ID: "STATE-002", Title: "Prod: no bucket can be force-destroyed with its objects",
		Section: section4, Severity: High, Graph: checkNoForceDestroy,
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
		// Both: protect stops a mistaken destroy or replacement; retainOnDelete keeps the data when
		// protection is lifted on purpose and the resource leaves the stack.
		if !r.Protect {
			fs = append(fs, Finding{URN: r.URN, Violation: Violation{Path: "options.protect", Value: "false",
				Message: "a stateful resource in prod must be protected"}})
		}
		if !r.RetainOnDelete {
			fs = append(fs, Finding{URN: r.URN, Violation: Violation{Path: "options.retainOnDelete", Value: "false",
				Message: "a stateful resource in prod must be retained when deleted from the stack"}})
		}
	}
	return n, fs
}

func checkNoForceDestroy(t Target) (int, []Finding) {
	if t.Environment != "prod" {
		return 0, nil
	}
	var fs []Finding
	buckets := t.Graph.OfType(s3TypeBucketV2)
	for _, b := range buckets {
		if v, _ := b.Bool("forceDestroy"); v {
			fs = append(fs, Finding{URN: b.URN, Violation: Violation{Path: "forceDestroy", Value: "true",
				Message: "prod buckets must never be deleted together with their objects"}})
		}
	}
	return len(buckets), fs
}
