package controls

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/securestack/platform/components/lib/eksspec"
	"github.com/securestack/platform/components/lib/iampolicy"
	"github.com/securestack/platform/proof/engine/graph"
)

const (
	typeIngress           = "kubernetes:networking.k8s.io/v1:Ingress"
	typeACMCertificate    = "aws:acm/certificate:Certificate"
	typeCertValidation    = "aws:acm/certificateValidation:CertificateValidation"
	albAnnotation         = "alb.ingress.kubernetes.io/"
	sidAllowLBAccessLogs  = "AllowLoadBalancerAccessLogs"
	attrDropInvalid       = "routing.http.drop_invalid_header_fields.enabled"
	attrDesync            = "routing.http.desync_mitigation_mode"
	attrLogsEnabled       = "access_logs.s3.enabled"
	attrLogsBucket        = "access_logs.s3.bucket"
	attrDeletionProtected = "deletion_protection.enabled"
)

// lbControllerSubject is the one ServiceAccount the controller's role may trust.
const lbControllerSubject = eksspec.LoadBalancerControllerNamespace + ":" + eksspec.LoadBalancerControllerServiceAccount

var edgeControls = []*Control{
	{ID: "EDGE-001", Title: "The ALB Ingress terminates HTTPS on 443 with an ACM certificate that is validated here or supplied",
		Section: section1, Requirement: reqTLS, Severity: Critical, Graph: checkCertificate},
	{ID: "EDGE-002", Title: "HTTPS listeners use a TLS 1.3 security policy",
		Section: section1, Requirement: reqTLS, Severity: High, Types: []string{typeIngress}, Resource: checkSSLPolicy},
	{ID: "EDGE-003", Title: "HTTP only redirects to HTTPS",
		Section: section1, Supports: []string{reqTLS}, Severity: High, Types: []string{typeIngress}, Resource: checkRedirect},
	{ID: "EDGE-004", Title: "The ALB's security group admits 443 and 80 only, and reaches only the pods' port",
		Section: section1, Severity: High, Types: []string{typeSG}, Resource: checkALBSecurityGroup},
	{ID: "EDGE-005", Title: "The ALB drops invalid header fields and mitigates request desync (defensive or strictest)",
		Section: section1, Severity: High, Types: []string{typeIngress}, Resource: checkHeaderHygiene},
	{ID: "EDGE-006", Title: "ALB access logs go to a bucket of this plan that denies non-TLS access and admits only log delivery",
		Section: section1, Severity: High, Graph: checkALBAccessLogs},
	{ID: "EDGE-007", Title: "In prod the ALB has deletion protection",
		Section: section1, Severity: Medium, Graph: checkALBDeletionProtection},
	{ID: "EDGE-008", Title: "The load balancer controller's role trusts only its ServiceAccount; its writes are tag-scoped and it has no wildcard action beyond reads",
		Section: section3, Supports: []string{reqIRSA}, Severity: Critical, Graph: checkControllerRole},
}

// albIngress reads an Ingress of class alb: its annotations (unknown values included as
// "[unknown]") and whether it is one.
func albIngress(props property.Map) (map[string]string, bool) {
	if class, _ := str(props, "spec.ingressClassName"); class != "alb" {
		return nil, false
	}
	out := map[string]string{}
	if v, err := graph.Lookup(props, "metadata.annotations", ""); err == nil && v.IsMap() {
		for k, e := range v.AsMap().All {
			if strings.HasPrefix(k, albAnnotation) {
				if e.IsString() {
					out[strings.TrimPrefix(k, albAnnotation)] = e.AsString()
				} else {
					out[strings.TrimPrefix(k, albAnnotation)] = "[unknown]"
				}
			}
		}
	}
	return out, true
}

func annPath(key string) string { return "metadata.annotations[" + albAnnotation + key + "]" }

// listenPorts parses the listen-ports annotation: [{"HTTP":80},{"HTTPS":443}].
func listenPorts(a map[string]string) map[string][]int {
	var list []map[string]int
	_ = json.Unmarshal([]byte(a["listen-ports"]), &list)
	out := map[string][]int{}
	for _, m := range list {
		for proto, port := range m {
			out[proto] = append(out[proto], port)
		}
	}
	return out
}

// attributes parses load-balancer-attributes: k=v,k=v.
func attributes(a map[string]string) map[string]string {
	out := map[string]string{}
	for _, kv := range strings.Split(a["load-balancer-attributes"], ",") {
		if k, v, ok := strings.Cut(strings.TrimSpace(kv), "="); ok {
			out[k] = v
		}
	}
	return out
}

