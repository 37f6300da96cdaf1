// Package clustersecurity provides Namespace: an application namespace made safe before anything
// runs in it: Pod Security Admission at "restricted" for enforce, audit and warn (version pinned,
// so a cluster upgrade does not change what is admitted unreviewed), a default-deny NetworkPolicy
// for ingress and egress, and the RBAC Roles and RoleBindings of the personas that act in it
// (GitopsRules, DeveloperRules: explicit verbs and resources, never a wildcard).
//
// The objects are built as k8s.io/api values by Build (pure, table-tested) and registered with
// package kube; the one namespace that may be privileged is Falco's (eksspec.FalcoNamespace).
package clustersecurity
