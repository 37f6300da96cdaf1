package registry_test

import (
	"fmt"

	"github.com/securestack/platform/components/registry"
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
