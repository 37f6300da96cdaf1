package stackconfig_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/securestack/platform/proof/engine/stackconfig"
)

// TestStackFileMistakesAreReportedWhereTheyAre: a YAML error names the line it is on (Pulumi's
// loader named the line before it) and shows it; an unknown top-level key is an error, not
// silently ignored; duplicate keys are refused.
func TestStackFileMistakesAreReportedWhereTheyAre(t *testing.T) {
	cases := []struct {
		name, text string
		want       []string // substrings of the error, in order
	}{
		{"unclosed list", "config:\n  aws:region: eu-west-1\n  platform:network:\n    cidr: [\n  platform:x: 1\n",
			[]string{"invalid YAML: [4:11] sequence end token ']' not found", ">  4 |     cidr: ["}},
		{"bad indentation", "config:\n  aws:region: eu-west-1\n platform:tags: {}\n",
			[]string{"invalid YAML: [3:2]", ">  3 |  platform:tags: {}"}},
		{"duplicate key", "config:\n  aws:region: eu-west-1\n  aws:region: eu-west-2\n",
			[]string{`invalid YAML: [3:3] mapping key "aws:region" already defined at [2:3]`}},
		{"misspelt top-level key", "confg:\n  aws:region: eu-west-1\n",
			[]string{`"confg": not a stack file key (allowed: config, encryptedkey, encryptionsalt, environment, secretsprovider); did you mean config?`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := stackconfig.CheckFile("Pulumi.dev.yaml", []byte(tc.text))
			if err == nil {
				t.Fatal("accepted")
			}
			rest := err.Error()
			for _, w := range tc.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("error lacks %q:\n%s", w, err)
				}
				rest = rest[i+len(w):]
			}
		})
	}
	if err := stackconfig.CheckFile("Pulumi.dev.yaml", []byte("secretsprovider: passphrase\nencryptionsalt: x\nconfig:\n  aws:region: eu-west-1\n")); err != nil {
		t.Errorf("a valid stack file is refused: %v", err)
	}
}

// TestLoadChecksTheFileFirst: Load refuses what CheckFile refuses, before Pulumi's loader runs.
func TestLoadChecksTheFileFirst(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("Pulumi.yaml", "name: platform\nruntime: go\n")
	write("Pulumi.dev.yaml", "confg:\n  aws:region: eu-west-1\n")
	if _, err := stackconfig.Load(dir, "dev"); err == nil || !strings.Contains(err.Error(), `"confg": not a stack file key`) {
		t.Errorf("Load: %v", err)
	}
}
