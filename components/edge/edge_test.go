package edge_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/securestack/platform/components/edge"
	"github.com/securestack/platform/components/lib/iampolicy"
	"github.com/securestack/platform/proof/engine/recorder"
)

// TestControllerPolicyIsScopedToItsAccountAndTags: no wildcard action; every write on "*" either
// carries the controller's cluster tag condition or is one AWS cannot scope (creation, listeners
// and rules, WAF and Shield association); every ARN is this partition, region and account.
func TestControllerPolicyIsScopedToItsAccountAndTags(t *testing.T) {
	doc := edge.ControllerPolicy("aws", "eu-west-1", "123456789012")
	unscopable := []string{"ec2:CreateSecurityGroup", "elasticloadbalancing:AddListenerCertificates", "elasticloadbalancing:CreateListener",
		"elasticloadbalancing:CreateRule", "elasticloadbalancing:DeleteListener", "elasticloadbalancing:DeleteRule",
		"elasticloadbalancing:ModifyListener", "elasticloadbalancing:ModifyListenerAttributes", "elasticloadbalancing:ModifyRule",
		"elasticloadbalancing:RemoveListenerCertificates", "elasticloadbalancing:SetWebAcl", "shield:CreateProtection",
		"shield:DeleteProtection", "waf-regional:AssociateWebACL", "waf-regional:DisassociateWebACL", "wafv2:AssociateWebACL",
		"wafv2:DisassociateWebACL"}
	for _, s := range doc.Statements {
		for _, r := range s.Resources {
			if r != "*" && !strings.Contains(r, ":123456789012:") && !strings.Contains(r, "::123456789012:") {
				t.Errorf("%s: resource %s is not this account's", s.Sid, r)
			}
		}
		for _, a := range s.Actions {
			_, name, _ := strings.Cut(a, ":")
			read := strings.HasPrefix(name, "Describe") || strings.HasPrefix(name, "Get") || strings.HasPrefix(name, "List")
			switch {
			case strings.Contains(a, "*"):
				t.Errorf("%s: wildcard action %s", s.Sid, a)
			case slices.Contains(s.Resources, "*") && len(s.Conditions) == 0 && !read && !slices.Contains(unscopable, a):
				t.Errorf("%s: %s on * without a condition", s.Sid, a)
			}
		}
	}
	for _, sid := range []string{"ChangeOwnSecurityGroups", "ChangeOwnLoadBalancersAndTargetGroups"} {
		i := slices.IndexFunc(doc.Statements, func(s iampolicy.Statement) bool { return s.Sid == sid })
		if i < 0 || fmt.Sprint(doc.Statements[i].Conditions) != "map[Null:map[aws:ResourceTag/elbv2.k8s.aws/cluster:[false]]]" {
			t.Errorf("%s is not confined to what the controller created", sid)
		}
	}
}

func lbArgs() *edge.LoadBalancerArgs {
	return &edge.LoadBalancerArgs{
		Name: "frontend", Namespace: "apps", Service: "frontend", ServicePort: 8080, BackendPort: 8080,
		Host: "app.example.com", CertificateArn: pulumi.String("arn:aws:acm:eu-west-1:123456789012:certificate/x"),
		VpcID: pulumi.String("vpc-1"), VpcCidr: "10.0.0.0/16", NodeSecurityGroupID: pulumi.String("sg-nodes"),
		PublicSubnetIDs: []pulumi.StringInput{pulumi.String("subnet-a"), pulumi.String("subnet-b")},
		AllowedCidrs:    []string{"0.0.0.0/0"}, LogBucket: pulumi.String("logs"), LogPrefix: "alb", DeletionProtection: true,
	}
}

// TestIngressAsksForTLS13RedirectAndHygiene pins the Ingress the controller realises.
func TestIngressAsksForTLS13RedirectAndHygiene(t *testing.T) {
	ing := edge.Ingress(lbArgs())
	b, _ := json.Marshal(ing.Annotations)
	want := `{"alb.ingress.kubernetes.io/healthcheck-path":"/","alb.ingress.kubernetes.io/listen-ports":"[{\"HTTP\":80},{\"HTTPS\":443}]",` +
		`"alb.ingress.kubernetes.io/manage-backend-security-group-rules":"false","alb.ingress.kubernetes.io/scheme":"internet-facing",` +
		`"alb.ingress.kubernetes.io/ssl-policy":"ELBSecurityPolicy-TLS13-1-2-2021-06","alb.ingress.kubernetes.io/ssl-redirect":"443",` +
		`"alb.ingress.kubernetes.io/target-type":"ip"}`
	if string(b) != want {
		t.Errorf("annotations\n got  %s\n want %s", b, want)
	}
	if got := lbArgs().Attributes("logs"); got != "routing.http.drop_invalid_header_fields.enabled=true,routing.http.desync_mitigation_mode=strictest,"+
		"access_logs.s3.enabled=true,access_logs.s3.bucket=logs,access_logs.s3.prefix=alb,deletion_protection.enabled=true" {
		t.Errorf("attributes %s", got)
	}
	if *ing.Spec.IngressClassName != "alb" || ing.Spec.Rules[0].Host != "app.example.com" {
		t.Errorf("class %s host %s", *ing.Spec.IngressClassName, ing.Spec.Rules[0].Host)
	}
}

