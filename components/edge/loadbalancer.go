package edge

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/securestack/platform/components/kube"
	"github.com/securestack/platform/components/lib/eksspec"
)

// LoadBalancerTypeToken is the Pulumi type of the LoadBalancer component. Never change it.
const LoadBalancerTypeToken = "platform:edge:LoadBalancer"

// SSLPolicies, DefaultSSLPolicy and DesyncModes are eksspec's, where the controls read them too.
var (
	SSLPolicies = eksspec.SSLPolicies
	DesyncModes = eksspec.DesyncModes
)

// DefaultSSLPolicy is the policy of HTTPS listeners when none is given.
const DefaultSSLPolicy = eksspec.DefaultSSLPolicy

// The AWS Load Balancer Controller's Ingress annotations this component sets.
const (
	AnnotationPrefix = "alb.ingress.kubernetes.io/"
	annScheme        = AnnotationPrefix + "scheme"
	annTargetType    = AnnotationPrefix + "target-type"
	annSubnets       = AnnotationPrefix + "subnets"
	annCertificate   = AnnotationPrefix + "certificate-arn"
	annSSLPolicy     = AnnotationPrefix + "ssl-policy"
	annListenPorts   = AnnotationPrefix + "listen-ports"
	annSSLRedirect   = AnnotationPrefix + "ssl-redirect"
	annSecurityGroup = AnnotationPrefix + "security-groups"
	annBackendRules  = AnnotationPrefix + "manage-backend-security-group-rules"
	annAttributes    = AnnotationPrefix + "load-balancer-attributes"
	annWAF           = AnnotationPrefix + "wafv2-acl-arn"
	annHealthPath    = AnnotationPrefix + "healthcheck-path"
	// IngressClass is the class the controller serves.
	IngressClass = "alb"
)

// LoadBalancerGroupTag marks the ALB's security group: the one group the network controls allow
// to admit the internet (on 80 and 443 only).
const LoadBalancerGroupTag = eksspec.LoadBalancerGroupTag

// LoadBalancerArgs describe the internet-facing ALB of one Service.
type LoadBalancerArgs struct {
	// Name and Namespace of the Ingress; Service and ServicePort its backend. All required.
	Name, Namespace, Service string
	// ServicePort is the Service's port number the Ingress routes to; required.
	ServicePort int32
	// BackendPort is the pods' port the ALB connects to (target type ip): its security group
	// reaches the VPC on that port only, and the nodes' group admits it on that port only.
	BackendPort int32
	// NodeSecurityGroupID is the group of the nodes the pods run on (the VPC CNI gives pods their
	// node's group): it gets the one rule that admits the ALB. The controller's own backend
	// group management stays off: it would attach a second, egress-open group to the ALB.
	NodeSecurityGroupID pulumi.StringInput
	// Host is the name clients use (the certificate's domain).
	Host string
	// CertificateArn is the validated certificate.
	CertificateArn pulumi.StringInput
	// SSLPolicy of the HTTPS listener, one of SSLPolicies; "" means DefaultSSLPolicy (TLS 1.3,
	// with TLS 1.2 for older clients, no weaker protocol): the strongest policy browsers in use
	// all negotiate.
	SSLPolicy string
	// VpcID, VpcCidr and PublicSubnetIDs place the ALB (internet-facing, in the public subnets);
	// all required.
	VpcID pulumi.StringInput
	// VpcCidr is the VPC's range: the ALB's security group reaches only it, on BackendPort.
	VpcCidr string
	// PublicSubnetIDs are the public subnets of at least two zones (an ALB needs two).
	PublicSubnetIDs []pulumi.StringInput
	// AllowedCidrs may connect on 443 (and 80, which only redirects). Required; 0.0.0.0/0 for a
	// public site.
	AllowedCidrs []string
	// LogBucket receives the access logs (SSE-S3, the regional log-delivery principal allowed, TLS
	// only), under LogPrefix; required: access logs are always on.
	LogBucket pulumi.StringInput
	// LogPrefix is the key prefix of the logs in LogBucket; "" (the default) writes at the root.
	// Without a leading or trailing "/", and without "AWSLogs", which ELB appends itself.
	LogPrefix string
	// DesyncMode is "defensive" or "strictest"; "" means strictest, which drops every request
	// that does not comply with RFC 7230 (the ALB fronts one service of ours, not legacy clients).
	DesyncMode string
	// DeletionProtection keeps the ALB from being deleted (prod). False (the default) lets a dev
	// stack be torn down; infra sets it per environment.
	DeletionProtection bool
	// WAF attaches a WAFv2 web ACL with the AWS managed common and known-bad-inputs rule sets.
	// False (the default) because a web ACL is billed per ACL and per request; prod turns it on.
	WAF bool
	// HealthPath is the target group's health check path; "" means "/".
	HealthPath string
	// After are what the Ingress waits for: the controller's release (its webhook must be up).
	// Nil waits for nothing, which is only right when the controller is already installed.
	After []pulumi.Resource
	// Tags are added to the security group and the web ACL; nil adds none.
	Tags map[string]string
}

