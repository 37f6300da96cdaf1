package tests

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden URN lists in testdata/urns")

// TestURNsMatchTheGoldenList: a URN is a resource's identity in the state. A changed URN is a
// delete and a create — for a bucket, table or key, data lost — so every change to the set of
// URNs of a stack must show up as a reviewed diff of testdata/urns/<stack>.txt
// (`go test ./tests -run TestURNsMatchTheGoldenList -update` rewrites them).
func TestURNsMatchTheGoldenList(t *testing.T) {
	for _, stack := range Stacks {
		var urns []string
		for _, r := range record(t, stack).Resources() {
			urns = append(urns, r.URN)
		}
		got := strings.Join(urns, "\n") + "\n"
		path := filepath.Join("testdata", "urns", stack+".txt")
		if *update {
			if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(got), 0o600); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with -update to create it)", err)
		}
		if got != string(want) {
			t.Errorf("%s: the URNs changed — resources would be replaced. Review, then run with -update.\n%s", stack, lineDiff(string(want), got))
		}
	}
}

// lineDiff lists the lines only in want (-) and only in got (+).
func lineDiff(want, got string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	w, g := in(want), in(got)
	var b strings.Builder
	for _, l := range strings.Split(want, "\n") {
		if !g[l] {
			b.WriteString("- " + l + "\n")
		}
	}
	for _, l := range strings.Split(got, "\n") {
		if !w[l] {
			b.WriteString("+ " + l + "\n")
		}
	}
	return b.String()
}
