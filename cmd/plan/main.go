// Command plan is the offline plan and security report of a stack: no cloud account, no Pulumi
// CLI. It records the stack under Pulumi mocks, prints the resources grouped by component and the
// security control results, writes plan.json, report.md and components.mmd into -out, and exits 1
// when a control fails (2 on a usage or config error).
//
//	go run ./cmd/plan                 # the dev stack, files in out/dev
//	go run ./cmd/plan -stack prod     # another stack
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/securestack/platform/planner"
)

func main() {
	stack := flag.String("stack", "dev", "stack to plan: stacks/Pulumi.<stack>.yaml")
	out := flag.String("out", "", "output folder (default out/<stack>; \"-\" writes no files)")
	dir := flag.String("dir", "", "project directory holding Pulumi.yaml (default: found upwards)")
	flag.Parse()
	switch *out {
	case "":
		*out = filepath.Join("out", *stack)
	case "-":
		*out = ""
	}
	p, err := planner.Make(planner.Options{Dir: *dir, Stack: *stack})
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
