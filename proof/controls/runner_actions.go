package controls

import (
	"fmt"
	"slices"
	"strings"

	"github.com/securestack/platform/components/lib/iampolicy"
	"github.com/securestack/platform/components/runner"
	"github.com/securestack/platform/proof/engine/graph"
)

const typeCodeBuildWebhook = "aws:codebuild/webhook:Webhook"

// workflowJobQueued is the one webhook event a CodeBuild-hosted GitHub Actions runner may accept
// (AWS CodeBuild user guide, "GitHub webhook events"): any other event runs the repository's
// buildspec outside a workflow. Written here, not taken from the component, so that the control
// checks the component rather than repeating it.
const workflowJobQueued = "WORKFLOW_JOB_QUEUED"

// runnerActionsControls prove the CodeBuild-hosted GitHub Actions runner that pull-request jobs
// run on: it is as confined as the in-VPC runner and can never lend pull-request code more than
// the preview role.
var runnerActionsControls = []*Control{
	{ID: "RUN-002", Title: "A GitHub Actions runner project runs unprivileged in the VPC's private subnets behind a security group that admits nothing, its role may assume only the preview role, and its webhook starts it only for queued workflow jobs of its own repository",
		Section: section3, Severity: Critical, Graph: checkRunnerActions, Evidence: runnerActionsEvidence},
}

// actionsProjects are the CodeBuild projects with a GitHub source: the GitHub Actions runners.
func actionsProjects(g *graph.Graph) []*graph.Resource {
	var out []*graph.Resource
	for _, p := range g.OfType(typeCodeBuildProject) {
		if t, _ := p.String("source.type"); t == "GITHUB" || t == "GITHUB_ENTERPRISE" {
			out = append(out, p)
		}
	}
	return out
}

// previewAndDeployRoles are the roles the S3-sourced runner projects assume, by command.
func previewAndDeployRoles(g *graph.Graph) (preview, deploy []string) {
	for _, p := range g.OfType(typeCodeBuildProject) {
		if t, _ := p.String("source.type"); t != "S3" {
			continue
		}
		role := envVar(p, "PLATFORM_ASSUME_ROLE_ARN")
		switch envVar(p, "PLATFORM_COMMAND") {
		case "preview":
			preview = append(preview, role)
		case "up":
			deploy = append(deploy, role)
		}
	}
	return preview, deploy
}

// webhookOf is the project a webhook names (by its name, or when the name is not known yet, as in
// a preview, by the webhook's dependency on the project).
func webhookOf(g *graph.Graph, w *graph.Resource) (*graph.Resource, bool) {
	name, err := w.String("projectName")
	for _, p := range g.OfType(typeCodeBuildProject) {
		if pn, _ := p.String("name"); (err == nil && pn == name) || (err != nil && g.DependsOn(w, p.URN)) {
			return p, true
		}
	}
	return nil, false
}

// refersTo says whether a policy's or attachment's role input names the role (by its name, which
// is its id).
func refersTo(res, role *graph.Resource) bool {
	r, _ := res.String("role")
	return r != "" && (r == role.ID || r == roleName(role))
}

// assumeTargets are the roles a role's inline policies allow it to assume.
func assumeTargets(g *graph.Graph, role *graph.Resource) []string {
	var targets []string
	for _, pol := range g.OfType(typeRolePolicy) {
		if !refersTo(pol, role) {
			continue
		}
		text, _ := pol.String("policy")
		doc, err := iampolicy.Parse(text)
		if err != nil {
			continue
		}
		for _, s := range doc.Allows("sts:AssumeRole") {
			targets = append(targets, s.Resources...)
		}
	}
	return targets
}

