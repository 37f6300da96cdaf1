package identity

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/securestack/platform/components/lib/iampolicy"
)

// TypeToken is the Pulumi type of the ServiceRole component. It is in users' state: never change it.
const TypeToken = "platform:identity:ServiceRole"

// ServiceRoleArgs configures a ServiceRole; every field but Tags is required: an IRSA role has no
// safe default trust or permission.
type ServiceRoleArgs struct {
	// OIDCProviderArn and OIDCIssuer (with or without https://) identify the cluster's provider.
	OIDCProviderArn, OIDCIssuer pulumi.StringInput
	// Namespace and ServiceAccount name the only identity that may assume the role.
	Namespace, ServiceAccount string
	// Policy is the role's permission policy, built with package iampolicy. There is no default
	// policy: what a service may do is the caller's decision, written down exactly.
	Policy pulumi.StringInput
	// Tags are added to the role; nil adds none. The only optional field.
	Tags map[string]string
}

// ServiceRole is an IRSA role.
type ServiceRole struct {
	pulumi.ResourceState
	// Arn is the role's ARN: the ServiceAccount's eks.amazonaws.com/role-arn annotation.
	Arn pulumi.StringOutput
	// Resources are the role and its policy: what a user of the role waits for. (A dependency on
	// the component itself means whichever children are registered when it is resolved.)
	Resources []pulumi.Resource
}

var dnsLabel = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

// Validate reports every problem at once.
func (a *ServiceRoleArgs) Validate() error {
	var errs []error
	if a.OIDCProviderArn == nil || a.OIDCIssuer == nil {
		errs = append(errs, errors.New("oidcProviderArn and oidcIssuer: required"))
	}
	if !dnsLabel.MatchString(a.Namespace) {
		errs = append(errs, fmt.Errorf("namespace: %q is not a DNS-1123 label", a.Namespace))
	}
	if !dnsLabel.MatchString(a.ServiceAccount) {
		errs = append(errs, fmt.Errorf("serviceAccount: %q is not a DNS-1123 label", a.ServiceAccount))
	}
	if a.Policy == nil {
		errs = append(errs, errors.New("policy: required (a role with no permissions has no purpose)"))
	}
	return errors.Join(errs...)
}

// NewServiceRole creates the role and its inline policy.
func NewServiceRole(ctx *pulumi.Context, name string, args *ServiceRoleArgs, opts ...pulumi.ResourceOption) (*ServiceRole, error) {
	if args == nil {
		args = &ServiceRoleArgs{}
	}
	if err := args.Validate(); err != nil {
		return nil, fmt.Errorf("identity.NewServiceRole %q: %w", name, err)
	}
	r := &ServiceRole{}
	if err := ctx.RegisterComponentResource(TypeToken, name, r, opts...); err != nil {
		return nil, err
	}
	trust := pulumi.All(args.OIDCProviderArn, args.OIDCIssuer).ApplyT(func(v []any) (string, error) {
		return iampolicy.WebIdentityTrust(v[0].(string), strings.TrimPrefix(v[1].(string), "https://"), args.Namespace, args.ServiceAccount).JSON()
	}).(pulumi.StringOutput)
	role, err := iam.NewRole(ctx, name, &iam.RoleArgs{
		Description:      pulumi.Sprintf("IRSA role of %s/%s", args.Namespace, args.ServiceAccount),
		AssumeRolePolicy: trust,
		Tags:             pulumi.ToStringMap(args.Tags),
	}, pulumi.Parent(r))
	if err != nil {
		return nil, err
	}
	policy, err := iam.NewRolePolicy(ctx, name, &iam.RolePolicyArgs{Role: role.ID(), Policy: args.Policy}, pulumi.Parent(r))
	if err != nil {
		return nil, err
	}
	r.Arn, r.Resources = role.Arn, []pulumi.Resource{role, policy}
	return r, ctx.RegisterResourceOutputs(r, pulumi.Map{"arn": role.Arn})
}
