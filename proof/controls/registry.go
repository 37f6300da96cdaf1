package controls

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
	corev1 "k8s.io/api/core/v1"

	"github.com/securestack/platform/components/lib/iampolicy"
	"github.com/securestack/platform/components/registry"
	"github.com/securestack/platform/proof/engine/graph"
)

const (
	typeECRRepository       = "aws:ecr/repository:Repository"
	typeECRRepositoryPolicy = "aws:ecr/repositoryPolicy:RepositoryPolicy"
	typeECRLifecyclePolicy  = "aws:ecr/lifecyclePolicy:LifecyclePolicy"
)

// Section 2's image-scanning line.
const reqImageScanning = "Image scanning: Run `scripts/trivy_scan.ps1` to build and scan all service images: `pwsh ./scripts/trivy_scan.ps1`. The script pulls the latest Trivy image and fails on `HIGH`/`CRITICAL` vulnerabilities (ignores unfixed by default)."

var registryControls = []*Control{
	{ID: "REG-001", Title: "Every image repository scans on push, and every workload image from the account's registry comes from one of them",
		Section: section2, Supports: []string{reqImageScanning}, Severity: High, Graph: checkScanOnPush},
	{ID: "REG-002", Title: "Image tags are immutable: a pushed tag can never be repointed to another image",
		Section: section2, Severity: High, Types: []string{typeECRRepository}, Resource: checkImmutableTags},
	{ID: "REG-003", Title: "Every image repository is encrypted with a customer-managed KMS key of this plan",
		Section: section2, Severity: High, Graph: checkRepositoryEncryption},
	{ID: "REG-004", Title: "Every repository policy is private: no public allow; all but the nodes (and the push role) are denied pulls, all but its one push role denied writes",
		Section: section2, Severity: Critical, Graph: checkRepositoryPolicies},
	{ID: "REG-005", Title: "A push role trusts GitHub's OIDC provider only for one repository and one branch or environment (exact sub, STS audience)",
		Section: section2, Supports: []string{reqImageScanning}, Severity: Critical, Types: []string{typeRole}, Resource: checkPushTrust, Evidence: pushSubjects},
	{ID: "REG-006", Title: "Every repository has a lifecycle policy that expires untagged images and bounds how many it keeps",
		Section: section2, Severity: Medium, Graph: checkLifecyclePolicies},
}

// repositories are the recorded repositories by name.
func repositories(g *graph.Graph) map[string]*graph.Resource {
	out := map[string]*graph.Resource{}
	for _, r := range g.OfType(typeECRRepository) {
		if name, err := r.String("name"); err == nil {
			out[name] = r
		}
	}
	return out
}

// ecrHost matches an ECR registry host: "<account>.dkr.ecr.<region>.amazonaws.com".
var ecrHost = regexp.MustCompile(`^[0-9]{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$`)

func checkScanOnPush(t Target) (int, []Finding) {
	repos := repositories(t.Graph)
	var fs []Finding
	for _, r := range t.Graph.OfType(typeECRRepository) {
		if !scansOnPush(r) {
			fs = append(fs, Finding{URN: r.URN, Violation: Violation{Path: "imageScanningConfiguration.scanOnPush",
				Value: describe(r.Inputs, "imageScanningConfiguration.scanOnPush"), Message: "scan every image on push"}})
		}
	}
	checked := len(repos)
	templates, dfs := PodTemplates(t.Graph)
	fs = append(fs, dfs...)
	for _, pt := range templates {
		for _, group := range []struct {
			field string
			list  []corev1.Container
		}{{"initContainers", pt.Spec.InitContainers}, {"containers", pt.Spec.Containers}} {
			for i, c := range group.list {
				host, path, _ := strings.Cut(c.Image, "/")
				if !ecrHost.MatchString(host) {
					continue // another registry: platform:images.registries allows it explicitly
				}
				checked++
				repo, _, _ := strings.Cut(strings.Split(path, "@")[0], ":")
				if r, ok := repos[repo]; !ok || !scansOnPush(r) {
					fs = append(fs, Finding{URN: pt.URN, Violation: Violation{Path: fmt.Sprintf("spec.template.spec.%s[%d].image", group.field, i), Value: c.Image,
						Message: "an image of the account's registry must come from a repository of this plan that scans on push (the service's own)"}})
				}
			}
		}
	}
	return checked, fs
}