func checkCertificate(t Target) (int, []Finding) {
	g := t.Graph
	validated := map[string]bool{}
	for _, v := range g.OfType(typeCertValidation) {
		if arn, ok := v.Outputs.GetOk("certificateArn"); ok && arn.IsString() {
			validated[arn.AsString()] = true
		}
	}
	issued := map[string]bool{}
	var fs []Finding
	for _, c := range g.OfType(typeACMCertificate) {
		if arn, ok := c.Outputs.GetOk("arn"); ok && arn.IsString() {
			issued[arn.AsString()] = true
			if !validated[arn.AsString()] {
				fs = append(fs, Finding{URN: c.URN, Violation: Violation{Path: "validation", Value: "none",
					Message: "an issued certificate needs its CertificateValidation: nothing may use it before ACM has validated it"}})
			}
		}
		if m, _ := str(c.Inputs, "validationMethod"); m != "DNS" {
			fs = append(fs, Finding{URN: c.URN, Violation: Violation{Path: "validationMethod", Value: describe(c.Inputs, "validationMethod"), Message: "validate by DNS: it renews without anyone acting"}})
		}
	}
	n := 0
	for _, r := range g.OfType(typeIngress) {
		a, ok := albIngress(r.Inputs)
		if !ok {
			continue
		}
		n++
		arn, set := a["certificate-arn"]
		switch {
		case !set || arn == "":
			fs = append(fs, Finding{URN: r.URN, Violation: Violation{Path: annPath("certificate-arn"), Value: "unset", Message: "terminate TLS with an ACM certificate"}})
		case arn == "[unknown]" && t.deferrable(r, fmt.Sprintf("metadata.annotations[%q]", albAnnotation+"certificate-arn")):
			// checked at apply: the certificate's ARN comes from its validation
		case issued[arn] && !validated[arn]:
			fs = append(fs, Finding{URN: r.URN, Violation: Violation{Path: annPath("certificate-arn"), Value: arn, Message: "use the validated certificate's ARN (from its CertificateValidation)"}})
		case !issued[arn] && !strings.Contains(arn, ":acm:"):
			fs = append(fs, Finding{URN: r.URN, Violation: Violation{Path: annPath("certificate-arn"), Value: arn, Message: "not an ACM certificate"}})
		}
		if !slices.Contains(listenPorts(a)["HTTPS"], 443) {
			fs = append(fs, Finding{URN: r.URN, Violation: Violation{Path: annPath("listen-ports"), Value: a["listen-ports"], Message: "listen for HTTPS on 443"}})
		}
	}
	return n, fs
}

func checkSSLPolicy(_ string, props property.Map) []Violation {
	a, ok := albIngress(props)
	if !ok {
		return nil
	}
	if p := a["ssl-policy"]; !slices.Contains(eksspec.SSLPolicies, p) {
		return []Violation{{Path: annPath("ssl-policy"), Value: fmt.Sprintf("%q", p),
			Message: "use a TLS 1.3 policy (the controller's default, ELBSecurityPolicy-2016-08, accepts TLS 1.0): " + strings.Join(eksspec.SSLPolicies, ", ")}}
	}
	return nil
}

func checkRedirect(_ string, props property.Map) []Violation {
	a, ok := albIngress(props)
	if !ok {
		return nil
	}
	ports := listenPorts(a)
	if len(ports["HTTP"]) > 0 && a["ssl-redirect"] != "443" {
		return []Violation{{Path: annPath("ssl-redirect"), Value: fmt.Sprintf("%q", a["ssl-redirect"]), Message: "an HTTP listener must only redirect to HTTPS: set ssl-redirect to 443"}}
	}
	return nil
}

