package tests

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/securestack/platform/"

// layer is where a package sits in the house: a package may import its own layer and those below
// it, never one above. The product (components, then infra) is built on by the proof (controls and
// the offline engine), and the commands sit on top. Tests are proof of the layer they live in and
// may import anything, so only non-test files are judged.
func layer(dir string) (int, string) {
	switch {
	case dir == "components" || strings.HasPrefix(dir, "components/"):
		return 0, "product: components"
	case dir == "infra":
		return 1, "product: infra"
	case dir == "deploy" || strings.HasPrefix(dir, "deploy/"), strings.HasPrefix(dir, "proof/"):
		return 2, "proof"
	case dir == ".", strings.HasPrefix(dir, "cmd/"):
		return 3, "commands"
	case dir == "tests":
		return 4, "whole-stack tests"
	}
	return -1, ""
}

// TestTheHouseHasNoBackArrows: components import no composition, proof or command; infra imports
// no proof or command; the proof imports no command. A reusable component that imported the
// controls (or the stack's composition) would drag the whole platform into its users' builds.
func TestTheHouseHasNoBackArrows(t *testing.T) {
	root := filepath.Join("..")
	files := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			// Separate modules and generated output are not part of the house.
			if rel == "out" || rel == "examples" || rel == "tools" || strings.HasPrefix(rel, ".") && rel != "." {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		dir := filepath.ToSlash(filepath.Dir(rel))
		from, fromName := layer(dir)
		if from < 0 {
			t.Errorf("%s: the package %s is in no layer of the house (components, infra, proof, deploy, cmd, tests)", rel, dir)
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		files++
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if !strings.HasPrefix(p, module) {
				continue
			}
			target := strings.TrimPrefix(p, module)
			to, toName := layer(target)
			if to > from {
				t.Errorf("%s (%s) imports %s (%s): a back arrow", rel, fromName, target, toName)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 100 {
		t.Errorf("judged only %d files: the walk missed the house", files)
	}
}

// TestTheLayerRuleCatchesBackArrows: the rule above refuses the arrows it exists for.
func TestTheLayerRuleCatchesBackArrows(t *testing.T) {
	for _, c := range []struct {
		from, to string
		back     bool
	}{
		{"components/registry", "infra", true},
		{"components/edge", "proof/controls", true},
		{"infra", "proof/engine/stackconfig", true},
		{"proof/engine/planner", "cmd/plan", true},
		{"deploy/deployrole", "cmd/policypack", true},
		{"proof/controls", "components/registry", false},
		{"infra", "components/lib/iampolicy", false},
		{".", "proof/controls", false},
	} {
		from, _ := layer(c.from)
		to, _ := layer(c.to)
		if got := to > from; got != c.back {
			t.Errorf("%s → %s: back arrow %v, want %v", c.from, c.to, got, c.back)
		}
	}
}
