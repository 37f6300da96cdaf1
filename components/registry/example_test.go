package registry_test

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/securestack/platform/components/registry"
	"github.com/securestack/platform/proof/engine/recorder"
)

// ExamplePushTrust prints the one subject a push role trusts for a repository's production
// environment.
func ExamplePushTrust() {
	doc := registry.PushTrust(registry.GitHubProviderArn("aws", "123456789012"),
		registry.Source{Repository: "example-org/uploader", Environment: "production"})
	s := doc.Statements[0]
	fmt.Println(s.Principal.Federated[0])
	fmt.Println(s.ConditionValues("StringEquals", registry.GitHubIssuer+":sub")[0])
	// Output:
	// arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com
	// repo:example-org/uploader:environment:production
}

// ExampleRepositoryPolicy lists who a service's repository lets do what.
func ExampleRepositoryPolicy() {
	doc := registry.RepositoryPolicy("aws", "123456789012",
		[]string{"arn:aws:iam::123456789012:role/nodes"}, "arn:aws:iam::123456789012:role/uploader-push")
	for _, s := range doc.Statements {
		fmt.Println(s.Sid, s.Effect)
	}
	// Output:
	// NodesPull Allow
	// CIRolePushes Allow
	// OnlyNodesAndCIRolePull Deny
	// OnlyCIRoleWrites Deny
}

// ExampleNewRepository records, under mocks, the uploader's repository: scan on push, immutable
// tags and the customer key are fixed, and the lifecycle keeps the 50 most recent images (the
// default) while untagged ones expire after 7 days.
func ExampleNewRepository() {
	g, err := recorder.Record(recorder.Options{Stack: "dev", Program: func(ctx *pulumi.Context) error {
		_, err := registry.NewRepository(ctx, "platform-dev-uploader", &registry.RepositoryArgs{
			Name: "platform/dev/uploader", Partition: "aws", AccountID: "111111111111",
			KmsKeyArn:      pulumi.String("arn:aws:kms:eu-west-1:111111111111:key/data"),
			PullerRoleArns: []pulumi.StringInput{pulumi.String("arn:aws:iam::111111111111:role/platform-dev-nodes")},
			PusherRoleArn:  pulumi.String("arn:aws:iam::111111111111:role/platform-dev-uploader-push"),
		})
		return err
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(g.Listing())
	repo, _ := g.Named("aws:ecr/repository:Repository", "platform-dev-uploader")
	scan, _ := repo.Bool("imageScanningConfiguration.scanOnPush")
	tags, _ := repo.String("imageTagMutability")
	encryption, _ := repo.String("encryptionConfigurations[0].encryptionType")
	fmt.Println("scan on push:", scan, "tags:", tags, "encryption:", encryption)
	// Output:
	// platform-dev-uploader aws:ecr/lifecyclePolicy:LifecyclePolicy
	// platform-dev-uploader aws:ecr/repository:Repository
	// platform-dev-uploader aws:ecr/repositoryPolicy:RepositoryPolicy
	// platform-dev-uploader platform:registry:Repository
	// scan on push: true tags: IMMUTABLE encryption: KMS
}

// ExampleNewPushRole records, under mocks, the role the uploader's image workflow assumes on its
// main branch: trusted through the account's GitHub provider for that one subject only.
func ExampleNewPushRole() {
	g, err := recorder.Record(recorder.Options{Stack: "dev", Program: func(ctx *pulumi.Context) error {
		_, err := registry.NewPushRole(ctx, "platform-dev-uploader-push", &registry.PushRoleArgs{
			ProviderArn:   pulumi.String(registry.GitHubProviderArn("aws", "111111111111")),
			Source:        registry.Source{Repository: "example-org/uploader", Ref: "refs/heads/main"},
			RepositoryArn: pulumi.String("arn:aws:ecr:eu-west-1:111111111111:repository/platform/dev/uploader"),
		})
		return err
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(g.Listing())
	// Output:
	// platform-dev-uploader-push aws:iam/role:Role
	// platform-dev-uploader-push aws:iam/rolePolicy:RolePolicy
	// platform-dev-uploader-push platform:registry:PushRole
}