// LoadBalancer is the ALB, declared as an Ingress the controller realises.
type LoadBalancer struct {
	pulumi.ResourceState
	// SecurityGroupID is the ALB's own security group, tagged LoadBalancerGroupTag.
	SecurityGroupID pulumi.IDOutput
	// WebACLArn is set when WAF is on.
	WebACLArn pulumi.StringOutput
}

func (a *LoadBalancerArgs) withDefaults() LoadBalancerArgs {
	out := *a
	if out.SSLPolicy == "" {
		out.SSLPolicy = DefaultSSLPolicy
	}
	if out.DesyncMode == "" {
		out.DesyncMode = "strictest"
	}
	if out.HealthPath == "" {
		out.HealthPath = "/"
	}
	return out
}

// Validate reports every problem at once.
func (a *LoadBalancerArgs) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if a.Name == "" || a.Namespace == "" || a.Service == "" {
		bad("name, namespace and service: required")
	}
	if a.ServicePort < 1 || a.ServicePort > 65535 || a.BackendPort < 1 || a.BackendPort > 65535 {
		bad("servicePort and backendPort: %d and %d are not ports", a.ServicePort, a.BackendPort)
	}
	if !domainPattern.MatchString(a.Host) {
		bad("host: %q is not a lowercase DNS name", a.Host)
	}
	if a.CertificateArn == nil || a.VpcID == nil || a.LogBucket == nil || a.NodeSecurityGroupID == nil {
		bad("certificateArn, vpcId, nodeSecurityGroupId and logBucket: required")
	}
	if a.SSLPolicy != "" && !slices.Contains(SSLPolicies, a.SSLPolicy) {
		bad("sslPolicy: %q is not allowed (allowed: %s)", a.SSLPolicy, strings.Join(SSLPolicies, ", "))
	}
	if a.DesyncMode != "" && !slices.Contains(DesyncModes, a.DesyncMode) {
		bad("desyncMode: %q is not allowed (allowed: %s)", a.DesyncMode, strings.Join(DesyncModes, ", "))
	}
	if p, err := netip.ParsePrefix(a.VpcCidr); err != nil || p.Masked() != p {
		bad("vpcCidr: %q is not a network address", a.VpcCidr)
	}
	if len(a.PublicSubnetIDs) < 2 {
		bad("publicSubnetIds: %d given; an ALB needs subnets in at least two zones", len(a.PublicSubnetIDs))
	}
	if len(a.AllowedCidrs) == 0 {
		bad("allowedCidrs: at least one (0.0.0.0/0 for a public site)")
	}
	for i, c := range a.AllowedCidrs {
		if p, err := netip.ParsePrefix(c); err != nil || p.Masked() != p || !p.Addr().Is4() {
			bad("allowedCidrs[%d]: %q is not an IPv4 network address", i, c)
		}
	}
	if strings.Trim(a.LogPrefix, "/") != a.LogPrefix || strings.Contains(a.LogPrefix, "AWSLogs") {
		bad("logPrefix: %q must not start or end with / nor contain AWSLogs", a.LogPrefix)
	}
	return errors.Join(errs...)
}

