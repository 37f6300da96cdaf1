package tests

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/securestack/platform/proof/engine/graph"
)

const (
	tIngress     = "kubernetes:networking.k8s.io/v1:Ingress"
	tCertificate = "aws:acm/certificate:Certificate"
	tCertValid   = "aws:acm/certificateValidation:CertificateValidation"
	albPrefix    = "alb.ingress.kubernetes.io/"
)

// annotation is the property path of an ALB Ingress annotation.
func annotation(key string) string { return `metadata.annotations["` + albPrefix + key + `"]` }

// withAttributes rewrites one load-balancer attribute of the prod Ingress.
func withAttributes(old, replacement string) func(*testing.T, *graph.Graph) *graph.Graph {
	return editInputs(tIngress, p+"-frontend-alb", func(t *testing.T, in property.Map) property.Map {
		v, err := graph.Lookup(in, annotation("load-balancer-attributes"), "")
		if err != nil || !strings.Contains(v.AsString(), old) {
			t.Fatalf("attributes %v lack %q", v, old)
		}
		return set(t, in, annotation("load-balancer-attributes"), str(strings.Replace(v.AsString(), old, replacement, 1)))
	})
}

// The edge controls, broken one at a time on prod (added to brokenCases).
func init() {
	ingress := tIngress + "::" + p + "-frontend-alb"
	attrs := "metadata.annotations[" + albPrefix + "load-balancer-attributes]."
	brokenCases = append(brokenCases,
		brokenCase{name: "no certificate on the Ingress", control: "EDGE-001",
			breakGraph: setInput(tIngress, p+"-frontend-alb", annotation("certificate-arn"), str("")),
			wantURN:    ingress, wantPath: "metadata.annotations[" + albPrefix + "certificate-arn]"},
		brokenCase{name: "certificate used without its validation", control: "EDGE-001",
			breakGraph: func(t *testing.T, g *graph.Graph) *graph.Graph { return without(t, g, tCertValid, p+"-edge") },
			wantURN:    tCertificate + "::" + p + "-edge", wantPath: "validation"},
		brokenCase{name: "the 2016 policy that accepts TLS 1.0", control: "EDGE-002",
			breakGraph: setInput(tIngress, p+"-frontend-alb", annotation("ssl-policy"), str("ELBSecurityPolicy-2016-08")),
			wantURN:    ingress, wantPath: "metadata.annotations[" + albPrefix + "ssl-policy]"},
		brokenCase{name: "HTTP served without the redirect", control: "EDGE-003",
			breakGraph: setInput(tIngress, p+"-frontend-alb", annotation("ssl-redirect"), str("")),
			wantURN:    ingress, wantPath: "metadata.annotations[" + albPrefix + "ssl-redirect]"},
		brokenCase{name: "SSH open on the ALB", control: "EDGE-004",
			breakGraph: editInputs(tSG, p+"-frontend-alb", func(t *testing.T, in property.Map) property.Map {
				in = set(t, in, "ingress[1].fromPort", property.New(22.0))
				return set(t, in, "ingress[1].toPort", property.New(22.0))
			}),
			wantURN: tSG + "::" + p + "-frontend-alb", wantPath: "ingress[1]"},
		brokenCase{name: "all traffic out of the ALB", control: "EDGE-004",
			breakGraph: setInput(tSG, p+"-frontend-alb", "egress[0].protocol", str("-1")),
			wantURN:    tSG + "::" + p + "-frontend-alb", wantPath: "egress[0]"},
		brokenCase{name: "invalid headers forwarded", control: "EDGE-005",
			breakGraph: withAttributes("drop_invalid_header_fields.enabled=true", "drop_invalid_header_fields.enabled=false"),
			wantURN:    ingress, wantPath: attrs + "routing.http.drop_invalid_header_fields.enabled"},
		brokenCase{name: "desync monitor mode", control: "EDGE-005",
			breakGraph: withAttributes("desync_mitigation_mode=strictest", "desync_mitigation_mode=monitor"),
			wantURN:    ingress, wantPath: attrs + "routing.http.desync_mitigation_mode"},
		brokenCase{name: "access logs to someone else's bucket", control: "EDGE-006",
			breakGraph: withAttributes("access_logs.s3.bucket=platform-prod-alb-logs", "access_logs.s3.bucket=somebody-elses"),
			wantURN:    ingress, wantPath: attrs + "access_logs.s3.bucket"},
		brokenCase{name: "access logs off", control: "EDGE-006",
			breakGraph: withAttributes("access_logs.s3.enabled=true", "access_logs.s3.enabled=false"),
			wantURN:    ingress, wantPath: attrs + "access_logs.s3.enabled"},
		brokenCase{name: "prod ALB deletable", control: "EDGE-007",
			breakGraph: withAttributes("deletion_protection.enabled=true", "deletion_protection.enabled=false"),
			wantURN:    ingress, wantPath: attrs + "deletion_protection.enabled"},
		brokenCase{name: "controller deletes any load balancer", control: "EDGE-008",
			breakGraph: setInput(tRolePol, p+"-lb-controller", "policy", str(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"elasticloadbalancing:DeleteLoadBalancer","Resource":"*"}]}`)),
			wantURN:    tRolePol + "::" + p + "-lb-controller", wantPath: "policy.Statement[0]"},
		brokenCase{name: "controller's role also trusts the frontend", control: "EDGE-008",
			breakGraph: editInputs(tRole, p+"-lb-controller", func(t *testing.T, in property.Map) property.Map {
				trust := in.Get("assumeRolePolicy").AsString()
				sa := `"system:serviceaccount:kube-system:aws-load-balancer-controller"`
				if !strings.Contains(trust, sa) {
					t.Fatalf("trust %s", trust)
				}
				return set(t, in, "assumeRolePolicy", str(strings.Replace(trust, sa, sa+`,"system:serviceaccount:apps:frontend"`, 1)))
			}),
			wantURN: tRole + "::" + p + "-lb-controller", wantPath: "assumeRolePolicy"},
		brokenCase{name: "controller with ec2:*", control: "EDGE-008",
			breakGraph: setInput(tRolePol, p+"-lb-controller", "policy", str(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*"}]}`)),
			wantURN:    tRolePol + "::" + p + "-lb-controller", wantPath: "policy.Statement[0].Action"},
	)
}
