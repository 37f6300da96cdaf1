package account

import (
	"fmt"
	"regexp"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ebs"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecr"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/securestack/platform/components/registry"
)

// TypeToken is the Pulumi type of the Guardrails component. It is in users' state: never change it.
const TypeToken = "platform:account:Guardrails"

// BaselineOutput is the stack output in which the owner of an account baseline says which account
// and region it owns; every other stack of that account reads it through a StackReference.
const BaselineOutput = "accountBaseline"

// Baseline is what BaselineOutput holds.
type Baseline struct {
	// AccountID is the 12-digit account whose baseline the owner manages.
	AccountID string `json:"accountId"`
	// Region is the region of that baseline (EBS encryption by default is per region).
	Region string `json:"region"`
}

// GuardrailsArgs chooses what this stack does about the account baseline: the singletons that
// exist once per account and region (EBS encryption by default and its key, the S3 account public
// access block). Exactly one stack per account and region owns them; the others reference it.
type GuardrailsArgs struct {
	// OwnerStack, when set ("<organization>/<project>/<stack>"), says another stack owns the
	// baseline: this stack manages none of it, and reads the owner's BaselineOutput through a
	// StackReference, failing the deployment unless the owner says it owns this Account's baseline.
	// "" (the default) makes this stack the owner, managing the settings below: two owners of one
	// account would fight over the same singletons, so a non-owner must name the one that is.
	OwnerStack string
	// Account is this stack's account and region; required with OwnerStack (the owner's output is
	// checked against it), ignored without.
	Account Baseline
	// EBSDefaultKeyArn, when set (and OwnerStack is not), turns on EBS encryption by default in the
	// region with this key as the default EBS key. Nil (the default) leaves both to the
	// organisation, because the setting must name a key the caller owns; the matching control is
	// then waived with the reason saying where it is enforced.
	EBSDefaultKeyArn pulumi.StringInput
	// LeaveS3PublicAccessBlockToOrganisation skips the account-level S3 public access block. False
	// (the default) blocks all four kinds of public access for the whole account, the safe end
	// state; set it only where an organisation policy already enforces the block (and waive the
	// control with that reason).
	LeaveS3PublicAccessBlockToOrganisation bool
	// GitHubOIDCProvider creates the account's GitHub Actions OIDC provider, which the services'
	// push roles trust. IAM allows one provider per URL in an account, so false (the default)
	// means it exists already and is adopted (referenced by its derived ARN,
	// registry.GitHubProviderArn): creating a second would fail.
	GitHubOIDCProvider bool
	// EnhancedScanning turns on the registry's enhanced scanning (Amazon Inspector): every
	// repository's images are scanned on push and continuously as new vulnerabilities are
	// published. False (the default) leaves the registry's basic scanning, with each repository's
	// scan on push still on; Inspector is billed per image, so prod turns it on by config.
	EnhancedScanning bool
}

var ownerPattern = regexp.MustCompile(`^[^/]+/[^/]+/[^/]+$`)

// Guardrails are the account-wide settings this stack manages, or its reference to their owner.
type Guardrails struct {
	pulumi.ResourceState

	// Owner is the owner's BaselineOutput as it checked it (OwnerStack only).
	Owner pulumi.AnyOutput
	// GitHubProvider is the account's GitHub OIDC provider (GitHubOIDCProvider only).
	GitHubProvider *iam.OpenIdConnectProvider
}

