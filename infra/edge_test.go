package infra_test

import (
	"testing"

	"github.com/securestack/platform/infra"
)

// TestEdgeNeedsExactlyOneCertificateSource: with a load-balanced service, the edge names its
// domain and either a zone to validate a new certificate in or an existing certificate — not
// neither, not both — and every other edge value is checked with it, all at once.
func TestEdgeNeedsExactlyOneCertificateSource(t *testing.T) {
	served := " (the load-balanced service frontend is served on it)"
	wantProblems(t, raw("dev", "platform:edge", `{"domain":"app.example.com","hostedZoneId":""}`),
		"platform:edge.hostedZoneId or certificateArn: one is required (issue a certificate with DNS validation in the zone, or use an existing one)"+served)
	arn := "arn:aws:acm:eu-west-1:123456789012:certificate/0123abcd-0123-4567-89ab-0123456789ab"
	wantProblems(t, raw("dev", "platform:edge", `{"domain":"app.example.com","hostedZoneId":"Z0EXAMPLEZONE","certificateArn":"`+arn+`"}`),
		"platform:edge.hostedZoneId and certificateArn: both set; choose one (issue a certificate, or use "+arn+")"+served)
	wantProblems(t, raw("dev", "platform:edge", `{"domain":"App.Example.com","hostedZoneId":"zone","keyAlgorithm":"RSA_1024",
		"sslPolicy":"ELBSecurityPolicy-2016-08","allowedCidrs":["0.0.0.0/0","10.0.0.1/8"],"desyncMode":"monitor"}`),
		`platform:edge.domain: "App.Example.com" is not a lowercase DNS name (for example app.example.com)`+served,
		`platform:edge.hostedZoneId: "zone" is not a Route 53 zone id (for example Z0123456789ABCDEFGHIJ)`+served,
		`platform:edge.keyAlgorithm: "RSA_1024" is not allowed (allowed: [EC_prime256v1 EC_secp384r1 RSA_2048])`+served,
		`platform:edge.sslPolicy: "ELBSecurityPolicy-2016-08" is not allowed (allowed: ELBSecurityPolicy-TLS13-1-2-2021-06, ELBSecurityPolicy-TLS13-1-2-Res-2021-06, ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04, ELBSecurityPolicy-TLS13-1-3-2021-06, ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04)`,
		`platform:edge.desyncMode: "monitor" is not allowed (allowed: defensive, strictest)`,
		`platform:edge.allowedCidrs[1]: "10.0.0.1/8" is not an IPv4 network address`)
	// An existing certificate is enough; prod keeps deletion protection unless a waiver says why.
	mustParse(t, raw("prod", "platform:edge", `{"domain":"app.example.com","certificateArn":"`+arn+`"}`))
	wantProblems(t, raw("prod", "platform:edge", `{"domain":"app.example.com","hostedZoneId":"Z0EXAMPLEZONE","deletionProtection":false}`),
		`platform:edge.deletionProtection: "false" opts out of control EDGE-007: add a waiver {control: EDGE-007, reason: ...} to platform:waivers saying where it is enforced instead`)
	// Without a load-balanced service there is no edge, and naming one is a mistake.
	wantProblems(t, raw("dev", "platform:services", `{"frontend":{"loadBalancer":false}}`),
		"platform:edge: set, but no service of platform:services has loadBalancer: true")
	cfg := mustParse(t, raw("dev", "platform:services", `{"frontend":{"loadBalancer":false}}`, "platform:edge", `{}`))
	if _, ok := cfg.LoadBalancedService(); ok {
		t.Error("a load-balanced service without any loadBalancer: true")
	}
	wantProblems(t, raw("dev", "platform:services", `{"uploader":{"loadBalancer":true}}`),
		"platform:services: frontend, uploader are all loadBalancer: true; the edge serves one service (one host)")
	if !infra.DefaultEdge(infra.Prod).DeletionProtection || infra.DefaultEdge(infra.Dev).DeletionProtection {
		t.Error("deletion protection is the prod default only")
	}
}
