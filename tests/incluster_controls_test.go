package tests

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/securestack/platform/proof/engine/graph"
)

const (
	tNamespace  = "kubernetes:core/v1:Namespace"
	tNetpol     = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
	tDeployment = "kubernetes:apps/v1:Deployment"
	tK8sSA      = "kubernetes:core/v1:ServiceAccount"
	tK8sRole    = "kubernetes:rbac.authorization.k8s.io/v1:Role"
	tK8sBinding = "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding"
)

func list(vs ...property.Value) property.Value { return property.New(vs) }

// The in-cluster controls, broken one at a time on prod (added to brokenCases).
func init() {
	ns := tNamespace + "::" + p + "-apps"
	frontend := tDeployment + "::" + p + "-frontend"
	container := "spec.template.spec.containers[0]"
	brokenCases = append(brokenCases,
		brokenCase{name: "no default deny", control: "NP-001",
			breakGraph: func(t *testing.T, g *graph.Graph) *graph.Graph {
				return without(t, g, tNetpol, p+"-apps-default-deny-all")
			},
			wantURN: ns, wantPath: "networkPolicies"},
		brokenCase{name: "the default deny allows all ingress", control: "NP-001",
			breakGraph: setInput(tNetpol, p+"-apps-default-deny-all", "spec.ingress", list(property.New(property.Map{}))),
			wantURN:    ns, wantPath: "ingress"},
		brokenCase{name: "AWS egress includes the metadata service", control: "NP-002",
			breakGraph: setInput(tNetpol, p+"-uploader-egress", "spec.egress[1].to[0].ipBlock", property.New(map[string]property.Value{"cidr": str("0.0.0.0/0")})),
			wantURN:    tDeployment + "::" + p + "-uploader", wantPath: "egress"},
		brokenCase{name: "frontend open to the internet", control: "NP-002",
			breakGraph: setInput(tNetpol, p+"-frontend-ingress", "spec.ingress[0].from[0].ipBlock.cidr", str("0.0.0.0/0")),
			wantURN:    tNetpol + "::" + p + "-frontend-ingress", wantPath: "spec.ingress[0].from[0].ipBlock.cidr"},
		brokenCase{name: "caller rule on every port", control: "NP-002",
			breakGraph: editInputs(tNetpol, p+"-uploader-ingress", func(t *testing.T, in property.Map) property.Map {
				rule := in.Get("spec").AsMap().Get("ingress").AsArray().Get(0).AsMap().Delete("ports")
				return set(t, in, "spec.ingress[0]", property.New(rule))
			}),
			wantURN: tNetpol + "::" + p + "-uploader-ingress", wantPath: "spec.ingress[0].ports"},
		brokenCase{name: "runs as root", control: "POD-001",
			breakGraph: setInput(tDeployment, p+"-frontend", "spec.template.spec.securityContext.runAsUser", property.New(0.0)),
			wantURN:    frontend, wantPath: "spec.template.spec"},
		brokenCase{name: "privilege escalation allowed", control: "POD-001",
			breakGraph: setInput(tDeployment, p+"-frontend", container+".securityContext.allowPrivilegeEscalation", property.New(true)),
			wantURN:    frontend, wantPath: "spec.template.spec"},
		brokenCase{name: "a system UID below 1000", control: "POD-001",
			breakGraph: setInput(tDeployment, p+"-frontend", "spec.template.spec.securityContext.runAsUser", property.New(999.0)),
			wantURN:    frontend, wantPath: "containers[frontend].runAsUser"},
		brokenCase{name: "namespace enforces baseline", control: "POD-002",
			breakGraph: setInput(tNamespace, p+"-apps", `metadata.labels["pod-security.kubernetes.io/enforce"]`, str("baseline")),
			wantURN:    ns, wantPath: "metadata.labels[pod-security.kubernetes.io/enforce]"},
		brokenCase{name: "standard version not pinned", control: "POD-002",
			breakGraph: setInput(tNamespace, p+"-apps", `metadata.labels["pod-security.kubernetes.io/audit-version"]`, str("latest")),
			wantURN:    ns, wantPath: "metadata.labels[pod-security.kubernetes.io/audit-version]"},
		brokenCase{name: "writable root file system", control: "POD-003",
			breakGraph: setInput(tDeployment, p+"-frontend", container+".securityContext.readOnlyRootFilesystem", property.New(false)),
			wantURN:    frontend, wantPath: "containers[frontend].securityContext.readOnlyRootFilesystem"},
		brokenCase{name: "image tagged latest", control: "POD-003",
			breakGraph: setInput(tDeployment, p+"-frontend", container+".image", str("222222222222.dkr.ecr.eu-west-1.amazonaws.com/platform/prod/frontend:latest")),
			wantURN:    frontend, wantPath: "containers[frontend].image"},
		brokenCase{name: "no limits", control: "POD-003",
			breakGraph: editInputs(tDeployment, p+"-frontend", func(t *testing.T, in property.Map) property.Map {
				return set(t, in, container+".resources", property.New(map[string]property.Value{
					"requests": property.New(map[string]property.Value{"cpu": str("100m"), "memory": str("128Mi")})}))
			}),
			wantURN: frontend, wantPath: "containers[frontend].resources.limits.cpu"},
		brokenCase{name: "uploader's account annotated with the processor's role", control: "IAM-005",
			breakGraph: func(t *testing.T, g *graph.Graph) *graph.Graph {
				arn := named(t, g, tRole, p+"-processor").Outputs.Get("arn")
				return setInput(tK8sSA, p+"-uploader", `metadata.annotations["eks.amazonaws.com/role-arn"]`, arn)(t, g)
			},
			wantURN: tK8sSA + "::" + p + "-uploader", wantPath: "metadata.annotations[eks.amazonaws.com/role-arn]"},
		brokenCase{name: "processor runs as the uploader's account", control: "IAM-005",
			breakGraph: setInput(tDeployment, p+"-processor", "spec.template.spec.serviceAccountName", str("uploader")),
			wantURN:    "serviceaccount apps/uploader", wantPath: "users"},
		brokenCase{name: "gitops may read Secrets", control: "RBAC-001",
			breakGraph: setInput(tK8sRole, p+"-apps-gitops", "rules[2].resources", list(str("configmaps"), str("secrets"), str("serviceaccounts"), str("services"))),
			wantURN:    "persona gitops", wantPath: "platform:gitops"},
		brokenCase{name: "developers may do any verb", control: "RBAC-001",
			breakGraph: setInput(tK8sRole, p+"-apps-developer", "rules[0].verbs", list(str("*"))),
			wantURN:    tK8sRole + "::" + p + "-apps-developer", wantPath: "rules[0]"},
		brokenCase{name: "developers' binding missing", control: "RBAC-001",
			breakGraph: func(t *testing.T, g *graph.Graph) *graph.Graph {
				return without(t, g, tK8sBinding, p+"-apps-developer")
			},
			wantURN: "persona developer", wantPath: "platform:developers"},
	)
}