func TestEdgeArgsReportEveryProblemAndRegisterNothing(t *testing.T) {
	a := lbArgs()
	a.SSLPolicy, a.DesyncMode, a.AllowedCidrs, a.PublicSubnetIDs = "ELBSecurityPolicy-2016-08", "monitor", nil, a.PublicSubnetIDs[:1]
	g, err := recorder.Record(recorder.Options{Stack: "dev", Program: func(ctx *pulumi.Context) error {
		_, certErr := edge.NewCertificate(ctx, "c", &edge.CertificateArgs{Domain: "app.example.com"})
		_, lbErr := edge.NewLoadBalancer(ctx, "lb", a)
		return fmt.Errorf("%v\n%v", certErr, lbErr)
	}})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		"hostedZoneId or certificateArn: one is required",
		`sslPolicy: "ELBSecurityPolicy-2016-08" is not allowed`,
		`desyncMode: "monitor" is not allowed`,
		"publicSubnetIds: 1 given; an ALB needs subnets in at least two zones",
		"allowedCidrs: at least one",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if g.Len() != 1 {
		t.Errorf("%d resources registered, want only the stack", g.Len())
	}
}

// TestWebACLRunsTheManagedRuleGroupsAndIsAttached: with WAF on, a regional web ACL with the common
// and known-bad-inputs rule groups (registered in the AWS provider's schema shape), and the
// Ingress names its ARN.
func TestWebACLRunsTheManagedRuleGroupsAndIsAttached(t *testing.T) {
	a := lbArgs()
	a.WAF = true
	g, err := recorder.Record(recorder.Options{Stack: "dev", Program: func(ctx *pulumi.Context) error {
		_, err := edge.NewLoadBalancer(ctx, "lb", a)
		return err
	}})
	if err != nil {
		t.Fatal(err)
	}
	acl, err := g.Named(edge.WebACLType, "lb")
	if err != nil {
		t.Fatal(err)
	}
	scope, _ := acl.String("scope")
	first, _ := acl.String("rules[0].statement.managedRuleGroupStatement.name")
	second, _ := acl.String("rules[1].statement.managedRuleGroupStatement.name")
	action, _ := acl.Get("rules[0].overrideAction.none")
	if scope != "REGIONAL" || first != "AWSManagedRulesCommonRuleSet" || second != "AWSManagedRulesKnownBadInputsRuleSet" || !action.IsMap() {
		t.Errorf("web ACL %s, rules %s, %s, override %v", scope, first, second, action)
	}
	ing, err := g.Named("kubernetes:networking.k8s.io/v1:Ingress", "lb")
	if err != nil {
		t.Fatal(err)
	}
	arn, _ := ing.String(`metadata.annotations["alb.ingress.kubernetes.io/wafv2-acl-arn"]`)
	if want, _ := acl.Outputs.GetOk("arn"); arn == "" || arn != want.AsString() {
		t.Errorf("the Ingress names web ACL %q", arn)
	}
}

// TestNodesAdmitTheALBOnThePodsPortOnly: the one rule that lets the ALB reach its pods is on the
// nodes' group, from the ALB's group, on the backend port; the controller manages no backend group.
func TestNodesAdmitTheALBOnThePodsPortOnly(t *testing.T) {
	g, err := recorder.Record(recorder.Options{Stack: "dev", Program: func(ctx *pulumi.Context) error {
		_, err := edge.NewLoadBalancer(ctx, "lb", lbArgs())
		return err
	}})
	if err != nil {
		t.Fatal(err)
	}
	rule, err := g.Named("aws:ec2/securityGroupRule:SecurityGroupRule", "lb-to-pods")
	if err != nil {
		t.Fatal(err)
	}
	sg, err := g.Named("aws:ec2/securityGroup:SecurityGroup", "lb")
	if err != nil {
		t.Fatal(err)
	}
	typ, _ := rule.String("type")
	target, _ := rule.String("securityGroupId")
	source, _ := rule.String("sourceSecurityGroupId")
	from, _ := rule.Int("fromPort")
	to, _ := rule.Int("toPort")
	if typ != "ingress" || target != "sg-nodes" || source != sg.ID || from != 8080 || to != 8080 {
		t.Errorf("rule %s on %s from %s ports %d-%d", typ, target, source, from, to)
	}
}