// NewGuardrails registers the managed singletons, or the reference to their owner.
//
// Deleting an owner's stack must never leave the account's default EBS key pointing at a key
// scheduled for deletion (every later default-encrypted volume would fail to create): the default
// key setting is not retained, so `pulumi destroy` resets it to the AWS-managed key before the
// stack's key is deleted (it depends on the key). Encryption by default and the S3 block are
// retained: leaving them on is the safe end state.
func NewGuardrails(ctx *pulumi.Context, name string, args *GuardrailsArgs, opts ...pulumi.ResourceOption) (*Guardrails, error) {
	if args == nil {
		args = &GuardrailsArgs{}
	}
	if args.OwnerStack != "" && !ownerPattern.MatchString(args.OwnerStack) {
		return nil, fmt.Errorf("account.NewGuardrails %q: ownerStack: %q is not <organization>/<project>/<stack>", name, args.OwnerStack)
	}
	if args.OwnerStack != "" && (args.Account.AccountID == "" || args.Account.Region == "") {
		return nil, fmt.Errorf("account.NewGuardrails %q: account: id and region are required with ownerStack", name)
	}
	g := &Guardrails{}
	if err := ctx.RegisterComponentResource(TypeToken, name, g, opts...); err != nil {
		return nil, err
	}
	if args.OwnerStack != "" {
		return g, g.reference(ctx, name, args)
	}
	retain := []pulumi.ResourceOption{pulumi.Parent(g), pulumi.RetainOnDelete(true)}
	if args.EBSDefaultKeyArn != nil {
		if _, err := ebs.NewEncryptionByDefault(ctx, name+"-ebs-encryption", &ebs.EncryptionByDefaultArgs{
			Enabled: pulumi.Bool(true),
		}, retain...); err != nil {
			return nil, err
		}
		// Not retained: deleting it resets the default key to aws/ebs (see above).
		if _, err := ebs.NewDefaultKmsKey(ctx, name+"-ebs-default-key", &ebs.DefaultKmsKeyArgs{
			KeyArn: args.EBSDefaultKeyArn,
		}, pulumi.Parent(g)); err != nil {
			return nil, err
		}
	}
	if !args.LeaveS3PublicAccessBlockToOrganisation {
		if _, err := s3.NewAccountPublicAccessBlock(ctx, name+"-s3-public-access", &s3.AccountPublicAccessBlockArgs{
			BlockPublicAcls:       pulumi.Bool(true),
			BlockPublicPolicy:     pulumi.Bool(true),
			IgnorePublicAcls:      pulumi.Bool(true),
			RestrictPublicBuckets: pulumi.Bool(true),
		}, retain...); err != nil {
			return nil, err
		}
	}
	if args.GitHubOIDCProvider {
		// No thumbprint: IAM trusts GitHub's certificate through its own library of root CAs.
		var err error
		if g.GitHubProvider, err = iam.NewOpenIdConnectProvider(ctx, name+"-github", &iam.OpenIdConnectProviderArgs{
			Url:           pulumi.String(registry.GitHubURL),
			ClientIdLists: pulumi.StringArray{pulumi.String(registry.GitHubAudience)},
		}, retain...); err != nil {
			return nil, err
		}
	}
	if args.EnhancedScanning {
		// Not retained: deleting it returns the registry to basic scanning, where each
		// repository's scan on push still holds.
		if _, err := ecr.NewRegistryScanningConfiguration(ctx, name+"-registry-scanning", &ecr.RegistryScanningConfigurationArgs{
			ScanType: pulumi.String("ENHANCED"),
			Rules: ecr.RegistryScanningConfigurationRuleArray{&ecr.RegistryScanningConfigurationRuleArgs{
				ScanFrequency: pulumi.String("CONTINUOUS_SCAN"),
				RepositoryFilters: ecr.RegistryScanningConfigurationRuleRepositoryFilterArray{&ecr.RegistryScanningConfigurationRuleRepositoryFilterArgs{
					Filter: pulumi.String("*"), FilterType: pulumi.String("WILDCARD"),
				}},
			}},
		}, pulumi.Parent(g)); err != nil {
			return nil, err
		}
	}
	return g, ctx.RegisterResourceOutputs(g, pulumi.Map{})
}

// reference reads the owner's BaselineOutput and fails unless it owns this account and region.
func (g *Guardrails) reference(ctx *pulumi.Context, name string, args *GuardrailsArgs) error {
	ref, err := pulumi.NewStackReference(ctx, name+"-baseline-owner", &pulumi.StackReferenceArgs{
		Name: pulumi.String(args.OwnerStack),
	}, pulumi.Parent(g))
	if err != nil {
		return err
	}
	want := args.Account
	g.Owner = ref.GetOutput(pulumi.String(BaselineOutput)).ApplyT(func(v any) (any, error) {
		got, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("account: stack %s has no %s output: it does not own an account baseline (deploy it first, or make this stack the owner)", args.OwnerStack, BaselineOutput)
		}
		if got["accountId"] != want.AccountID || got["region"] != want.Region {
			return nil, fmt.Errorf("account: stack %s owns the baseline of account %v in %v, not of this stack's account %s in %s: name the owner of this account and region",
				args.OwnerStack, got["accountId"], got["region"], want.AccountID, want.Region)
		}
		return got, nil
	}).(pulumi.AnyOutput)
	return ctx.RegisterResourceOutputs(g, pulumi.Map{"owner": g.Owner})
}
