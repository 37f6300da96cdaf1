// Command dockerfile-scan runs Trivy's own Dockerfile checks (the DS checks of the trivy-checks
// bundle embedded in github.com/aquasecurity/trivy, the same ones `trivy config --skip-check-update`
// runs) on each Dockerfile named on the command line, offline, and exits 1 when any check of the
// given severities fails: DS-0002 (alias DS002: the final stage runs as root), DS-0022
// (MAINTAINER), DS-0029 (apt-get without --no-install-recommends) and the rest. Inline
// `# trivy:ignore:...` comments are not honoured (nor by the image workflow): exceptions to the
// gate are made in the platform repository, not in the Dockerfile.
//
//	go run ./dockerfile-scan [-severity HIGH,CRITICAL] path/to/Dockerfile...
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	dockerfiletypes "github.com/aquasecurity/trivy/pkg/iac/providers/dockerfile"
	"github.com/aquasecurity/trivy/pkg/iac/rego"
	"github.com/aquasecurity/trivy/pkg/iac/scanners/dockerfile"
	"github.com/aquasecurity/trivy/pkg/iac/scanners/generic"
	"github.com/aquasecurity/trivy/pkg/log"
)

func main() {
	severities := flag.String("severity", "HIGH,CRITICAL", "comma-separated severities that fail the scan")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: dockerfile-scan [-severity HIGH,CRITICAL] Dockerfile...")
		os.Exit(2)
	}
	failOn := strings.Split(strings.ToUpper(*severities), ",")
	for _, s := range failOn {
		if !slices.Contains([]string{"CRITICAL", "HIGH", "MEDIUM", "LOW"}, s) {
			fmt.Fprintf(os.Stderr, "unknown severity %q\n", s)
			os.Exit(2)
		}
	}
	log.InitLogger(false, true)

	failed := 0
	for _, path := range flag.Args() {
		n, err := scanFile(path, failOn)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", path, err)
			os.Exit(2)
		}
		failed += n
	}
	if failed > 0 {
		fmt.Printf("FAIL: %d failed check(s) of severity %s\n", failed, strings.Join(failOn, ","))
		os.Exit(1)
	}
}

// scanFile scans one Dockerfile and returns how many checks of the failing severities it fails.
func scanFile(path string, failOn []string) (int, error) {
	if _, err := os.Stat(path); err != nil {
		return 0, err
	}
	scanner := dockerfile.NewScanner(
		rego.WithEmbeddedPolicies(true),
		rego.WithEmbeddedLibraries(true),
		generic.WithSupportsInlineIgnore[*dockerfiletypes.Dockerfile](false),
	)
	results, err := scanner.ScanFS(context.Background(), os.DirFS(filepath.Dir(path)), filepath.Base(path))
	if err != nil {
		return 0, err
	}
	// Every check evaluated shows up as passed or failed: none at all means the embedded bundle
	// did not load (or the file did not parse), which must not read as a clean scan.
	if len(results) == 0 {
		return 0, fmt.Errorf("no Dockerfile check was evaluated")
	}
	var failing, below []string
	for _, r := range results.GetFailed() {
		rule := r.Rule()
		line := fmt.Sprintf("%s (%s) %s %s:%d %s: %s", rule.ID, strings.Join(rule.Aliases, ","), r.Severity(),
			path, r.Range().GetStartLine(), rule.Summary, r.Description())
		if slices.Contains(failOn, string(r.Severity())) {
			failing = append(failing, line)
		} else {
			below = append(below, "(below threshold) "+line)
		}
	}
	slices.Sort(failing)
	slices.Sort(below)
	for _, line := range append(failing, below...) {
		fmt.Println(line)
	}
	failed := len(failing)
	fmt.Printf("%s: %d checks passed, %d failed (%d of severity %s)\n", path,
		len(results.GetPassed()), len(results.GetFailed()), failed, strings.Join(failOn, ","))
	return failed, nil
}
