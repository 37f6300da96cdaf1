// Command plandiff is the offline plan diff of a pull request: it compares the plans of every
// stack on the base and on the head (folders holding <stack>/plan.json, as `go run ./cmd/plan
// -stack <s> -out <dir>/<s>` writes them) and prints Markdown for the job summary: resources
// added and removed, inputs changed (secrets masked) and data loss (a stateful resource deleted
// or replaced). It exits 1 on data loss unless -allow-data-loss is given, 2 on a usage error.
//
//	go run ./cmd/plandiff -base /tmp/base-plans -head out
//	go run ./cmd/plandiff -base /tmp/base-plans -head out -allow-data-loss
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"

	"github.com/securestack/platform/proof/engine/plandiff"
)

// Exit codes.
const (
	exitOK       = 0
	exitDataLoss = 1
	exitUsage    = 2
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// run is the command; it returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("plandiff", flag.ContinueOnError)
	flags.SetOutput(stderr)
	base := flags.String("base", "", "folder of the base's plans: <stack>/plan.json (required)")
	head := flags.String("head", "", "folder of the head's plans: <stack>/plan.json (required)")
	allow := flags.Bool("allow-data-loss", false, "accept data loss (the pull request carries the label "+plandiff.OverrideLabel+")")
	if err := flags.Parse(args); err != nil {
		return exitUsage
	}
	usage := func(err error) int {
		_, _ = fmt.Fprintln(stderr, "plandiff:", err)
		return exitUsage
	}
	if flags.NArg() > 0 {
		return usage(fmt.Errorf("unexpected arguments %q: give the folders as -base and -head", flags.Args()))
	}
	if *base == "" || *head == "" {
		return usage(errors.New("-base and -head are both required: folders holding <stack>/plan.json"))
	}
	basePlans, err := readPlans("-base", *base, stderr)
	if err != nil {
		return usage(err)
	}
	headPlans, err := readPlans("-head", *head, stderr)
	if err != nil {
		return usage(err)
	}
	var stacks []string
	for s := range basePlans {
		stacks = append(stacks, s)
	}
	for s := range headPlans {
		if !slices.Contains(stacks, s) {
			stacks = append(stacks, s)
		}
	}
	sort.Strings(stacks)
	var report plandiff.Report
	for _, s := range stacks {
		d, err := plandiff.Compare(basePlans[s], headPlans[s])
		if err != nil {
			return usage(err)
		}
		report = append(report, d)
	}
	if _, err := io.WriteString(stdout, report.Markdown(*allow)); err != nil {
		return usage(err)
	}
	if report.Fails(*allow) {
		_, _ = fmt.Fprintf(stderr, "plandiff: %d stateful resource(s) would lose their data; rerun with -allow-data-loss (the label %s) to accept\n",
			report.DataLoss(), plandiff.OverrideLabel)
		return exitDataLoss
	}
	return exitOK
}

// readPlans reads <dir>/<stack>/plan.json for every stack folder of dir; a folder without
// plan.json is skipped, and so is a preview plan (cmd/plan -preview writes <stack>-preview: its
// unknown outputs would all show as changes), with a note on stderr. A dir without any plan is an
// error.
func readPlans(flagName, dir string, notes io.Writer) (map[string]*plandiff.Plan, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", flagName, dir, err)
	}
	plans := map[string]*plandiff.Plan{}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		path := filepath.Join(dir, e.Name(), "plan.json")
		data, err := os.ReadFile(path) // #nosec G304 -- the folders the user names
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		p, err := plandiff.Parse(data, path)
		if err != nil {
			return nil, err
		}
		if p.Preview {
			_, _ = fmt.Fprintf(notes, "plandiff: %s: a preview plan, skipped (the diff compares update plans)\n", path)
			continue
		}
		if p.Stack != e.Name() {
			return nil, fmt.Errorf("%s: stack: %q, but the folder is %q: a stack's plan goes in <dir>/<stack>/plan.json", path, p.Stack, e.Name())
		}
		plans[p.Stack] = p
	}
	if len(plans) == 0 {
		return nil, fmt.Errorf("%s %s: no <stack>/plan.json in it (write them with go run ./cmd/plan -stack <stack> -out %s/<stack>)", flagName, dir, dir)
	}
	return plans, nil
}
