package controls

import (
	"fmt"
	"io/fs"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/goccy/go-yaml"
)

// ImageWorkflowPath is the reusable workflow that gates every image before the registry.
const ImageWorkflowPath = ".github/workflows/image.yml"

var supplyChainControls = []*Control{
	{ID: "SUP-001", Title: "The reusable image workflow is a Trivy gate: Dockerfile checks and a scan of the built image fail the job on (fixable) HIGH/CRITICAL findings before any AWS credential exists, then the image is pushed and its digest printed; every action is pinned to a commit",
		Section: section2, Requirement: reqImageScanning, Severity: Critical, Graph: checkImageWorkflow},
}

func checkImageWorkflow(t Target) (int, []Finding) {
	if t.Repository == nil {
		return 0, nil // no repository files (the policy pack): the offline plan and CI check it
	}
	text, err := fs.ReadFile(t.Repository, ImageWorkflowPath)
	if err != nil {
		return 1, []Finding{{URN: ImageWorkflowPath, Violation: Violation{Path: "file", Value: "absent",
			Message: "ship the reusable image workflow: it is the only way images reach the registry"}}}
	}
	var fsOut []Finding
	for _, v := range ImageWorkflowViolations(text) {
		fsOut = append(fsOut, Finding{URN: ImageWorkflowPath, Violation: v})
	}
	return 1, fsOut
}

// workflowStep is the part of a workflow step the gate reads.
type workflowStep struct {
	ID              string `yaml:"id"`
	Name            string `yaml:"name"`
	Uses            string `yaml:"uses"`
	Run             string `yaml:"run"`
	If              any    `yaml:"if"`
	ContinueOnError any    `yaml:"continue-on-error"`
}

type workflowJob struct {
	Permissions any            `yaml:"permissions"`
	Steps       []workflowStep `yaml:"steps"`
}

// pinnedAction is an action at a full commit SHA (or a local action).
var pinnedAction = regexp.MustCompile(`^([A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40}|\./.+|docker://.+@sha256:[0-9a-f]{64})$`)

