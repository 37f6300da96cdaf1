package database_test

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/securestack/platform/components/database"
	"github.com/securestack/platform/proof/engine/graph"
	"github.com/securestack/platform/proof/engine/recorder"
)

// ExampleNewTable records, under mocks, a table with only its key and the data key given: the
// defaults encrypt it with that customer key, keep point-in-time recovery on and bill per request.
func ExampleNewTable() {
	g, err := recorder.Record(recorder.Options{Stack: "dev", Program: func(ctx *pulumi.Context) error {
		_, err := database.NewTable(ctx, "platform-dev-metadata", &database.TableArgs{
			HashKey:   database.Attribute{Name: "id", Type: "S"},
			TableName: "platform-dev-metadata",
			KmsKeyArn: pulumi.String("arn:aws:kms:eu-west-1:111111111111:key/data"),
		})
		return err
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	table, _ := g.Named("aws:dynamodb/table:Table", "platform-dev-metadata")
	for _, path := range []string{"serverSideEncryption.enabled", "serverSideEncryption.kmsKeyArn", "pointInTimeRecovery.enabled", "billingMode"} {
		v, _ := table.Get(path)
		fmt.Println(path, graph.Describe(v))
	}
	// Output:
	// serverSideEncryption.enabled true
	// serverSideEncryption.kmsKeyArn "arn:aws:kms:eu-west-1:111111111111:key/data"
	// pointInTimeRecovery.enabled true
	// billingMode "PAY_PER_REQUEST"
}

// Without a key and without the explicit AWSOwnedKey opt-out, a table is refused.
func ExampleTableArgs_Validate() {
	fmt.Println((&database.TableArgs{HashKey: database.Attribute{Name: "id", Type: "S"}}).Validate())
	// Output:
	// kmsKeyArn: required with CustomerKey, the default (pass the data key, or opt out with AWSOwnedKey)
}
