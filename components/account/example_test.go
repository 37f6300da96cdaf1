package account_test

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/securestack/platform/components/account"
	"github.com/securestack/platform/proof/engine/recorder"
)

// ExampleNewGuardrails records, under mocks, the baseline of the stack that owns its account: EBS
// encryption by default with the data key, the S3 account public access block, the GitHub OIDC
// provider and enhanced scanning. The protections are retained when the stack is destroyed (other
// stacks of the account rely on them); the default-key setting and the scanning mode are not, so a
// destroy resets them to AWS's defaults before the key they name is deleted.
func ExampleNewGuardrails() {
	g, err := recorder.Record(recorder.Options{Stack: "staging", Program: func(ctx *pulumi.Context) error {
		_, err := account.NewGuardrails(ctx, "baseline", &account.GuardrailsArgs{
			EBSDefaultKeyArn:   pulumi.String("arn:aws:kms:eu-west-1:111111111111:key/data"),
			GitHubOIDCProvider: true,
			EnhancedScanning:   true,
		})
		return err
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range g.Resources() {
		if r.Custom {
			fmt.Println(r.Name, r.Type, "retained:", r.RetainOnDelete)
		}
	}
	// Output:
	// baseline-ebs-default-key aws:ebs/defaultKmsKey:DefaultKmsKey retained: false
	// baseline-ebs-encryption aws:ebs/encryptionByDefault:EncryptionByDefault retained: true
	// baseline-registry-scanning aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration retained: false
	// baseline-github aws:iam/openIdConnectProvider:OpenIdConnectProvider retained: true
	// baseline-s3-public-access aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock retained: true
}

// A stack that does not own its account's baseline names the owner in full and says which account
// it is in: the owner is checked to own that account at deploy time, the args before anything is
// registered.
func ExampleNewGuardrails_ownerStack() {
	var argsErr error
	g, _ := recorder.Record(recorder.Options{Stack: "dev", Program: func(ctx *pulumi.Context) error {
		_, argsErr = account.NewGuardrails(ctx, "baseline", &account.GuardrailsArgs{OwnerStack: "staging"})
		return argsErr
	}})
	fmt.Println(argsErr)
	fmt.Println("registered besides the stack:", g.Len()-1)
	// Output:
	// account.NewGuardrails "baseline": ownerStack: "staging" is not <organization>/<project>/<stack>
	// registered besides the stack: 0
}