// ImageWorkflowViolations judges the image workflow: a reusable workflow with no default
// permissions, every action pinned, and in the job that pushes, in this order: a Trivy
// misconfiguration scan and a Trivy image scan that fail (exit code 1) on HIGH and CRITICAL
// (the image scan on fixable ones), neither skippable, then AWS credentials, then the push.
func ImageWorkflowViolations(text []byte) []Violation {
	var wf struct {
		On          map[string]any         `yaml:"on"`
		Permissions any                    `yaml:"permissions"`
		Jobs        map[string]workflowJob `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(text, &wf); err != nil {
		return []Violation{{Path: "file", Value: "not YAML", Message: err.Error()}}
	}
	var vs []Violation
	bad := func(path, value, message string) {
		vs = append(vs, Violation{Path: path, Value: value, Message: message})
	}
	if _, ok := wf.On["workflow_call"]; !ok {
		bad("on", fmt.Sprint(slices.Sorted(maps.Keys(wf.On))), "a reusable workflow (on: workflow_call) that application repositories call")
	}
	if m, ok := wf.Permissions.(map[string]any); !ok || len(m) != 0 {
		bad("permissions", fmt.Sprint(wf.Permissions), "no default permissions (permissions: {}); the job asks for id-token: write and contents: read only")
	}
	pushers := 0
	for _, name := range slices.Sorted(maps.Keys(wf.Jobs)) {
		job := wf.Jobs[name]
		at := "jobs." + name
		for i, s := range job.Steps {
			if s.Uses != "" && !pinnedAction.MatchString(s.Uses) {
				bad(fmt.Sprintf("%s.steps[%d].uses", at, i), s.Uses, "pin every action to a full commit SHA: a tag can be moved to other code")
			}
		}
		push := stepIndex(job.Steps, func(s workflowStep) bool { return runs(s, "docker push") || runs(s, "--push") })
		if push < 0 {
			continue
		}
		pushers++
		if perms, ok := job.Permissions.(map[string]any); !ok || len(perms) != 2 || perms["id-token"] != "write" || perms["contents"] != "read" {
			bad(at+".permissions", fmt.Sprint(job.Permissions), "the pushing job holds id-token: write (for OIDC) and contents: read, nothing else")
		}
		config := stepIndex(job.Steps, func(s workflowStep) bool { return runs(s, "trivy config") })
		image := stepIndex(job.Steps, func(s workflowStep) bool { return runs(s, "trivy image") })
		creds := stepIndex(job.Steps, func(s workflowStep) bool {
			return strings.HasPrefix(s.Uses, "aws-actions/configure-aws-credentials@") || runs(s, "aws sts assume-role")
		})
		for _, scan := range []struct {
			index     int
			kind      string
			needFixed bool
		}{{config, "trivy config (the Dockerfile's misconfigurations)", false}, {image, "trivy image (the built image's vulnerabilities)", true}} {
			if scan.index < 0 {
				bad(at+".steps", "no "+strings.Fields(scan.kind)[1]+" scan", "run "+scan.kind+" before the push")
				continue
			}
			step := job.Steps[scan.index]
			sp := fmt.Sprintf("%s.steps[%d]", at, scan.index)
			args := shellWords(step.Run)
			if !flagIs(args, "--exit-code", "1") {
				bad(sp+".run", "--exit-code "+flagValue(args, "--exit-code"), "the scan must fail the job: --exit-code 1")
			}
			if sev := strings.Split(flagValue(args, "--severity"), ","); !slices.Contains(sev, "HIGH") || !slices.Contains(sev, "CRITICAL") {
				bad(sp+".run", "--severity "+flagValue(args, "--severity"), "fail on HIGH and CRITICAL findings")
			}
			if scan.needFixed && !slices.Contains(args, "--ignore-unfixed") {
				bad(sp+".run", "no --ignore-unfixed", "fail on fixable findings (--ignore-unfixed), as the requirements' scan does: an unfixable one cannot block every build")
			}
			if step.If != nil || fmt.Sprint(step.ContinueOnError) == "true" {
				bad(sp, fmt.Sprintf("if: %v, continue-on-error: %v", step.If, step.ContinueOnError), "a scan can be neither skipped nor ignored")
			}
			if creds >= 0 && creds < scan.index {
				bad(fmt.Sprintf("%s.steps[%d]", at, creds), job.Steps[creds].Uses, "credentials only after "+scan.kind+" passed: an image that fails never meets a credential")
			}
			if scan.index > push {
				bad(sp, "after the push", "scan before the push")
			}
		}
		if creds < 0 || creds > push {
			bad(at+".steps", "no credentials before the push", "assume the service's push role (configure-aws-credentials, OIDC) just before the push")
		}
		if stepIndex(job.Steps[push:], func(s workflowStep) bool {
			return strings.Contains(s.Run, "sha256:") && strings.Contains(s.Run, "GITHUB_STEP_SUMMARY")
		}) < 0 {
			bad(at+".steps", "no digest", "print the pushed digest (<repository>@sha256:…) for the catalog")
		}
	}
	if pushers != 1 {
		bad("jobs", fmt.Sprint(pushers), "exactly one job pushes the image")
	}
	return vs
}

func stepIndex(steps []workflowStep, match func(workflowStep) bool) int {
	for i, s := range steps {
		if match(s) {
			return i
		}
	}
	return -1
}

// runs reports whether a step's script runs the command (line continuations joined, comments
// dropped).
func runs(s workflowStep, command string) bool {
	return strings.Contains(strings.Join(shellWords(s.Run), " "), command)
}

// shellWords splits a script into words: continuations joined, comments dropped. Enough for the
// flags the gate reads; it is not a shell parser.
func shellWords(script string) []string {
	var words []string
	for _, line := range strings.Split(strings.ReplaceAll(script, "\\\n", " "), "\n") {
		if i := strings.Index(line, "#"); i >= 0 && (i == 0 || line[i-1] == ' ') {
			line = line[:i]
		}
		words = append(words, strings.Fields(line)...)
	}
	return words
}

// flagValue is the value of --flag v or --flag=v, "" if absent.
func flagValue(args []string, flag string) string {
	for i, a := range args {
		if a == flag && i+1 < len(args) {
			return args[i+1]
		}
		if v, ok := strings.CutPrefix(a, flag+"="); ok {
			return v
		}
	}
	return ""
}

func flagIs(args []string, flag, want string) bool { return flagValue(args, flag) == want }
