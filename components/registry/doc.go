// Package registry provides the image registry of the platform's services: Repository, an ECR
// repository per service (scan on push, immutable tags, KMS encryption with a customer key, a
// lifecycle policy, and a repository policy that lets only the nodes pull and only the service's
// CI role push), and PushRole, the role a GitHub Actions job assumes through the account's GitHub
// OIDC provider — trusted only for one repository and one branch or environment — to push to that
// one repository after its image passed the Trivy gate (.github/workflows/image.yml).
//
// The policies are pure functions (LifecyclePolicy, RepositoryPolicy, PushTrust, PushPolicy), so
// they are table-tested without mocks and the controls judge exactly what is registered.
package registry