func scansOnPush(r *graph.Resource) bool {
	v, err := r.Bool("imageScanningConfiguration.scanOnPush")
	return err == nil && v
}

func checkImmutableTags(_ string, props property.Map) []Violation {
	if v, ok := str(props, "imageTagMutability"); !ok || v != "IMMUTABLE" {
		return []Violation{{Path: "imageTagMutability", Value: describe(props, "imageTagMutability"),
			Message: "IMMUTABLE: a tag the catalog pins must always mean the image that was scanned"}}
	}
	return nil
}

func checkRepositoryEncryption(t Target) (int, []Finding) {
	keys := keysByArn(t.Graph)
	var fs []Finding
	repos := t.Graph.OfType(typeECRRepository)
	for _, r := range repos {
		kind, _ := r.String("encryptionConfigurations[0].encryptionType")
		key, err := r.Get("encryptionConfigurations[0].kmsKey")
		switch {
		case kind != "KMS":
			fs = append(fs, Finding{URN: r.URN, Violation: Violation{Path: "encryptionConfigurations[0].encryptionType",
				Value: describe(r.Inputs, "encryptionConfigurations[0].encryptionType"), Message: "encrypt with KMS (the default is AES256 with an AWS-owned key)"}})
		case t.deferrable(r, "encryptionConfigurations[0].kmsKey"):
			// A preview does not know the key's ARN yet: checked at apply.
		case err != nil || !key.IsString() || keys[key.AsString()] == nil:
			fs = append(fs, Finding{URN: r.URN, Violation: Violation{Path: "encryptionConfigurations[0].kmsKey",
				Value: describe(r.Inputs, "encryptionConfigurations[0].kmsKey"), Message: "encrypt with a customer key of this plan (without kmsKey ECR uses aws/ecr)"}})
		}
	}
	return len(repos), fs
}

func checkRepositoryPolicies(t Target) (int, []Finding) {
	repos := t.Graph.OfType(typeECRRepository)
	policies := map[string][]*graph.Resource{}
	for _, p := range t.Graph.OfType(typeECRRepositoryPolicy) {
		name, _ := p.String("repository")
		policies[name] = append(policies[name], p)
	}
	var fs []Finding
	for _, r := range repos {
		name, _ := r.String("name")
		switch ps := policies[name]; len(ps) {
		case 0:
			fs = append(fs, Finding{URN: r.URN, Violation: Violation{Path: "repositoryPolicy", Value: "none",
				Message: "give the repository a policy: without one, any principal of the account with ECR rights may push and pull"}})
		case 1:
			if t.deferrable(ps[0], "policy") {
				continue // a preview does not know the roles' ARNs yet: checked at apply
			}
			for _, v := range repositoryPolicyViolations(ps[0].Inputs) {
				fs = append(fs, Finding{URN: ps[0].URN, Violation: v})
			}
		default:
			fs = append(fs, Finding{URN: r.URN, Violation: Violation{Path: "repositoryPolicy", Value: fmt.Sprint(len(ps)),
				Message: "one repository policy per repository: a second overwrites the first"}})
		}
	}
	return len(repos), fs
}