func checkALBSecurityGroup(_ string, props property.Map) []Violation {
	if _, ok := str(props, fmt.Sprintf("tags[%q]", loadBalancerGroupTag)); !ok {
		return nil
	}
	var vs []Violation
	rules := func(key string, check func(i int, rule property.Map)) {
		v, err := graph.Lookup(props, key, "")
		if err != nil || !v.IsArray() {
			return
		}
		for i, e := range v.AsArray().All {
			if e.IsMap() {
				check(i, e.AsMap())
			}
		}
	}
	num := func(m property.Map, k string) int {
		if v, ok := m.GetOk(k); ok && v.IsNumber() {
			return int(v.AsNumber())
		}
		return -1
	}
	rules("ingress", func(i int, r property.Map) {
		proto, _ := str(r, "protocol")
		from, to := num(r, "fromPort"), num(r, "toPort")
		if proto != "tcp" || from != to || (from != 443 && from != 80) {
			vs = append(vs, Violation{Path: fmt.Sprintf("ingress[%d]", i), Value: fmt.Sprintf("%s %d-%d", proto, from, to), Message: "the ALB admits TCP 443, and 80 for the redirect, nothing else"})
		}
	})
	rules("egress", func(i int, r property.Map) {
		proto, _ := str(r, "protocol")
		if proto == "-1" || proto == "all" || num(r, "fromPort") != num(r, "toPort") || len(worldOpen(r.Get("cidrBlocks"))) > 0 {
			vs = append(vs, Violation{Path: fmt.Sprintf("egress[%d]", i), Value: describe(r, "cidrBlocks"), Message: "the ALB reaches the VPC on the pods' port only"})
		}
	})
	return vs
}

func checkHeaderHygiene(_ string, props property.Map) []Violation {
	a, ok := albIngress(props)
	if !ok {
		return nil
	}
	if a["load-balancer-attributes"] == "[unknown]" {
		return nil // checked at apply
	}
	attrs := attributes(a)
	var vs []Violation
	if attrs[attrDropInvalid] != "true" {
		vs = append(vs, Violation{Path: annPath("load-balancer-attributes") + "." + attrDropInvalid, Value: fmt.Sprintf("%q", attrs[attrDropInvalid]), Message: "drop invalid header fields"})
	}
	if m := attrs[attrDesync]; m != "defensive" && m != "strictest" {
		vs = append(vs, Violation{Path: annPath("load-balancer-attributes") + "." + attrDesync, Value: fmt.Sprintf("%q", m), Message: "mitigate desync: defensive or strictest"})
	}
	return vs
}

func checkALBAccessLogs(t Target) (int, []Finding) {
	g := t.Graph
	// Buckets of the plan whose policy denies non-TLS access and admits load balancer log delivery,
	// by name. A bucket and its policy are matched through the component they belong to: the
	// policy's bucket input is unknown until apply in a preview, the bucket's fixed name is not.
	names := map[string]string{} // parent component → bucket name
	for _, b := range g.OfType(s3TypeBucketV2) {
		if name, ok := b.Inputs.GetOk("bucket"); ok && name.IsString() {
			names[b.Parent] = name.AsString()
		}
	}
	ready := map[string]bool{}
	for _, p := range g.OfType(s3TypePolicy) {
		if t.deferrable(p, "policy") {
			// a preview: the policy is computed from the bucket's ARN at apply; the bucket is ours
			if name, ok := names[p.Parent]; ok {
				ready[name] = true
			}
			continue
		}
		text, _ := p.String("policy")
		doc, err := iampolicy.Parse(text)
		if err != nil {
			continue
		}
		tls := slices.ContainsFunc(doc.Statements, func(s iampolicy.Statement) bool {
			return s.Sid == "DenyInsecureTransport" && s.Effect == iampolicy.Deny
		})
		delivery := slices.ContainsFunc(doc.Statements, func(s iampolicy.Statement) bool { return s.Sid == sidAllowLBAccessLogs })
		if name, ok := names[p.Parent]; ok && tls && delivery {
			ready[name] = true
		}
	}
	var fs []Finding
	n := 0
	for _, r := range g.OfType(typeIngress) {
		a, ok := albIngress(r.Inputs)
		if !ok {
			continue
		}
		n++
		if a["load-balancer-attributes"] == "[unknown]" {
			continue
		}
		attrs := attributes(a)
		switch {
		case attrs[attrLogsEnabled] != "true":
			fs = append(fs, Finding{URN: r.URN, Violation: Violation{Path: annPath("load-balancer-attributes") + "." + attrLogsEnabled, Value: fmt.Sprintf("%q", attrs[attrLogsEnabled]), Message: "log every request"}})
		case !ready[attrs[attrLogsBucket]]:
			fs = append(fs, Finding{URN: r.URN, Violation: Violation{Path: annPath("load-balancer-attributes") + "." + attrLogsBucket, Value: fmt.Sprintf("%q", attrs[attrLogsBucket]),
				Message: "log to a bucket of this plan whose policy denies non-TLS access and admits the load balancer's log delivery"}})
		}
	}
	return n, fs
}

