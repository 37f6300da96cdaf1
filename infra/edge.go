package infra

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/elb"

	"github.com/securestack/platform/components/edge"
	"github.com/securestack/platform/components/storage"
)

// EdgeConfig is platform:edge: the name, certificate and load balancer of the service the load
// balancer reaches (loadBalancer: true in the catalog; at most one).
type EdgeConfig struct {
	// Domain clients use, e.g. app.example.com. Required when a service is load-balanced.
	Domain string `json:"domain"`
	// HostedZoneID: issue an ACM certificate for Domain, validated with a DNS record in this
	// Route 53 zone. Exactly one of HostedZoneID and CertificateArn.
	HostedZoneID string `json:"hostedZoneId"`
	// CertificateArn: use this existing ACM certificate (of the stack's region) instead.
	CertificateArn string `json:"certificateArn"`
	// KeyAlgorithm of an issued certificate: RSA_2048 (default), EC_prime256v1 or EC_secp384r1.
	KeyAlgorithm string `json:"keyAlgorithm"`
	// SSLPolicy of the HTTPS listener: a TLS 1.3 policy. Default ELBSecurityPolicy-TLS13-1-2-2021-06.
	SSLPolicy string `json:"sslPolicy"`
	// AllowedCidrs may connect on 443 (and 80, which only redirects). Default ["0.0.0.0/0"].
	AllowedCidrs []string `json:"allowedCidrs"`
	// DesyncMode: defensive or strictest (default).
	DesyncMode string `json:"desyncMode"`
	// DeletionProtection of the ALB. Default on in prod (turning it off there needs a waiver of
	// EDGE-007), off elsewhere.
	DeletionProtection bool `json:"deletionProtection"`
	// WAF associates a WAFv2 web ACL with the AWS managed common and known-bad-inputs rule sets.
	// Default off.
	WAF bool `json:"waf"`
}

// DefaultEdge is an environment's edge before the stack names its domain.
func DefaultEdge(env Environment) EdgeConfig {
	return EdgeConfig{SSLPolicy: edge.DefaultSSLPolicy, AllowedCidrs: []string{"0.0.0.0/0"}, DesyncMode: "strictest",
		DeletionProtection: env == Prod}
}

// LoadBalancedService is the catalog's load-balanced service, if any.
func (c *Config) LoadBalancedService() (string, bool) {
	for _, name := range c.EnabledServices() {
		if c.Services[name].LoadBalancer {
			return name, true
		}
	}
	return "", false
}

func (c *Config) validateEdge() []string {
	var p []string
	add := func(format string, args ...any) { p = append(p, fmt.Sprintf(format, args...)) }
	ep := Namespace + ":edge"
	e := c.Edge
	var balanced []string
	for _, name := range c.EnabledServices() {
		if c.Services[name].LoadBalancer {
			balanced = append(balanced, name)
		}
	}
	if len(balanced) > 1 {
		add("%s:services: %s are all loadBalancer: true; the edge serves one service (one host)", Namespace, strings.Join(balanced, ", "))
	}
	if len(balanced) == 0 {
		if e.Domain != "" || e.HostedZoneID != "" || e.CertificateArn != "" {
			add("%s: set, but no service of %s:services has loadBalancer: true", ep, Namespace)
		}
		return p
	}
	args := edge.CertificateArgs{Domain: e.Domain, HostedZoneID: e.HostedZoneID, CertificateArn: e.CertificateArn, KeyAlgorithm: e.KeyAlgorithm}
	if err := args.Validate(); err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			add("%s.%s (the load-balanced service %s is served on it)", ep, line, balanced[0])
		}
	}
	if !slices.Contains(edge.SSLPolicies, e.SSLPolicy) {
		add("%s.sslPolicy: %q is not allowed (allowed: %s)", ep, e.SSLPolicy, strings.Join(edge.SSLPolicies, ", "))
	}
	if !slices.Contains(edge.DesyncModes, e.DesyncMode) {
		add("%s.desyncMode: %q is not allowed (allowed: %s)", ep, e.DesyncMode, strings.Join(edge.DesyncModes, ", "))
	}
	if len(e.AllowedCidrs) == 0 {
		add("%s.allowedCidrs: empty; at least one network (0.0.0.0/0 for a public site)", ep)
	}
	for i, cidr := range e.AllowedCidrs {
		if prefix, err := netip.ParsePrefix(cidr); err != nil || prefix.Masked() != prefix || !prefix.Addr().Is4() {
			add("%s.allowedCidrs[%d]: %q is not an IPv4 network address", ep, i, cidr)
		}
	}
	if c.Environment == Prod && !e.DeletionProtection {
		c.requireWaiver(add, ep+".deletionProtection", "false", "EDGE-007")
	}
	return p
}

// albLogPrefix is where the ALB writes its access logs in its bucket.
const albLogPrefix = "alb"

// albLogBucket is the bucket of the ALB's access logs: SSE-S3 (the only encryption ELB delivers
// to), TLS only, the region's log-delivery principal admitted under the prefix.
func (b *dataBuilder) albLogBucket() (*storage.Bucket, error) {
	principal := storage.LoadBalancerLogService
	if account, err := elb.GetServiceAccount(b.ctx, &elb.GetServiceAccountArgs{}, b.invoke); err == nil {
		principal = account.Arn // the regions before August 2022 name an ELB account
	}
	return b.bucket(BucketALBLogs, storage.BucketArgs{
		Encryption:       storage.SSES3,
		ExpirationDays:   b.cfg.Storage.AccessLogDays,
		LoadBalancerLogs: &storage.LoadBalancerLogDelivery{Principal: principal, Prefix: albLogPrefix},
	})
}
