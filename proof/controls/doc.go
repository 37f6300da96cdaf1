// Package controls holds the platform's security controls as code, each written once and used by
// the tests, the offline plan and report, CI and (through the same per-resource functions over a
// property.Map) a Pulumi policy pack.
//
// A Control has an ID, the requirement line of requirements/security-configuration.md it proves,
// a severity, and a check: either per resource (a function of the resource's type and inputs,
// the shape a policyx ResourceValidationPolicy takes) or over the whole recorded graph (for
// invariants that span resources, such as "every private subnet routes through a NAT gateway of
// its zone"). A failing check returns findings with evidence: the resource URN, the property path
// and the actual value. A control can be waived only by an explicit waiver with a reason, and the
// report shows the waiver. A control that finds nothing to check says so (not applicable) instead
// of passing silently; the whole-stack tests pin which controls may be not applicable per stack.
//
// The in-cluster controls read the recorded Kubernetes objects back into their upstream k8s.io/api
// types and judge them with the upstream evaluators rather than by reading fields: cyclonus's
// NetworkPolicy engine (Reachability), the Pod Security Admission checks (PodSecurityViolations) and
// the RBAC rule-coverage helper of k8s.io/component-helpers (RBAC). Those are exported so the tests
// can assert whole matrices and who-can tables with the same semantics.
package controls