func checkALBDeletionProtection(t Target) (int, []Finding) {
	if t.Environment != "prod" {
		return 0, nil
	}
	var fs []Finding
	n := 0
	for _, r := range t.Graph.OfType(typeIngress) {
		a, ok := albIngress(r.Inputs)
		if !ok || a["load-balancer-attributes"] == "[unknown]" {
			continue
		}
		n++
		if v := attributes(a)[attrDeletionProtected]; v != "true" {
			fs = append(fs, Finding{URN: r.URN, Violation: Violation{Path: annPath("load-balancer-attributes") + "." + attrDeletionProtected, Value: fmt.Sprintf("%q", v), Message: "protect prod's load balancer from deletion"}})
		}
	}
	return n, fs
}

// lbControllerUnconditioned are the controller's writes that AWS cannot scope by tag: creating
// what has no ARN yet, listeners and rules (scoped by their load balancer), the node security
// group rules, and WAF/Shield association.
var lbControllerUnconditioned = []string{
	"ec2:CreateSecurityGroup",
	"elasticloadbalancing:AddListenerCertificates", "elasticloadbalancing:CreateListener", "elasticloadbalancing:CreateRule",
	"elasticloadbalancing:DeleteListener", "elasticloadbalancing:DeleteRule", "elasticloadbalancing:ModifyListener",
	"elasticloadbalancing:ModifyListenerAttributes", "elasticloadbalancing:ModifyRule", "elasticloadbalancing:RemoveListenerCertificates",
	"elasticloadbalancing:SetWebAcl",
	"shield:CreateProtection", "shield:DeleteProtection",
	"waf-regional:AssociateWebACL", "waf-regional:DisassociateWebACL", "wafv2:AssociateWebACL", "wafv2:DisassociateWebACL",
}

// readOnly reports whether an action only reads.
func readOnly(action string) bool {
	_, name, _ := strings.Cut(action, ":")
	for _, prefix := range []string{"Describe", "Get", "List"} {
		if strings.HasPrefix(name, prefix) {
			return true
		}
	}
	return false
}

// readOnlyPattern reports whether a wildcard action only matches reads (ec2:Describe*).
func readOnlyPattern(action string) bool {
	return strings.HasSuffix(action, "*") && !strings.Contains(strings.TrimSuffix(action, "*"), "*") &&
		readOnly(strings.TrimSuffix(action, "*")+"Anything")
}

func checkControllerRole(t Target) (int, []Finding) {
	g := t.Graph
	var fs []Finding
	n := 0
	for _, role := range g.OfType(typeRole) {
		trusted := trustedServiceAccounts(role)
		if !slices.Contains(trusted, lbControllerSubject) {
			continue
		}
		n++
		if len(trusted) != 1 {
			fs = append(fs, Finding{URN: role.URN, Violation: Violation{Path: "assumeRolePolicy", Value: fmt.Sprint(trusted), Message: "trust only " + lbControllerSubject}})
		}
		for _, pol := range g.OfType(typeRolePolicy) {
			if id, _ := pol.String("role"); id != role.ID {
				continue
			}
			text, _ := pol.String("policy")
			doc, err := iampolicy.Parse(text)
			if err != nil {
				fs = append(fs, Finding{URN: pol.URN, Violation: Violation{Path: "policy", Value: "unparseable", Message: err.Error()}})
				continue
			}
			for i, s := range doc.Statements {
				if s.Effect != iampolicy.Allow {
					continue
				}
				onAll := slices.Contains(s.Resources, "*")
				for _, a := range s.Actions {
					switch {
					case strings.Contains(a, "*") && !readOnlyPattern(a):
						fs = append(fs, Finding{URN: pol.URN, Violation: Violation{Path: fmt.Sprintf("policy.Statement[%d].Action", i), Value: a, Message: "no wildcard action but reads"}})
					case onAll && len(s.Conditions) == 0 && !readOnly(a) && !slices.Contains(lbControllerUnconditioned, a):
						fs = append(fs, Finding{URN: pol.URN, Violation: Violation{Path: fmt.Sprintf("policy.Statement[%d]", i), Value: a,
							Message: "a write on * must be scoped by the controller's tag (aws:ResourceTag/elbv2.k8s.aws/cluster) or a resource ARN"}})
					}
				}
			}
		}
	}
	return n, fs
}