// Attributes are the load-balancer attributes the Ingress asks for.
func (a *LoadBalancerArgs) Attributes(bucket string) string {
	d := a.withDefaults()
	attrs := []string{
		"routing.http.drop_invalid_header_fields.enabled=true",
		"routing.http.desync_mitigation_mode=" + d.DesyncMode,
		"access_logs.s3.enabled=true",
		"access_logs.s3.bucket=" + bucket,
		"access_logs.s3.prefix=" + d.LogPrefix,
		fmt.Sprintf("deletion_protection.enabled=%t", d.DeletionProtection),
	}
	return strings.Join(attrs, ",")
}

// NewLoadBalancer creates the ALB's security group and, optionally, its web ACL (AWS provider),
// and the Ingress (Kubernetes provider): pass both providers in opts (pulumi.Providers).
func NewLoadBalancer(ctx *pulumi.Context, name string, args *LoadBalancerArgs, opts ...pulumi.ResourceOption) (*LoadBalancer, error) {
	if args == nil {
		args = &LoadBalancerArgs{}
	}
	if err := args.Validate(); err != nil {
		return nil, fmt.Errorf("edge.NewLoadBalancer %q: %w", name, err)
	}
	a := args.withDefaults()
	lb := &LoadBalancer{}
	if err := ctx.RegisterComponentResource(LoadBalancerTypeToken, name, lb, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(lb)
	var ingress ec2.SecurityGroupIngressArray
	for _, port := range []int{443, 80} {
		ingress = append(ingress, ec2.SecurityGroupIngressArgs{
			Description: pulumi.String(map[int]string{443: "HTTPS", 80: "HTTP, redirected to HTTPS"}[port]),
			Protocol:    pulumi.String("tcp"), FromPort: pulumi.Int(port), ToPort: pulumi.Int(port),
			CidrBlocks: pulumi.ToStringArray(a.AllowedCidrs),
		})
	}
	sg, err := ec2.NewSecurityGroup(ctx, name, &ec2.SecurityGroupArgs{
		Description: pulumi.Sprintf("ALB of %s/%s: HTTPS and the HTTP redirect in, the pods' port out", a.Namespace, a.Service),
		VpcId:       a.VpcID,
		Ingress:     ingress,
		Egress: ec2.SecurityGroupEgressArray{ec2.SecurityGroupEgressArgs{
			Description: pulumi.String("to the pods (target type ip)"),
			Protocol:    pulumi.String("tcp"), FromPort: pulumi.Int(int(a.BackendPort)), ToPort: pulumi.Int(int(a.BackendPort)),
			CidrBlocks: pulumi.StringArray{pulumi.String(a.VpcCidr)},
		}},
		Tags: pulumi.ToStringMap(withTag(a.Tags, LoadBalancerGroupTag, a.Namespace+"."+a.Service)),
	}, parent)
	if err != nil {
		return nil, err
	}
	lb.SecurityGroupID = sg.ID()
	if _, err := ec2.NewSecurityGroupRule(ctx, name+"-to-pods", &ec2.SecurityGroupRuleArgs{
		Type:                  pulumi.String("ingress"),
		SecurityGroupId:       a.NodeSecurityGroupID,
		SourceSecurityGroupId: sg.ID(),
		Description:           pulumi.Sprintf("ALB of %s/%s to its pods", a.Namespace, a.Service),
		Protocol:              pulumi.String("tcp"),
		FromPort:              pulumi.Int(int(a.BackendPort)),
		ToPort:                pulumi.Int(int(a.BackendPort)),
	}, parent); err != nil {
		return nil, err
	}
	late := kube.Annotations{
		annCertificate:   a.CertificateArn,
		annSecurityGroup: sg.ID().ToStringOutput(),
		annSubnets: pulumi.All(pulumiInputs(a.PublicSubnetIDs)...).ApplyT(func(ids []any) string {
			var out []string
			for _, id := range ids {
				out = append(out, fmt.Sprint(id))
			}
			return strings.Join(out, ",")
		}).(pulumi.StringOutput),
		annAttributes: a.LogBucket.ToStringOutput().ApplyT(func(bucket string) string { return a.Attributes(bucket) }).(pulumi.StringOutput),
	}
	if a.WAF {
		acl, err := newWebACL(ctx, name, a.Tags, parent)
		if err != nil {
			return nil, err
		}
		lb.WebACLArn = acl.Arn
		late[annWAF] = acl.Arn
	}
	if _, err := kube.Register(ctx, name, Ingress(&a), late, parent, pulumi.DependsOn(a.After)); err != nil {
		return nil, err
	}
	return lb, ctx.RegisterResourceOutputs(lb, pulumi.Map{"securityGroupId": sg.ID()})
}

func withTag(tags map[string]string, key, value string) map[string]string {
	out := map[string]string{key: value}
	for k, v := range tags {
		out[k] = v
	}
	return out
}

func pulumiInputs(in []pulumi.StringInput) []any {
	out := make([]any, len(in))
	for i, v := range in {
		out[i] = v
	}
	return out
}

// Ingress is the Ingress object, without the annotations known only at deploy time (certificate,
// security group, subnets, attributes, web ACL).
func Ingress(a *LoadBalancerArgs) *networkingv1.Ingress {
	d := a.withDefaults()
	listen, _ := json.Marshal([]map[string]int{{"HTTP": 80}, {"HTTPS": 443}})
	prefix := networkingv1.PathTypePrefix
	class := IngressClass
	return &networkingv1.Ingress{
		TypeMeta: metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "Ingress"},
		ObjectMeta: metav1.ObjectMeta{Name: d.Name, Namespace: d.Namespace, Annotations: map[string]string{
			annScheme:       "internet-facing",
			annTargetType:   "ip",
			annSSLPolicy:    d.SSLPolicy,
			annListenPorts:  string(listen),
			annSSLRedirect:  "443",
			annBackendRules: "false", // the node group's rule above admits the ALB
			annHealthPath:   d.HealthPath,
		}},
		Spec: networkingv1.IngressSpec{
			IngressClassName: &class,
			Rules: []networkingv1.IngressRule{{Host: d.Host, IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{
				Paths: []networkingv1.HTTPIngressPath{{Path: "/", PathType: &prefix, Backend: networkingv1.IngressBackend{
					Service: &networkingv1.IngressServiceBackend{Name: d.Service, Port: networkingv1.ServiceBackendPort{Number: d.ServicePort}},
				}}},
			}}}},
		},
	}
}

