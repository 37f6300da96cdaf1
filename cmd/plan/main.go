// Command plan is the offline plan and security report of a stack: no cloud account, no Pulumi
// CLI. It records the stack under Pulumi mocks, prints the resources grouped by component and the
// security control results, writes plan.json, report.md and components.mmd into -out, and exits 1
// when a control fails (2 on a usage or config error).
//
//	go run ./cmd/plan                 # the dev stack, files in out/dev
//	go run ./cmd/plan -stack prod     # another stack (go run ./cmd/plan prod says the same)
//	go run ./cmd/plan -preview        # as a first `pulumi preview` sees it: unknown ids and ARNs
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/securestack/platform/proof/engine/planner"
)

const defaultStack = "dev"

func main() {
	flags := flag.NewFlagSet("plan", flag.ContinueOnError)
	stack := flags.String("stack", defaultStack, "stack to plan: stacks/Pulumi.<stack>.yaml")
	out := flags.String("out", "", "output folder (default out/<stack>, out/<stack>-preview with -preview; \"-\" writes no files)")
	dir := flags.String("dir", "", "project directory holding Pulumi.yaml (default: found upwards)")
	preview := flags.Bool("preview", false, "record as `pulumi preview` does: outputs of resources not yet created unknown")
	if err := flags.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	name, err := stackName(*stack, flagSet(flags, "stack"), flags.Args())
	if err != nil {
		fmt.Fprintln(os.Stderr, "plan:", err)
		os.Exit(2)
	}
	switch *out {
	case "":
		*out = filepath.Join("out", name)
		if *preview {
			*out += "-preview" // never mistaken for (or overwriting) the update plan
		}
	case "-":
		*out = ""
	}
	p, err := planner.Make(planner.Options{Dir: *dir, Stack: name, Preview: *preview})
	if err != nil {
		fmt.Fprintln(os.Stderr, "plan:", err)
		os.Exit(2)
	}
	if err := p.Write(os.Stdout, *out); err != nil {
		fmt.Fprintln(os.Stderr, "plan:", err)
		os.Exit(2)
	}
	if p.Failed() {
		fmt.Fprintln(os.Stderr, "plan: security controls failed")
		os.Exit(1)
	}
}

// stackName is the stack to plan: -stack, or the one positional argument (`plan prod`), never
// both and never more, so that a stray argument cannot silently plan another stack.
func stackName(flagValue string, flagGiven bool, args []string) (string, error) {
	switch {
	case len(args) == 0:
		return flagValue, nil
	case len(args) > 1:
		return "", fmt.Errorf("unexpected arguments %q: name one stack, for example -stack prod", args)
	case flagGiven && args[0] != flagValue:
		return "", fmt.Errorf("two stacks named: -stack %s and %q; name one", flagValue, args[0])
	}
	return args[0], nil
}

func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
