// Command adopter is an example of a Pulumi Go program built from the platform's components: a
// data key (components/encryption), a bucket that logs its access to a log bucket
// (components/storage) and a secret encrypted with the key (components/secrets). Its test,
// main_test.go, proves it offline with the platform's recorder and controls; README.md says how
// to do the same for your own program.
package main

import (
	"fmt"
	"strconv"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/securestack/platform/components/encryption"
	"github.com/securestack/platform/components/secrets"
	"github.com/securestack/platform/components/storage"
)

func main() { pulumi.Run(program) }

// program reads the stack's settings and builds the stores.
func program(ctx *pulumi.Context) error {
	// Protected by default: a stack must opt out (adopter:protect: false), never forget to opt in.
	protect := true
	if text, ok := ctx.GetConfig("adopter:protect"); ok {
		v, err := strconv.ParseBool(text)
		if err != nil {
			return fmt.Errorf("adopter:protect: %q is not a boolean (allowed: true, false)", text)
		}
		protect = v
	}
	_, err := newStores(ctx, ctx.Project()+"-"+ctx.Stack(), protect)
	return err
}

// stores are what the program builds: the data key, the buckets and the secret.
type stores struct {
	keys   *encryption.Keyring
	logs   *storage.Bucket
	data   *storage.Bucket
	secret *secrets.Secret
}

// newStores builds the stores named after name. protect sets Pulumi's protect and retainOnDelete
// options on everything that holds data: a destroy or a replacement must not lose it.
func newStores(ctx *pulumi.Context, name string, protect bool) (*stores, error) {
	// The components never look the account up themselves: it flows in, as do providers.
	caller, err := aws.GetCallerIdentity(ctx, nil)
	if err != nil {
		return nil, err
	}
	partition, err := aws.GetPartition(ctx, nil)
	if err != nil {
		return nil, err
	}
	region, err := aws.GetRegion(ctx, nil)
	if err != nil {
		return nil, err
	}
	account := encryption.Account{ID: caller.AccountId, Region: region.Name, Partition: partition.Partition}

	keys, err := encryption.NewKeyring(ctx, name, &encryption.KeyringArgs{
		Account:     account,
		AliasPrefix: "alias/" + name,
		Purposes:    []encryption.Purpose{encryption.Data},
		Protect:     protect, RetainOnDelete: protect,
	})
	if err != nil {
		return nil, err
	}
	dataKey, err := keys.Arn(encryption.Data)
	if err != nil {
		return nil, err
	}
	logs, err := storage.NewBucket(ctx, name+"-access-logs", &storage.BucketArgs{
		AccountID:   account.ID,
		IsLogBucket: true,
		// Logs expire after a year; versioning keeps an expired log a day longer.
		ExpirationDays: 365, NoncurrentVersionExpirationDays: 1,
		Protect: protect, RetainOnDelete: protect,
	})
	if err != nil {
		return nil, err
	}
	data, err := storage.NewBucket(ctx, name+"-data", &storage.BucketArgs{
		AccountID:       account.ID,
		Encryption:      storage.SSEKMS,
		KmsKeyArn:       dataKey,
		AccessLogBucket: logs.BucketName,
		// Overwritten and deleted objects stay recoverable for 30 days.
		NoncurrentVersionExpirationDays: 30,
		Protect:                         protect, RetainOnDelete: protect,
	})
	if err != nil {
		return nil, err
	}
	secret, err := secrets.NewSecret(ctx, name+"-api-token", &secrets.SecretArgs{
		SecretName:  fmt.Sprintf("%s/%s/api-token", ctx.Project(), ctx.Stack()),
		Description: "the token of the upstream API; its value is written out of band",
		KmsKeyArn:   dataKey,
		AccountID:   account.ID,
		Protect:     protect, RetainOnDelete: protect,
	})
	if err != nil {
		return nil, err
	}
	ctx.Export("dataBucket", data.BucketName)
	ctx.Export("dataKeyArn", dataKey)
	ctx.Export("secretArn", secret.Arn)
	return &stores{keys: keys, logs: logs, data: data, secret: secret}, nil
}
