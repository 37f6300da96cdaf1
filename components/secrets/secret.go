package secrets

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/secretsmanager"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/securestack/platform/components/lib/iampolicy"
)

// TypeToken is the Pulumi type of the Secret component. It is in users' state: never change it.
const TypeToken = "platform:secrets:Secret"

// Recovery windows Secrets Manager accepts, in days (0, a force delete, is never used).
const (
	MinRecoveryWindowDays     = 7
	DefaultRecoveryWindowDays = 30
)

// The actions of the resource policy.
const (
	GetSecretValue = "secretsmanager:GetSecretValue"
	DescribeSecret = "secretsmanager:DescribeSecret"
)

// The condition that exempts the readers from the deny.
const (
	PrincipalArnOperator = "StringNotEquals"
	PrincipalArnKey      = "aws:PrincipalArn"
)

// SecretArgs configures a Secret. The zero value of each optional field is the secure default.
type SecretArgs struct {
	// SecretName is the secret's name in Secrets Manager, 1 to 512 characters of
	// A-Z a-z 0-9 / _ + = . @ -; required, e.g. "prod/uploader/db".
	SecretName string
	// Description is shown in the console; "" shows none.
	Description string
	// KmsKeyArn is the customer-managed key (the keyring's data key) that encrypts the value; required.
	KmsKeyArn pulumi.StringInput
	// RecoveryWindowDays a deleted secret stays recoverable: 7 to 30; 0 means 30 (the longest
	// Secrets Manager allows, the most time to undo a mistaken deletion), unless
	// DeleteWithoutRecovery.
	RecoveryWindowDays int
	// DeleteWithoutRecovery deletes the secret at once, with no recovery window, so that a torn
	// down stack can be re-created with the same fixed name at once (dev). RecoveryWindowDays must
	// then be 0. False (the default) keeps the recovery window.
	DeleteWithoutRecovery bool
	// ReaderRoleArns are the IAM roles (the workloads' IRSA roles) of AccountID that may read the
	// value; nobody else may. Empty (the default) means nobody may read it yet: a secret is closed
	// until its readers are named.
	ReaderRoleArns []pulumi.StringInput
	// AccountID is the 12-digit account the secret and its readers are in; required.
	AccountID string
	// Protect and RetainOnDelete keep the secret from being deleted with the stack (set them in
	// prod). False (the default) lets a dev stack be torn down; the recovery window still applies.
	Protect, RetainOnDelete bool
	// Tags are added to the secret; nil adds none.
	Tags map[string]string
}

// Secret is a Secrets Manager secret readable only by its reader roles. Its value is never set by
// Pulumi: see the package documentation.
type Secret struct {
	pulumi.ResourceState

	// Secret is the Secrets Manager secret (no version: the value is written out of band).
	Secret *secretsmanager.Secret
	// Policy is its resource policy, SecretPolicy of the readers.
	Policy *secretsmanager.SecretPolicy
	// Arn of the secret, for its readers' IAM policies.
	Arn pulumi.StringOutput
	// Name of the secret (SecretName): what workloads ask Secrets Manager for.
	Name pulumi.StringOutput
}

func (a *SecretArgs) withDefaults() SecretArgs {
	out := *a
	if out.RecoveryWindowDays == 0 && !out.DeleteWithoutRecovery {
		out.RecoveryWindowDays = DefaultRecoveryWindowDays
	}
	return out
}

var (
	secretName = regexp.MustCompile(`^[A-Za-z0-9/_+=.@-]{1,512}$`)
	accountID  = regexp.MustCompile(`^[0-9]{12}$`)
)

// CheckSecretName checks a secret name against Secrets Manager's naming rule.
func CheckSecretName(name string) error {
	if !secretName.MatchString(name) {
		return fmt.Errorf("%q must be 1 to 512 characters of A-Z a-z 0-9 / _ + = . @ -", name)
	}
	return nil
}

// Validate reports every problem with the args at once. Reader ARNs are checked when they are
// known (at apply): each must be an IAM role of AccountID.
func (a *SecretArgs) Validate() error {
	var errs []error
	if err := CheckSecretName(a.SecretName); err != nil {
		errs = append(errs, fmt.Errorf("secretName: %w", err))
	}
	if a.KmsKeyArn == nil {
		errs = append(errs, errors.New("kmsKeyArn: required (secrets are encrypted with the customer-managed data key)"))
	}
	if w := a.RecoveryWindowDays; w != 0 && (w < MinRecoveryWindowDays || w > DefaultRecoveryWindowDays) {
		errs = append(errs, fmt.Errorf("recoveryWindowDays: %d is outside %d to %d", w, MinRecoveryWindowDays, DefaultRecoveryWindowDays))
	}
	if a.DeleteWithoutRecovery && a.RecoveryWindowDays != 0 {
		errs = append(errs, fmt.Errorf("recoveryWindowDays: %d is set, but deleteWithoutRecovery asks for none", a.RecoveryWindowDays))
	}
	for i, r := range a.ReaderRoleArns {
		if r == nil {
			errs = append(errs, fmt.Errorf("readerRoleArns[%d]: nil", i))
		}
	}
	if !accountID.MatchString(a.AccountID) {
		errs = append(errs, fmt.Errorf("accountId: %q must be 12 digits", a.AccountID))
	}
	return errors.Join(errs...)
}

