package registry

import (
	"errors"
	"fmt"
	"regexp"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecr"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Type tokens. They are in users' state: never change them.
const (
	RepositoryTypeToken = "platform:registry:Repository"
	PushRoleTypeToken   = "platform:registry:PushRole"
)

// Defaults of RepositoryArgs.
const (
	DefaultKeepImages   = 50
	DefaultUntaggedDays = 7
	// MaxKeepImages bounds KeepImages: ECR keeps at most 10,000 images per repository (its quota:
	// a limit on what the lifecycle rule can usefully count).
	MaxKeepImages = 10000
)

// repositoryName is ECR's rule for repository names: lowercase components separated by "/",
// each of letters and digits joined by '.', '_' or '-'; 2 to 256 characters.
var repositoryName = regexp.MustCompile(`^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$`)

// ValidRepositoryName reports whether ECR accepts the name.
func ValidRepositoryName(name string) bool {
	return len(name) >= 2 && len(name) <= 256 && repositoryName.MatchString(name)
}

// RepositoryArgs configures a Repository. The zero value of each optional field is the secure
// default.
type RepositoryArgs struct {
	// Name is the repository name (ECR's rules; fixed: a new name is a new, empty repository).
	Name string
	// Partition and AccountID place the repository (its policy names the account's roles).
	Partition, AccountID string
	// KmsKeyArn encrypts the images with a customer key; required. ECR fixes the encryption at
	// creation: changing the key replaces the repository (and loses its images).
	KmsKeyArn pulumi.StringInput
	// PullerRoleArns may pull (the nodes' role); at least one.
	PullerRoleArns []pulumi.StringInput
	// PusherRoleArn may push; nil (the default) freezes the repository: nobody may push, since
	// the policy denies writes to everyone but this role.
	PusherRoleArn pulumi.StringInput
	// KeepImages is how many most recent images the lifecycle policy keeps (0 means 50): more than
	// any rollback needs, so a running tag is not expired under a Deployment.
	KeepImages int
	// UntaggedDays is how long an untagged image is kept after its push (0 means 7): with
	// immutable tags an untagged image is a failed or superseded build that nothing can run by tag.
	UntaggedDays int
	// ForceDelete lets a destroy delete a repository that still holds images (dev only). False
	// (the default) makes a destroy fail rather than lose images.
	ForceDelete bool
	// Protect and RetainOnDelete keep the repository, and its images, from being lost with the
	// stack. False (the default) lets a dev stack be torn down.
	Protect, RetainOnDelete bool
	// Tags are added to the repository; nil adds none.
	Tags map[string]string
}

// Repository is an ECR repository with scan on push, immutable tags, KMS, a lifecycle policy and
// a least-privilege repository policy.
type Repository struct {
	pulumi.ResourceState

	// Arn is the repository's ARN: what its push role may write to.
	Arn pulumi.StringOutput
	// URL is "<account>.dkr.ecr.<region>.amazonaws.com/<name>": what images of it are named.
	URL pulumi.StringOutput
}

func (a *RepositoryArgs) withDefaults() RepositoryArgs {
	out := *a
	if out.KeepImages == 0 {
		out.KeepImages = DefaultKeepImages
	}
	if out.UntaggedDays == 0 {
		out.UntaggedDays = DefaultUntaggedDays
	}
	return out
}

// Validate reports every problem with the args at once.
func (a *RepositoryArgs) Validate() error {
	var errs []error
	if !ValidRepositoryName(a.Name) {
		errs = append(errs, fmt.Errorf("name: %q is not an ECR repository name (lowercase letters and digits, joined by '.', '_', '-' or '/'; 2 to 256 characters)", a.Name))
	}
	if a.Partition == "" || a.AccountID == "" {
		errs = append(errs, errors.New("partition and accountId: required (the policy names the account's roles)"))
	}
	if a.KmsKeyArn == nil {
		errs = append(errs, errors.New("kmsKeyArn: required (images are encrypted with a customer key)"))
	}
	if len(a.PullerRoleArns) == 0 {
		errs = append(errs, errors.New("pullerRoleArns: at least one role (the nodes') must be able to pull"))
	}
	if a.KeepImages < 0 || a.KeepImages > MaxKeepImages {
		errs = append(errs, fmt.Errorf("keepImages: %d is outside 1 to %d", a.KeepImages, MaxKeepImages))
	}
	if a.UntaggedDays < 0 || a.UntaggedDays > 3650 {
		errs = append(errs, fmt.Errorf("untaggedDays: %d is outside 1 to 3650", a.UntaggedDays))
	}
	return errors.Join(errs...)
}

// NewRepository registers the repository, its lifecycle policy and its repository policy.
func NewRepository(ctx *pulumi.Context, name string, args *RepositoryArgs, opts ...pulumi.ResourceOption) (*Repository, error) {
	if args == nil {
		args = &RepositoryArgs{}
	}
	if err := args.Validate(); err != nil {
		return nil, fmt.Errorf("registry.NewRepository %q: %w", name, err)
	}
	a := args.withDefaults()
	lifecycle, err := LifecyclePolicy(a.KeepImages, a.UntaggedDays)
	if err != nil {
		return nil, err
	}
	r := &Repository{}
	if err := ctx.RegisterComponentResource(RepositoryTypeToken, name, r, opts...); err != nil {
		return nil, err
	}
	repo, err := ecr.NewRepository(ctx, name, &ecr.RepositoryArgs{
		Name:               pulumi.String(a.Name),
		ImageTagMutability: pulumi.String("IMMUTABLE"),
		ImageScanningConfiguration: &ecr.RepositoryImageScanningConfigurationArgs{
			ScanOnPush: pulumi.Bool(true),
		},
		EncryptionConfigurations: ecr.RepositoryEncryptionConfigurationArray{&ecr.RepositoryEncryptionConfigurationArgs{
			EncryptionType: pulumi.String("KMS"),
			KmsKey:         a.KmsKeyArn,
		}},
		ForceDelete: pulumi.Bool(a.ForceDelete),
		Tags:        pulumi.ToStringMap(a.Tags),
	}, pulumi.Parent(r), pulumi.Protect(a.Protect), pulumi.RetainOnDelete(a.RetainOnDelete),
		// ECR fixes the name and the encryption at creation: say so in the plan.
		pulumi.ReplaceOnChanges([]string{"name", "encryptionConfigurations"}))
	if err != nil {
		return nil, err
	}
	if _, err := ecr.NewLifecyclePolicy(ctx, name, &ecr.LifecyclePolicyArgs{
		Repository: repo.Name,
		Policy:     pulumi.String(lifecycle),
	}, pulumi.Parent(r)); err != nil {
		return nil, err
	}
	var principals []any
	for _, p := range a.PullerRoleArns {
		principals = append(principals, p)
	}
	pusher := pulumi.StringInput(pulumi.String(""))
	if a.PusherRoleArn != nil {
		pusher = a.PusherRoleArn
	}
	policy := pulumi.All(pusher, pulumi.All(principals...)).ApplyT(func(v []any) (string, error) {
		var pullers []string
		for _, p := range v[1].([]any) {
			pullers = append(pullers, p.(string))
		}
		return RepositoryPolicy(a.Partition, a.AccountID, pullers, v[0].(string)).JSON()
	}).(pulumi.StringOutput)
	if _, err := ecr.NewRepositoryPolicy(ctx, name, &ecr.RepositoryPolicyArgs{
		Repository: repo.Name,
		Policy:     policy,
	}, pulumi.Parent(r)); err != nil {
		return nil, err
	}
	r.Arn, r.URL = repo.Arn, repo.RepositoryUrl
	return r, ctx.RegisterResourceOutputs(r, pulumi.Map{"arn": repo.Arn, "url": repo.RepositoryUrl})
}