// repositoryPolicyViolations judges one repository policy: no public allow, a deny of pulls to all
// but named roles (and the service-linked roles), a deny of writes to all but at most one role.
func repositoryPolicyViolations(props property.Map) []Violation {
	doc, vs, ok := policyAt(props, "policy", "a repository policy must say who may pull and push")
	if !ok {
		return vs
	}
	coversAll := func(s iampolicy.Statement, actions []string) bool {
		for _, a := range actions {
			if !s.CoversAction(a) {
				return false
			}
		}
		return true
	}
	pullDenied, writeDenied := false, false
	for i, s := range doc.Statements {
		path := fmt.Sprintf("policy.Statement[%d]", i)
		switch {
		case s.Effect == iampolicy.Allow && (s.Principal == nil || s.Principal.IsWildcard() || slices.Contains(s.Principal.AWS, "*")):
			vs = append(vs, Violation{Path: path + ".Principal", Value: "*", Message: "no repository is public: allow named roles only"})
		case s.Effect == iampolicy.Deny && coversAll(s, registry.ImageReadActions):
			except := s.ConditionValues("ArnNotLike", "aws:PrincipalArn")
			for _, e := range except {
				if strings.Contains(e, "*") && !strings.Contains(e, ":role/aws-service-role/") {
					vs = append(vs, Violation{Path: path + ".Condition.ArnNotLike", Value: e, Message: "the pull deny may exempt named roles (and service-linked roles) only"})
				}
			}
			pullDenied = len(except) > 0 && len(s.Conditions) == 1
		case s.Effect == iampolicy.Deny && coversAll(s, registry.WriteActions):
			except := s.ConditionValues("ArnNotEquals", "aws:PrincipalArn")
			writeDenied = len(s.Conditions) == 0 || (len(except) == 1 && len(s.Conditions) == 1)
			if len(except) > 1 {
				vs = append(vs, Violation{Path: path + ".Condition.ArnNotEquals", Value: fmt.Sprint(except), Message: "one push role per repository"})
			}
		}
	}
	if !pullDenied {
		vs = append(vs, Violation{Path: "policy", Value: "no pull deny", Message: fmt.Sprintf("deny %s to every principal but the nodes' role (ArnNotLike aws:PrincipalArn)", strings.Join(registry.ImageReadActions, " and "))})
	}
	if !writeDenied {
		vs = append(vs, Violation{Path: "policy", Value: "no write deny", Message: fmt.Sprintf("deny %s to every principal but the service's push role (ArnNotEquals aws:PrincipalArn)", strings.Join(registry.WriteActions, ", "))})
	}
	return vs
}

// githubSubject is an exact sub claim of one repository and one ref or environment, optionally
// with the one reusable workflow the job runs (a customised sub claim).
var githubSubject = regexp.MustCompile(`^repo:[A-Za-z0-9-]+/[A-Za-z0-9._-]+:(ref:refs/(heads|tags)/[A-Za-z0-9._/-]+|environment:[A-Za-z0-9._-]+)` +
	`(:job_workflow_ref:[A-Za-z0-9-]+/[A-Za-z0-9._-]+/\.github/workflows/[A-Za-z0-9._-]+\.ya?ml@(refs/(heads|tags)/[A-Za-z0-9._/-]+|[0-9a-f]{40}))?$`)

// checkPushTrust judges every trust statement on GitHub's OIDC provider.
func checkPushTrust(_ string, props property.Map) []Violation {
	doc, _, ok := policyAt(props, "assumeRolePolicy", "")
	if !ok {
		return nil // IAM-001 reports unknown trust policies
	}
	var vs []Violation
	for i, s := range doc.Statements {
		if s.Effect != iampolicy.Allow || s.Principal == nil || !trustsGitHub(s.Principal.Federated) {
			continue
		}
		path := fmt.Sprintf("assumeRolePolicy.Statement[%d].Condition", i)
		sub := s.ConditionValues("StringEquals", registry.GitHubIssuer+":sub")
		if len(sub) != 1 || !githubSubject.MatchString(sub[0]) {
			vs = append(vs, Violation{Path: path + ".StringEquals." + registry.GitHubIssuer + ":sub", Value: fmt.Sprint(sub),
				Message: "trust exactly one repository and one branch or environment: repo:<owner>/<name>:ref:refs/heads/<branch> or repo:<owner>/<name>:environment:<name>"})
		}
		if aud := s.ConditionValues("StringEquals", registry.GitHubIssuer+":aud"); !slices.Equal(aud, []string{registry.GitHubAudience}) {
			vs = append(vs, Violation{Path: path + ".StringEquals." + registry.GitHubIssuer + ":aud", Value: fmt.Sprint(aud), Message: "pin the audience to sts.amazonaws.com"})
		}
		for op := range s.Conditions {
			if op != "StringEquals" {
				vs = append(vs, Violation{Path: path + "." + op, Value: fmt.Sprint(s.Conditions[op]), Message: "only exact (StringEquals) conditions: a pattern widens the trust to other repositories or refs"})
			}
		}
	}
	return vs
}

