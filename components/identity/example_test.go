package identity_test

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/securestack/platform/components/identity"
	"github.com/securestack/platform/components/lib/iampolicy"
	"github.com/securestack/platform/proof/engine/recorder"
)

// ExampleNewServiceRole records, under mocks, the uploader's IRSA role: the role, trusted by the
// uploader's ServiceAccount only (exact sub and aud), and its one inline policy.
func ExampleNewServiceRole() {
	policy, _ := iampolicy.New(iampolicy.Statement{
		Effect:    iampolicy.Allow,
		Actions:   iampolicy.StringList{"s3:PutObject"},
		Resources: iampolicy.StringList{"arn:aws:s3:::platform-dev-uploads/*"},
	}).JSON()
	g, err := recorder.Record(recorder.Options{Stack: "dev", Program: func(ctx *pulumi.Context) error {
		_, err := identity.NewServiceRole(ctx, "platform-dev-uploader", &identity.ServiceRoleArgs{
			OIDCProviderArn: pulumi.String("arn:aws:iam::111111111111:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE"),
			OIDCIssuer:      pulumi.String("https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE"),
			Namespace:       "apps",
			ServiceAccount:  "uploader",
			Policy:          pulumi.String(policy),
		})
		return err
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(g.Listing())
	role, _ := g.Named("aws:iam/role:Role", "platform-dev-uploader")
	trust, _ := role.String("assumeRolePolicy")
	doc, _ := iampolicy.Parse(trust)
	s := doc.Statements[0]
	fmt.Println(s.ConditionValues("StringEquals", "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE:sub"))
	fmt.Println(s.ConditionValues("StringEquals", "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE:aud"))
	// Output:
	// platform-dev-uploader aws:iam/role:Role
	// platform-dev-uploader aws:iam/rolePolicy:RolePolicy
	// platform-dev-uploader platform:identity:ServiceRole
	// [system:serviceaccount:apps:uploader]
	// [sts.amazonaws.com]
}

// Every field is required: a role without a policy, or for no exact ServiceAccount, is refused.
func ExampleServiceRoleArgs_Validate() {
	fmt.Println((&identity.ServiceRoleArgs{Namespace: "apps", ServiceAccount: "Uploader"}).Validate())
	// Output:
	// oidcProviderArn and oidcIssuer: required
	// serviceAccount: "Uploader" is not a DNS-1123 label
	// policy: required (a role with no permissions has no purpose)
}
