package infra

import (
	"fmt"
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/guardduty"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/securestack/platform/components/account"
	"github.com/securestack/platform/components/detection"
	"github.com/securestack/platform/components/encryption"
	"github.com/securestack/platform/components/registry"
)

// Registry is the services' image repositories and the roles that push to them.
type Registry struct {
	// Repositories by service: one per enabled service of the catalog.
	Repositories map[string]*registry.Repository
	// PushRoles by service: for the services that name a push source.
	PushRoles map[string]*registry.PushRole
}

// repositoryKey ends the logical name of a service's repository.
const repositoryKey = "-repository"

// deployRegistry creates a repository per enabled service, and a push role per service that names
// its push source. The nodes' role pulls; only the service's push role writes.
func deployRegistry(ctx *pulumi.Context, cfg *Config, p *Platform, providerArn pulumi.StringInput, opts ...pulumi.ResourceOption) (*Registry, error) {
	names := cfg.Names(p.Account.ID)
	r := &Registry{Repositories: map[string]*registry.Repository{}, PushRoles: map[string]*registry.PushRole{}}
	for _, name := range cfg.EnabledServices() {
		svc := cfg.Services[name]
		repoName := names.Repository(name)
		var pusher pulumi.StringInput
		if svc.Push.Set() {
			role, err := registry.NewPushRole(ctx, cfg.Name()+"-"+name+pushRoleSuffix, &registry.PushRoleArgs{
				ProviderArn: providerArn,
				Source:      svc.Push.source(),
				// Derived: the repository's policy names this role, so the role cannot wait for it.
				RepositoryArn: pulumi.String(registry.RepositoryArn(p.Account.Partition, cfg.Region, p.Account.ID, repoName)),
			}, opts...)
			if err != nil {
				return nil, err
			}
			r.PushRoles[name], pusher = role, role.Arn
		}
		repo, err := registry.NewRepository(ctx, cfg.Name()+"-"+name+repositoryKey, &registry.RepositoryArgs{
			Name:           repoName,
			Partition:      p.Account.Partition,
			AccountID:      p.Account.ID,
			KmsKeyArn:      p.Keys.Arns[encryption.Data],
			PullerRoleArns: []pulumi.StringInput{p.Cluster.NodeRoleArn},
			PusherRoleArn:  pusher,
			KeepImages:     cfg.Registry.KeepImages,
			UntaggedDays:   cfg.Registry.UntaggedDays,
			ForceDelete:    cfg.Registry.ForceDelete,
			Protect:        cfg.Stateful.Protect,
			RetainOnDelete: cfg.Stateful.RetainOnDelete,
		}, opts...)
		if err != nil {
			return nil, err
		}
		r.Repositories[name] = repo
	}
	return r, nil
}

// githubProviderArn is the ARN of the account's GitHub OIDC provider, which the push roles trust:
// the one the baseline created here; the existing one, which must exist (IAM refuses a trust
// policy naming a provider that does not); or, in a stack that references the baseline's owner,
// the owner's, once the owner is confirmed.
func githubProviderArn(ctx *pulumi.Context, cfg *Config, a target, g *account.Guardrails, invoke pulumi.InvokeOption) (pulumi.StringInput, error) {
	derived := registry.GitHubProviderArn(a.Partition, a.ID)
	switch {
	case g.GitHubProvider != nil:
		return g.GitHubProvider.Arn, nil
	case cfg.BaselineOwner() == cfg.Stack:
		url := registry.GitHubURL
		found, err := iam.LookupOpenIdConnectProvider(ctx, &iam.LookupOpenIdConnectProviderArgs{Url: &url}, invoke)
		if err != nil {
			return nil, fmt.Errorf("%s:account.githubOidcProvider: adopt: account %s has no OIDC provider for %s (%v): create it (githubOidcProvider: manage) or name the right account",
				Namespace, a.ID, registry.GitHubURL, err)
		}
		if !slices.Contains(found.ClientIdLists, registry.GitHubAudience) {
			return nil, fmt.Errorf("%s:account.githubOidcProvider: adopt: the provider %s does not list the audience %s (it lists %v): add it, or configure-aws-credentials cannot assume a push role",
				Namespace, found.Arn, registry.GitHubAudience, found.ClientIdLists)
		}
		return pulumi.String(found.Arn), nil
	default:
		// The owner's check resolves first: a push role never names a provider of an unconfirmed owner.
		return g.Owner.ApplyT(func(any) string { return derived }).(pulumi.StringOutput), nil
	}
}

// deployThreatDetection creates (or adopts) the account's GuardDuty detector with its features
// and routes its findings; the baseline's owner only, since both are one per account and region.
func deployThreatDetection(ctx *pulumi.Context, cfg *Config, p *Platform, invoke pulumi.InvokeOption, opts ...pulumi.ResourceOption) (*detection.ThreatDetection, error) {
	a := cfg.Account
	if a.GuardDuty == detection.Adopt {
		id := a.GuardDutyDetectorID
		found, err := guardduty.LookupDetector(ctx, &guardduty.LookupDetectorArgs{Id: &id}, invoke)
		if err != nil {
			return nil, fmt.Errorf("%s:account.guardDutyDetectorId: %q is not a detector of account %s in %s (%v): name the region's detector (`aws guardduty list-detectors`)",
				Namespace, id, p.Account.ID, cfg.Region, err)
		}
		if found.Status != "ENABLED" {
			return nil, fmt.Errorf("%s:account.guardDutyDetectorId: detector %s is %s: enable it, or let the stack create one (guardDuty: create)", Namespace, id, found.Status)
		}
	}
	subs := make([]detection.Subscription, 0, len(a.Findings.Subscriptions))
	for _, s := range a.Findings.Subscriptions {
		subs = append(subs, detection.Subscription{Protocol: s.Protocol, Endpoint: s.Endpoint})
	}
	return detection.NewThreatDetection(ctx, cfg.Name()+"-threat-detection", &detection.ThreatDetectionArgs{
		Mode:          a.GuardDuty,
		DetectorID:    a.GuardDutyDetectorID,
		Partition:     p.Account.Partition,
		AccountID:     p.Account.ID,
		MinSeverity:   a.Findings.MinSeverity,
		TopicName:     cfg.Names(p.Account.ID).FindingsTopic(),
		TopicKeyArn:   p.Keys.Arns[encryption.Alerts],
		Subscriptions: subs,
		Protect:       cfg.Stateful.Protect,
	}, opts...)
}
