// Package eksspec holds the EKS facts that the cluster component builds from and the security
// controls check against, defined once: the personas and their Kubernetes groups and access
// policies, the control-plane log types, the node role's policies and the add-ons' service accounts,
// and the in-cluster facts (Pod Security labels, the IRSA annotation, TLS policies, Falco's
// namespace). It imports nothing from Pulumi, so a policy pack or any tool can use it.
package eksspec
