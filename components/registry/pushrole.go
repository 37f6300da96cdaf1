package registry

import (
	"errors"
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// PushRoleArgs configures a PushRole; every field but Tags is required.
type PushRoleArgs struct {
	// ProviderArn is the account's GitHub OIDC provider (GitHubProviderArn).
	ProviderArn pulumi.StringInput
	// Source is the one repository and branch or environment whose workflow runs may assume it.
	Source Source
	// RepositoryArn is the one repository the role may push to.
	RepositoryArn pulumi.StringInput
	// Tags are added to the role; nil adds none.
	Tags map[string]string
}

// PushRole is the role the image workflow assumes to push one service's images.
type PushRole struct {
	pulumi.ResourceState

	// Arn is the role's ARN: the role-to-assume of the image workflow, and the repository's
	// PusherRoleArn.
	Arn pulumi.StringOutput
}

// Validate reports every problem at once.
func (a *PushRoleArgs) Validate() error {
	var errs []error
	if a.ProviderArn == nil {
		errs = append(errs, errors.New("providerArn: required (the account's GitHub OIDC provider)"))
	}
	if a.RepositoryArn == nil {
		errs = append(errs, errors.New("repositoryArn: required (the one repository it may push to)"))
	}
	for _, p := range a.Source.Validate("source") {
		errs = append(errs, errors.New(p))
	}
	return errors.Join(errs...)
}

// NewPushRole creates the role, trusted only by the source's workflow runs, with its one policy.
func NewPushRole(ctx *pulumi.Context, name string, args *PushRoleArgs, opts ...pulumi.ResourceOption) (*PushRole, error) {
	if args == nil {
		args = &PushRoleArgs{}
	}
	if err := args.Validate(); err != nil {
		return nil, fmt.Errorf("registry.NewPushRole %q: %w", name, err)
	}
	r := &PushRole{}
	if err := ctx.RegisterComponentResource(PushRoleTypeToken, name, r, opts...); err != nil {
		return nil, err
	}
	source := args.Source
	trust := args.ProviderArn.ToStringOutput().ApplyT(func(arn string) (string, error) {
		return PushTrust(arn, source).JSON()
	}).(pulumi.StringOutput)
	role, err := iam.NewRole(ctx, name, &iam.RoleArgs{
		Description:        pulumi.String("Pushes images from " + source.Subject()),
		AssumeRolePolicy:   trust,
		MaxSessionDuration: pulumi.Int(3600),
		Tags:               pulumi.ToStringMap(args.Tags),
	}, pulumi.Parent(r))
	if err != nil {
		return nil, err
	}
	policy := args.RepositoryArn.ToStringOutput().ApplyT(func(arn string) (string, error) {
		return PushPolicy(arn).JSON()
	}).(pulumi.StringOutput)
	if _, err := iam.NewRolePolicy(ctx, name, &iam.RolePolicyArgs{Role: role.ID(), Policy: policy}, pulumi.Parent(r)); err != nil {
		return nil, err
	}
	r.Arn = role.Arn
	return r, ctx.RegisterResourceOutputs(r, pulumi.Map{"arn": role.Arn})
}
