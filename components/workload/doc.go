// Package workload is a service's hardened Kubernetes workload: a ServiceAccount of its own
// (annotated with its IRSA role when it has one), a Deployment whose pods pass Pod Security
// "restricted" — non-root UID/GID of at least 1000, no privilege escalation, read-only root file
// system with emptyDir volumes only for declared writable paths, all capabilities dropped, seccomp
// RuntimeDefault, no host namespaces, requests and limits, probes, no API token unless needed —
// a ClusterIP Service, a PodDisruptionBudget, and the NetworkPolicies that allow exactly its
// declared traffic on top of its namespace's default deny.
//
// The objects are built as k8s.io/api values by Build (pure, table-tested), then registered with
// package kube; the security controls read them back from the recorded plan and evaluate them with
// the upstream Pod Security Admission library and cyclonus.
package workload
