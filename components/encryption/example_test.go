package encryption_test

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/securestack/platform/components/encryption"
	"github.com/securestack/platform/proof/engine/recorder"
)

// ExampleNewKeyring records, under mocks, the keyring of a stack with the default purposes: one
// key and one alias per purpose, each key rotating, with the 30-day deletion window.
func ExampleNewKeyring() {
	g, err := recorder.Record(recorder.Options{Stack: "dev", Program: func(ctx *pulumi.Context) error {
		_, err := encryption.NewKeyring(ctx, "platform-dev", &encryption.KeyringArgs{
			Account:     encryption.Account{ID: "111111111111", Region: "eu-west-1", Partition: "aws"},
			AliasPrefix: "alias/platform-dev",
		})
		return err
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range g.OfType("aws:kms/key:Key") {
		rotates, _ := r.Bool("enableKeyRotation")
		window, _ := r.Int("deletionWindowInDays")
		fmt.Println(r.Name, "rotates:", rotates, "deletion window:", window)
	}
	for _, r := range g.OfType("aws:kms/alias:Alias") {
		alias, _ := r.String("name")
		fmt.Println(r.Name, alias)
	}
	// Output:
	// platform-dev-cluster rotates: true deletion window: 30
	// platform-dev-data rotates: true deletion window: 30
	// platform-dev-logs rotates: true deletion window: 30
	// platform-dev-cluster alias/platform-dev-cluster
	// platform-dev-data alias/platform-dev-data
	// platform-dev-logs alias/platform-dev-logs
}
