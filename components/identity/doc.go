// Package identity provides ServiceRole: an IAM role for one Kubernetes service account (IRSA),
// trusted only by that service account through the cluster's OIDC provider (exact sub and aud), with
// one least-privilege inline policy built by the caller as a typed document.
package identity