// WebACLType is the Pulumi type of a WAFv2 web ACL.
const WebACLType = "aws:wafv2/webAcl:WebAcl"

// webACL is a WAFv2 web ACL. It is registered by its type token with plain inputs in the
// provider's schema shape rather than through the SDK's wafv2 package, whose size alone (its
// compile needs 6 GB and minutes) is out of proportion to the one resource used here.
type webACL struct {
	pulumi.CustomResourceState
	Arn pulumi.StringOutput `pulumi:"arn"`
}

// ManagedRuleGroups are the AWS managed rule groups of the web ACL, in priority order.
var ManagedRuleGroups = []string{"AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"}

// newWebACL is a regional web ACL with the AWS managed common and known-bad-inputs rule sets.
func newWebACL(ctx *pulumi.Context, name string, tags map[string]string, opts ...pulumi.ResourceOption) (*webACL, error) {
	visibility := func(metric string) pulumi.Map {
		return pulumi.Map{"cloudwatchMetricsEnabled": pulumi.Bool(true), "metricName": pulumi.String(metric), "sampledRequestsEnabled": pulumi.Bool(true)}
	}
	var rules pulumi.Array
	for i, set := range ManagedRuleGroups {
		rules = append(rules, pulumi.Map{
			"name":           pulumi.String(set),
			"priority":       pulumi.Int(i + 1),
			"overrideAction": pulumi.Map{"none": pulumi.Map{}},
			"statement": pulumi.Map{"managedRuleGroupStatement": pulumi.Map{
				"name": pulumi.String(set), "vendorName": pulumi.String("AWS"),
			}},
			"visibilityConfig": visibility(set),
		})
	}
	var acl webACL
	err := ctx.RegisterResource(WebACLType, name, pulumi.Map{
		"scope":            pulumi.String("REGIONAL"),
		"defaultAction":    pulumi.Map{"allow": pulumi.Map{}},
		"rules":            rules,
		"visibilityConfig": visibility(name),
		"tags":             pulumi.ToStringMap(tags),
	}, &acl, opts...)
	if err != nil {
		return nil, err
	}
	return &acl, nil
}
