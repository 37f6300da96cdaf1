package edge

import (
	"errors"
	"fmt"
	"strings"

	helmv3 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/helm/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/securestack/platform/components/identity"
)

// ControllerTypeToken is the Pulumi type of the LoadBalancerController component. Never change it.
const ControllerTypeToken = "platform:edge:LoadBalancerController"

// The controller's chart, pinned: a new version is a reviewed change (its IAM policy may need new
// actions).
const (
	ControllerChart        = "aws-load-balancer-controller"
	ControllerChartVersion = "1.13.4" // controller v2.13.4
	ControllerChartRepo    = "https://aws.github.io/eks-charts"
)

// LoadBalancerControllerArgs configure the controller; every field is required.
type LoadBalancerControllerArgs struct {
	// Partition, Region and AccountID scope its IAM policy.
	Partition, Region, AccountID string
	// ClusterName, Region and VpcID are passed explicitly: with the nodes' IMDS hop limit of 1 the
	// controller cannot discover them from instance metadata.
	ClusterName string
	// VpcID is the cluster's VPC (see ClusterName).
	VpcID pulumi.StringInput
	// OIDCProviderArn and OIDCIssuer are the cluster's IRSA provider.
	OIDCProviderArn, OIDCIssuer pulumi.StringInput
	// DefaultSSLPolicy is the controller's default for HTTPS listeners (an Ingress says its own);
	// required, and a TLS 1.3 policy (DefaultSSLPolicy is the usual one), so that a listener
	// whose Ingress forgets to name one still refuses old protocols.
	DefaultSSLPolicy string
	// Tags are added to the controller's IAM role; nil adds none.
	Tags map[string]string
}

// LoadBalancerController is the AWS Load Balancer Controller.
type LoadBalancerController struct {
	pulumi.ResourceState
	// RoleArn is its IRSA role.
	RoleArn pulumi.StringOutput
	// Release is its Helm release: what an Ingress of class alb depends on.
	Release *helmv3.Release
}

// Validate reports every problem at once.
func (a *LoadBalancerControllerArgs) Validate() error {
	var errs []error
	if a.Partition == "" || a.Region == "" || len(a.AccountID) != 12 {
		errs = append(errs, fmt.Errorf("partition, region and accountId: required (got %q, %q, %q)", a.Partition, a.Region, a.AccountID))
	}
	if a.ClusterName == "" || a.VpcID == nil {
		errs = append(errs, errors.New("clusterName and vpcId: required (the controller cannot discover them with IMDS hop limit 1)"))
	}
	if a.OIDCProviderArn == nil || a.OIDCIssuer == nil {
		errs = append(errs, errors.New("oidcProviderArn and oidcIssuer: required (the controller runs on its own IRSA role)"))
	}
	if !strings.HasPrefix(a.DefaultSSLPolicy, "ELBSecurityPolicy-TLS13-") {
		errs = append(errs, fmt.Errorf("defaultSslPolicy: %q is not a TLS 1.3 policy (allowed: %v)", a.DefaultSSLPolicy, SSLPolicies))
	}
	return errors.Join(errs...)
}

// NewLoadBalancerController installs the controller on its own role. The Kubernetes provider
// comes in through opts (and the AWS one for the role).
func NewLoadBalancerController(ctx *pulumi.Context, name string, args *LoadBalancerControllerArgs, opts ...pulumi.ResourceOption) (*LoadBalancerController, error) {
	if args == nil {
		args = &LoadBalancerControllerArgs{}
	}
	if err := args.Validate(); err != nil {
		return nil, fmt.Errorf("edge.NewLoadBalancerController %q: %w", name, err)
	}
	c := &LoadBalancerController{}
	if err := ctx.RegisterComponentResource(ControllerTypeToken, name, c, opts...); err != nil {
		return nil, err
	}
	policy, err := ControllerPolicy(args.Partition, args.Region, args.AccountID).JSON()
	if err != nil {
		return nil, err
	}
	role, err := identity.NewServiceRole(ctx, name, &identity.ServiceRoleArgs{
		OIDCProviderArn: args.OIDCProviderArn,
		OIDCIssuer:      args.OIDCIssuer,
		Namespace:       ControllerNamespace,
		ServiceAccount:  ControllerServiceAccount,
		Policy:          pulumi.String(policy),
		Tags:            args.Tags,
	}, pulumi.Parent(c))
	if err != nil {
		return nil, err
	}
	c.RoleArn = role.Arn
	if c.Release, err = helmv3.NewRelease(ctx, name, &helmv3.ReleaseArgs{
		Name:           pulumi.String(ControllerChart),
		Chart:          pulumi.String(ControllerChart),
		Version:        pulumi.String(ControllerChartVersion),
		RepositoryOpts: &helmv3.RepositoryOptsArgs{Repo: pulumi.String(ControllerChartRepo)},
		Namespace:      pulumi.String(ControllerNamespace),
		Atomic:         pulumi.Bool(true),
		Values: pulumi.Map{
			"clusterName":  pulumi.String(args.ClusterName),
			"region":       pulumi.String(args.Region),
			"vpcId":        args.VpcID,
			"replicaCount": pulumi.Int(2),
			"serviceAccount": pulumi.Map{
				"create":      pulumi.Bool(true),
				"name":        pulumi.String(ControllerServiceAccount),
				"annotations": pulumi.Map{"eks.amazonaws.com/role-arn": role.Arn},
			},
			"defaultSSLPolicy": pulumi.String(args.DefaultSSLPolicy),
			// Only Services that ask for it get a load balancer from this controller.
			"enableServiceMutatorWebhook": pulumi.Bool(false),
			"podDisruptionBudget":         pulumi.Map{"maxUnavailable": pulumi.Int(1)},
		},
	}, pulumi.Parent(c), pulumi.DependsOn(role.Resources)); err != nil {
		return nil, err
	}
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{"roleArn": role.Arn})
}
