package secrets_test

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/securestack/platform/components/secrets"
	"github.com/securestack/platform/proof/engine/recorder"
)

// ExampleNewSecret records, under mocks, the application secret read by the uploader's role: the
// secret (never a version: the value is written out of band) and its resource policy, with the
// default 30-day recovery window.
func ExampleNewSecret() {
	g, err := recorder.Record(recorder.Options{Stack: "prod", Program: func(ctx *pulumi.Context) error {
		_, err := secrets.NewSecret(ctx, "platform-prod-app", &secrets.SecretArgs{
			SecretName:     "platform/prod/app",
			KmsKeyArn:      pulumi.String("arn:aws:kms:eu-west-1:222222222222:key/data"),
			AccountID:      "222222222222",
			ReaderRoleArns: []pulumi.StringInput{pulumi.String("arn:aws:iam::222222222222:role/platform-prod-uploader")},
		})
		return err
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(g.Listing())
	secret, _ := g.Named("aws:secretsmanager/secret:Secret", "platform-prod-app")
	window, _ := secret.Int("recoveryWindowInDays")
	policy, _ := g.Named("aws:secretsmanager/secretPolicy:SecretPolicy", "platform-prod-app-policy")
	block, _ := policy.Bool("blockPublicPolicy")
	fmt.Println("recovery window:", window, "block public policy:", block)
	// Output:
	// platform-prod-app aws:secretsmanager/secret:Secret
	// platform-prod-app-policy aws:secretsmanager/secretPolicy:SecretPolicy
	// platform-prod-app platform:secrets:Secret
	// recovery window: 30 block public policy: true
}
