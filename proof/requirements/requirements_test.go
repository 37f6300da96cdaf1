package requirements

import (
	"os"
	"strings"
	"testing"
)

// TestParseTheShippedDocument pins the 17 lines of the document: 3 network, 4 container, 2 IAM,
// 5 data (the Encryption at Rest heading and its three stores, and secrets) and 3 monitoring.
func TestParseTheShippedDocument(t *testing.T) {
	lines := Lines()
	perSection := map[string]int{}
	for _, l := range lines {
		perSection[l.Section]++
	}
	want := map[string]int{"1. Network Security": 3, "2. Container Security": 4, "3. IAM & Access Control": 2,
		"4. Data Protection": 5, "5. Monitoring & Auditing": 3}
	if len(lines) != 17 || len(perSection) != len(want) {
		t.Fatalf("%d lines in %d sections: %v", len(lines), len(perSection), perSection)
	}
	for s, n := range want {
		if perSection[s] != n {
			t.Errorf("section %q has %d lines, want %d", s, perSection[s], n)
		}
	}
	if l := lines[0]; l.Name != "VPC" || l.Text != "VPC: Deployed in private subnets across 2 AZs. Public subnets only for Load Balancers and NAT Gateways." {
		t.Errorf("first line = %+v", l)
	}
	if !Has("S3 Buckets: SSE-S3 (AES-256).") || Has("S3 Buckets") {
		t.Error("Has must match whole lines only")
	}
	// The three stores are indented under "Encryption at Rest:", which is met when they are.
	var under []string
	for _, l := range lines {
		if l.Heading != "" {
			under = append(under, l.Name+" < "+l.Heading)
		}
		if l.IsHeading(lines) != (l.Text == "Encryption at Rest:") {
			t.Errorf("%q IsHeading = %v", l.Text, l.IsHeading(lines))
		}
	}
	if want := "S3 Buckets < Encryption at Rest:|DynamoDB < Encryption at Rest:|EBS/EFS < Encryption at Rest:"; strings.Join(under, "|") != want {
		t.Errorf("indented lines %q, want %q", under, want)
	}
}

// TestCopyMatchesTheSharedDocument: the shipped copy is the team's file, byte for byte, where the
// shared folder is present (it is not on a fresh clone).
func TestCopyMatchesTheSharedDocument(t *testing.T) {
	shared, err := os.ReadFile("../../../shared/requirements/security-configuration.md")
	if err != nil {
		t.Skip("the shared requirements folder is not beside this checkout")
	}
	if string(shared) != Document {
		t.Error("requirements/security-configuration.md differs from the shared requirements: copy it again")
	}
}

func TestParseRefusesBadDocuments(t *testing.T) {
	for _, doc := range []string{"", "# title\nno bullets\n", "- **VPC**: before a section\n## 1. Net\n"} {
		if _, err := Parse(doc); err == nil {
			t.Errorf("Parse(%q) accepted", doc)
		}
	}
}
