package account

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ebs"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// TypeToken is the Pulumi type of the Guardrails component. It is in users' state: never change it.
const TypeToken = "platform:account:Guardrails"

// GuardrailsArgs chooses which singletons this stack manages.
type GuardrailsArgs struct {
	// EBSDefaultKeyArn, when set, turns on EBS encryption by default in the region with this key
	// as the default EBS key. Nil leaves both to the organisation.
	EBSDefaultKeyArn pulumi.StringInput
	// LeaveS3PublicAccessBlockToOrganisation skips the account-level S3 public access block.
	LeaveS3PublicAccessBlockToOrganisation bool
}

// Guardrails are the account-wide settings this stack manages.
type Guardrails struct {
	pulumi.ResourceState
}

// NewGuardrails registers the managed singletons.
func NewGuardrails(ctx *pulumi.Context, name string, args *GuardrailsArgs, opts ...pulumi.ResourceOption) (*Guardrails, error) {
	if args == nil {
		args = &GuardrailsArgs{}
	}
	g := &Guardrails{}
	if err := ctx.RegisterComponentResource(TypeToken, name, g, opts...); err != nil {
		return nil, err
	}
	keep := []pulumi.ResourceOption{pulumi.Parent(g), pulumi.RetainOnDelete(true)}
	if args.EBSDefaultKeyArn != nil {
		if _, err := ebs.NewEncryptionByDefault(ctx, name+"-ebs-encryption", &ebs.EncryptionByDefaultArgs{
			Enabled: pulumi.Bool(true),
		}, keep...); err != nil {
			return nil, err
		}
		if _, err := ebs.NewDefaultKmsKey(ctx, name+"-ebs-default-key", &ebs.DefaultKmsKeyArgs{
			KeyArn: args.EBSDefaultKeyArn,
		}, keep...); err != nil {
			return nil, err
		}
	}
	if !args.LeaveS3PublicAccessBlockToOrganisation {
		if _, err := s3.NewAccountPublicAccessBlock(ctx, name+"-s3-public-access", &s3.AccountPublicAccessBlockArgs{
			BlockPublicAcls:       pulumi.Bool(true),
			BlockPublicPolicy:     pulumi.Bool(true),
			IgnorePublicAcls:      pulumi.Bool(true),
			RestrictPublicBuckets: pulumi.Bool(true),
		}, keep...); err != nil {
			return nil, err
		}
	}
	return g, ctx.RegisterResourceOutputs(g, pulumi.Map{})
}
