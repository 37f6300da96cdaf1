// Package edge is the platform's TLS edge: Certificate, an ACM certificate (issued with DNS
// validation in a Route 53 zone and awaited, or an existing one); LoadBalancerController, the AWS
// Load Balancer Controller (a pinned Helm v3 release on its own IRSA role with a typed, tag-scoped
// IAM policy, ControllerPolicy); and LoadBalancer, the internet-facing ALB of one Service, declared
// as an Ingress: HTTPS with a TLS 1.3 policy, HTTP only to redirect, a security group of its own,
// invalid headers dropped, desync mitigation, access logs, deletion protection where asked, and an
// optional WAFv2 web ACL.
package edge