// SecretPolicy is the resource policy of a secret read by readerArns (IAM role ARNs; order and
// repeats do not matter). In a resource policy "*" as the resource means the secret itself.
//
// With readers it has two statements: an Allow of GetSecretValue and DescribeSecret to the
// readers, and a Deny of GetSecretValue to any principal whose aws:PrincipalArn is not a reader
// (the role ARN, which is what aws:PrincipalArn holds for an assumed-role session). With no readers
// it is a single unconditional Deny of GetSecretValue to everyone: the value stays unreadable until
// readers are configured.
func SecretPolicy(readerArns []string) iampolicy.Document {
	readers := slices.Compact(slices.Sorted(slices.Values(readerArns)))
	if len(readers) == 0 {
		return iampolicy.New(iampolicy.Statement{
			Sid:       "DenyReadUntilReadersAreConfigured",
			Effect:    iampolicy.Deny,
			Principal: &iampolicy.Principal{Wildcard: true},
			Actions:   iampolicy.StringList{GetSecretValue},
			Resources: iampolicy.StringList{"*"},
		})
	}
	return iampolicy.New(
		iampolicy.Statement{
			Sid:       "ReadersMayRead",
			Effect:    iampolicy.Allow,
			Principal: &iampolicy.Principal{AWS: readers},
			Actions:   iampolicy.StringList{GetSecretValue, DescribeSecret},
			Resources: iampolicy.StringList{"*"},
		},
		iampolicy.Statement{
			Sid:        "DenyReadToAllButReaders",
			Effect:     iampolicy.Deny,
			Principal:  &iampolicy.Principal{Wildcard: true},
			Actions:    iampolicy.StringList{GetSecretValue},
			Resources:  iampolicy.StringList{"*"},
			Conditions: iampolicy.Conditions{PrincipalArnOperator: {PrincipalArnKey: slices.Clone(readers)}},
		},
	)
}

// NewSecret creates the secret and its resource policy. The args are validated before anything is
// registered.
func NewSecret(ctx *pulumi.Context, name string, args *SecretArgs, opts ...pulumi.ResourceOption) (*Secret, error) {
	if args == nil {
		args = &SecretArgs{}
	}
	if err := args.Validate(); err != nil {
		return nil, fmt.Errorf("secrets.NewSecret %q: %w", name, err)
	}
	a := args.withDefaults()

	s := &Secret{}
	if err := ctx.RegisterComponentResource(TypeToken, name, s, opts...); err != nil {
		return nil, err
	}
	secretArgs := &secretsmanager.SecretArgs{
		Name:                 pulumi.String(a.SecretName),
		KmsKeyId:             a.KmsKeyArn.ToStringOutput(),
		RecoveryWindowInDays: pulumi.Int(a.RecoveryWindowDays),
		Tags:                 pulumi.ToStringMap(maps.Clone(a.Tags)),
	}
	if a.Description != "" {
		secretArgs.Description = pulumi.String(a.Description)
	}
	secret, err := secretsmanager.NewSecret(ctx, name, secretArgs,
		pulumi.Parent(s), pulumi.Protect(a.Protect), pulumi.RetainOnDelete(a.RetainOnDelete))
	if err != nil {
		return nil, err
	}
	readerRole := regexp.MustCompile(`^arn:aws[a-z-]*:iam::` + a.AccountID + `:role/[A-Za-z0-9+=,.@_/-]+$`)
	policy := pulumi.StringArray(slices.Clone(a.ReaderRoleArns)).ToStringArrayOutput().ApplyT(func(arns []string) (string, error) {
		for i, arn := range arns {
			if !readerRole.MatchString(arn) {
				return "", fmt.Errorf("secrets.NewSecret %q: readerRoleArns[%d]: %q is not an IAM role of account %s", name, i, arn, a.AccountID)
			}
		}
		return SecretPolicy(arns).JSON()
	}).(pulumi.StringOutput)
	secretPolicy, err := secretsmanager.NewSecretPolicy(ctx, name+"-policy", &secretsmanager.SecretPolicyArgs{
		SecretArn:         secret.Arn,
		Policy:            policy,
		BlockPublicPolicy: pulumi.Bool(true),
	}, pulumi.Parent(s))
	if err != nil {
		return nil, err
	}
	s.Secret, s.Policy, s.Arn, s.Name = secret, secretPolicy, secret.Arn, secret.Name
	if err := ctx.RegisterResourceOutputs(s, pulumi.Map{"arn": s.Arn, "name": s.Name}); err != nil {
		return nil, err
	}
	return s, nil
}