// trustsGitHub reports whether a federated principal is GitHub's OIDC provider.
func trustsGitHub(federated []string) bool {
	for _, f := range federated {
		if strings.HasSuffix(f, ":oidc-provider/"+registry.GitHubIssuer) {
			return true
		}
	}
	return false
}

func checkLifecyclePolicies(t Target) (int, []Finding) {
	repos := t.Graph.OfType(typeECRRepository)
	policies := map[string]*graph.Resource{}
	for _, p := range t.Graph.OfType(typeECRLifecyclePolicy) {
		name, _ := p.String("repository")
		policies[name] = p
	}
	var fs []Finding
	for _, r := range repos {
		name, _ := r.String("name")
		p, ok := policies[name]
		if !ok {
			fs = append(fs, Finding{URN: r.URN, Violation: Violation{Path: "lifecyclePolicy", Value: "none", Message: "expire untagged images and bound the images kept"}})
			continue
		}
		text, _ := p.String("policy")
		if problem := lifecycleProblem(text); problem != "" {
			fs = append(fs, Finding{URN: p.URN, Violation: Violation{Path: "policy", Value: text, Message: problem}})
		}
	}
	return len(repos), fs
}

// lifecycleProblem says what a lifecycle policy lacks: a rule expiring untagged images by age,
// and a rule expiring any image beyond a count.
func lifecycleProblem(text string) string {
	var doc struct {
		Rules []struct {
			Selection struct {
				TagStatus, CountType string
				CountNumber          int
			}
			Action struct{ Type string }
		}
	}
	if err := json.Unmarshal([]byte(text), &doc); err != nil {
		return "not a lifecycle policy: " + err.Error()
	}
	untagged, bounded := false, false
	for _, r := range doc.Rules {
		if r.Action.Type != "expire" || r.Selection.CountNumber < 1 {
			continue
		}
		untagged = untagged || (r.Selection.TagStatus == "untagged" && r.Selection.CountType == "sinceImagePushed")
		bounded = bounded || (r.Selection.TagStatus == "any" && r.Selection.CountType == "imageCountMoreThan")
	}
	switch {
	case !untagged:
		return "add a rule expiring untagged images some days after their push"
	case !bounded:
		return "add a rule (tagStatus any, imageCountMoreThan) bounding how many images are kept"
	}
	return ""
}

// pushSubjects says which GitHub subjects may push, role by role.
func pushSubjects(t Target) string {
	var parts []string
	for _, r := range t.Graph.OfType(typeRole) {
		doc, _, ok := policyAt(r.Inputs, "assumeRolePolicy", "")
		if !ok {
			continue
		}
		for _, st := range doc.Statements {
			if st.Principal != nil && trustsGitHub(st.Principal.Federated) {
				parts = append(parts, r.Name+" ← "+strings.Join(st.ConditionValues("StringEquals", registry.GitHubIssuer+":sub"), ", "))
			}
		}
	}
	if len(parts) == 0 {
		return "no role trusts GitHub: nobody can push"
	}
	slices.Sort(parts)
	return strings.Join(parts, "; ")
}
