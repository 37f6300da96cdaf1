// Package kube registers Kubernetes objects, written as the upstream k8s.io/api types, as Pulumi
// Kubernetes resources. The components build their objects with the same types the upstream
// evaluators (Pod Security Admission, NetworkPolicy and RBAC semantics) read, so what is registered
// and what is proven are one value; this package turns it into the resource the Pulumi Kubernetes
// provider expects, with the provider's own type token (kubernetes:<group>/<version>:<Kind>).
package kube
