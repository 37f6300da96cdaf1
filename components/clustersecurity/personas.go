package clustersecurity

import rbacv1 "k8s.io/api/rbac/v1"

// The verbs of the persona Roles: explicit, never "*".
var (
	readVerbs   = []string{"get", "list", "watch"}
	manageVerbs = []string{"get", "list", "watch", "create", "update", "patch", "delete"}
)

// GitopsRules let a GitOps controller manage the application in a namespace: workloads, Services,
// ConfigMaps, Ingresses, autoscalers, disruption budgets, ServiceAccounts and NetworkPolicies, and
// read the pods, logs and events it needs to report health. Nothing else: no Secrets, no RBAC
// (so no escalate, bind or impersonate), no exec or port-forward, no ServiceAccount tokens.
func GitopsRules() []rbacv1.PolicyRule {
	return []rbacv1.PolicyRule{
		{APIGroups: []string{"apps"}, Resources: []string{"deployments", "replicasets", "statefulsets"}, Verbs: manageVerbs},
		{APIGroups: []string{"batch"}, Resources: []string{"cronjobs", "jobs"}, Verbs: manageVerbs},
		{APIGroups: []string{""}, Resources: []string{"configmaps", "serviceaccounts", "services"}, Verbs: manageVerbs},
		{APIGroups: []string{"networking.k8s.io"}, Resources: []string{"ingresses", "networkpolicies"}, Verbs: manageVerbs},
		{APIGroups: []string{"autoscaling"}, Resources: []string{"horizontalpodautoscalers"}, Verbs: manageVerbs},
		{APIGroups: []string{"policy"}, Resources: []string{"poddisruptionbudgets"}, Verbs: manageVerbs},
		{APIGroups: []string{""}, Resources: []string{"events", "pods", "pods/log"}, Verbs: readVerbs},
	}
}

// DeveloperRules let a developer read the application in a namespace: workloads, pods, their logs
// and events, Services and autoscalers. No writes, no Secrets, no exec, attach or port-forward.
func DeveloperRules() []rbacv1.PolicyRule {
	return []rbacv1.PolicyRule{
		{APIGroups: []string{"apps"}, Resources: []string{"deployments", "replicasets", "statefulsets"}, Verbs: readVerbs},
		{APIGroups: []string{"batch"}, Resources: []string{"cronjobs", "jobs"}, Verbs: readVerbs},
		{APIGroups: []string{""}, Resources: []string{"events", "pods", "pods/log", "services"}, Verbs: readVerbs},
		{APIGroups: []string{"events.k8s.io"}, Resources: []string{"events"}, Verbs: readVerbs},
		{APIGroups: []string{"autoscaling"}, Resources: []string{"horizontalpodautoscalers"}, Verbs: readVerbs},
	}
}