func checkRunnerActions(t Target) (int, []Finding) {
	g := t.Graph
	projects := actionsProjects(g)
	webhooks := g.OfType(typeCodeBuildWebhook)
	private := map[string]bool{}
	for _, s := range subnets(g) {
		private[s.res.ID] = s.tier == "private"
	}
	groups := idsOf(g, typeSG)
	roles := roleByArn(g)
	previewRoles, deployRoles := previewAndDeployRoles(g)
	var fs []Finding
	hooked := map[string]bool{}
	for _, w := range webhooks {
		p, ok := webhookOf(g, w)
		at := func(path, value, msg string) {
			fs = append(fs, Finding{URN: w.URN, Violation: Violation{Path: path, Value: value, Message: msg}})
		}
		if !ok || !slices.Contains(projects, p) {
			at("projectName", describe(w.Inputs, "projectName"), "a webhook of this stack may only start a GitHub Actions runner project (a GitHub source) of this stack")
			continue
		}
		hooked[p.URN] = true
		if w.Has("scopeConfiguration") {
			at("scopeConfiguration", describe(w.Inputs, "scopeConfiguration"), "the webhook must be the repository's own, not an organisation's or a global one: every repository's jobs could name the runner")
		}
		if w.Len("filterGroups") == 0 {
			at("filterGroups", "absent", "without filter groups every event of the repository starts a build: allow only "+workflowJobQueued)
		}
		for i := range w.Len("filterGroups") {
			fp := fmt.Sprintf("filterGroups[%d].filters", i)
			var events []string
			for j := range w.Len(fp) {
				typ, _ := w.String(fmt.Sprintf("%s[%d].type", fp, j))
				pattern, _ := w.String(fmt.Sprintf("%s[%d].pattern", fp, j))
				excluded, _ := w.Bool(fmt.Sprintf("%s[%d].excludeMatchedPattern", fp, j))
				if typ == "EVENT" && !excluded {
					events = append(events, pattern)
				}
			}
			if len(events) != 1 || strings.ReplaceAll(events[0], " ", "") != workflowJobQueued {
				at(fp, fmt.Sprint(events), "each filter group must accept exactly the event "+workflowJobQueued+": another event runs the repository's buildspec outside a workflow")
			}
		}
	}
	for _, p := range projects {
		at := func(path, value, msg string) {
			fs = append(fs, Finding{URN: p.URN, Violation: Violation{Path: path, Value: value, Message: msg}})
		}
		if v, _ := p.Bool("environment.privilegedMode"); v {
			at("environment.privilegedMode", "true", "pull-request jobs run unprivileged (no Docker daemon, no host access)")
		}
		location, _ := p.String("source.location")
		if err := runner.CheckRepository(location); err != nil {
			at("source.location", fmt.Sprintf("%q", location), "the runner serves one repository, named by its source: "+err.Error())
		}
		if !hooked[p.URN] {
			at("webhook", "absent", "the runner's webhook must be managed here, so that what starts it is proven (queued workflow jobs of its repository only)")
		}
		subnetIDs, _ := p.Strings("vpcConfig.subnets")
		if len(subnetIDs) == 0 {
			at("vpcConfig.subnets", describe(p.Inputs, "vpcConfig"), "the runner runs in the VPC's private subnets, where the cluster's private endpoint is reachable")
		}
		for _, id := range subnetIDs {
			if !private[id] {
				at("vpcConfig.subnets", id, "not a private subnet of this stack: the runner runs in the VPC's private subnets only")
			}
		}
		sgs, _ := p.Strings("vpcConfig.securityGroupIds")
		if len(sgs) == 0 {
			at("vpcConfig.securityGroupIds", "[]", "the runner runs behind a security group of this stack that admits nothing")
		}
		for _, id := range sgs {
			sg, ok := groups[id]
			switch {
			case !ok:
				at("vpcConfig.securityGroupIds", id, "not a security group of this stack, whose rules could not be proven")
			case sg.Len("ingress") > 0:
				fs = append(fs, Finding{URN: sg.URN, Violation: Violation{Path: "ingress", Value: describe(sg.Inputs, "ingress"), Message: "nothing may connect to the runner"}})
			}
		}
		roleArn, _ := p.String("serviceRole")
		role, ok := roles[roleArn]
		if !ok {
			at("serviceRole", roleArn, "the project's service role must be a role of this stack, whose policy is proven")
			continue
		}
		for _, att := range g.OfType(typeRoleAttachment) {
			if refersTo(att, role) {
				fs = append(fs, Finding{URN: att.URN, Violation: Violation{Path: "policyArn", Value: describe(att.Inputs, "policyArn"),
					Message: "pull-request code can reach the runner role's credentials: it holds its inline policy only"}})
			}
		}
		targets := assumeTargets(g, role)
		want := "the preview role"
		if len(previewRoles) > 0 {
			want = previewRoles[0]
		}
		onlyPreview := len(targets) == 1 && !slices.Contains(deployRoles, targets[0]) && targets[0] != "*" &&
			(len(previewRoles) == 0 || slices.Contains(previewRoles, targets[0]))
		if !onlyPreview {
			fs = append(fs, Finding{URN: role.URN, Violation: Violation{Path: "policy.sts:AssumeRole", Value: fmt.Sprint(targets),
				Message: fmt.Sprintf("pull-request code can reach the runner role's credentials: it may assume exactly %s, never a deploy role", want)}})
		}
	}
	return len(projects) + len(webhooks), fs
}

// runnerActionsEvidence says which repository, workflow and role a passing runner rests on.
func runnerActionsEvidence(t Target) string {
	var parts []string
	roles := roleByArn(t.Graph)
	for _, p := range actionsProjects(t.Graph) {
		name, _ := p.String("name")
		location, _ := p.String("source.location")
		var filters []string
		for _, w := range t.Graph.OfType(typeCodeBuildWebhook) {
			if q, ok := webhookOf(t.Graph, w); ok && q == p {
				for i := range w.Len("filterGroups[0].filters") {
					typ, _ := w.String(fmt.Sprintf("filterGroups[0].filters[%d].type", i))
					pattern, _ := w.String(fmt.Sprintf("filterGroups[0].filters[%d].pattern", i))
					filters = append(filters, typ+"="+pattern)
				}
			}
		}
		var targets []string
		if arn, _ := p.String("serviceRole"); roles[arn] != nil {
			targets = assumeTargets(t.Graph, roles[arn])
		}
		parts = append(parts, fmt.Sprintf("%s serves %s on %s; its role may assume only %s", name, location, strings.Join(filters, " and "), strings.Join(targets, ", ")))
	}
	return strings.Join(parts, "; ")
}
