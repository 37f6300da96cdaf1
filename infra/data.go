package infra

import (
	"fmt"
	"maps"
	"slices"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/securestack/platform/components/account"
	"github.com/securestack/platform/components/cluster"
	"github.com/securestack/platform/components/database"
	"github.com/securestack/platform/components/filesystem"
	"github.com/securestack/platform/components/identity"
	"github.com/securestack/platform/components/network"
	"github.com/securestack/platform/components/secrets"
	"github.com/securestack/platform/components/storage"
)

// Data is what the data-protection capability built.
type Data struct {
	LogBucket, Uploads, Processed *storage.Bucket
	Table                         *database.Table
	Scratch                       *filesystem.FileSystem
	Credentials                   *secrets.Secret
	Roles                         map[string]*identity.ServiceRole
}

// dataNames derives the fixed names of the data stores. Bucket and table names are fixed (not
// generated) so that the service policies can name them before they exist, and so that an
// ordinary change never renames — and so replaces — a store.
type dataNames struct{ cfg *Config }

func (n dataNames) bucket(purpose, accountID string) string {
	return fmt.Sprintf("%s-%s-%s-%s", n.cfg.Name(), purpose, accountID, n.cfg.Region)
}
func (n dataNames) table() string  { return n.cfg.Name() + "-media" }
func (n dataNames) secret() string { return n.cfg.Project + "/" + n.cfg.Stack + "/app-credentials" }

// deployData creates the account guardrails, the service identities and the data stores.
func deployData(ctx *pulumi.Context, cfg *Config, acct string, partition string, keys keyArns, vpc *network.Vpc,
	eks *cluster.Cluster, opts ...pulumi.ResourceOption) (*Data, error) {
	names := dataNames{cfg}
	keep := cfg.Stateful
	guard := &account.GuardrailsArgs{LeaveS3PublicAccessBlockToOrganisation: cfg.Account.S3PublicAccessBlock == Organization}
	if cfg.Account.EBSEncryptionByDefault == Manage {
		guard.EBSDefaultKeyArn = keys.data
	}
	if _, err := account.NewGuardrails(ctx, cfg.Name()+"-account", guard, opts...); err != nil {
		return nil, err
	}

	s3Encryption := storage.SSES3
	var s3Key pulumi.StringInput
	if cfg.Storage.S3Encryption == "aws:kms" {
		s3Encryption, s3Key = storage.SSEKMS, keys.data
	}
	arn := func(service, resource string) string {
		return fmt.Sprintf("arn:%s:%s:::%s", partition, service, resource)
	}
	resources := AppResources{
		UploadsBucketArn:   arn("s3", names.bucket("uploads", acct)),
		ProcessedBucketArn: arn("s3", names.bucket("processed", acct)),
		TableArn:           fmt.Sprintf("arn:%s:dynamodb:%s:%s:table/%s", partition, cfg.Region, acct, names.table()),
		SSEKMS:             s3Encryption == storage.SSEKMS,
	}

	// Identities first: the uploads bucket's policy names the uploader's role.
	d := &Data{Roles: map[string]*identity.ServiceRole{}}
	for _, service := range Services {
		policy := keys.data.ToStringOutput().ApplyT(func(dataKey string) (string, error) {
			r := resources
			r.DataKeyArn = dataKey
			return ServicePolicy(service, r, cfg.Region).JSON()
		}).(pulumi.StringOutput)
		role, err := identity.NewServiceRole(ctx, cfg.Name()+"-"+service, &identity.ServiceRoleArgs{
			OIDCProviderArn: eks.OIDCProviderArn,
			OIDCIssuer:      eks.OIDCIssuer,
			Namespace:       cfg.Access.Namespaces[0],
			ServiceAccount:  service,
			Policy:          policy,
		}, opts...)
		if err != nil {
			return nil, err
		}
		d.Roles[service] = role
	}

	forceDestroy := cfg.Environment == Dev // dev can be torn down with its objects; never elsewhere
	var err error
	d.LogBucket, err = storage.NewBucket(ctx, cfg.Name()+"-access-logs", &storage.BucketArgs{
		AccountID:                       acct,
		BucketName:                      names.bucket("access-logs", acct),
		IsLogBucket:                     true,
		ExpirationDays:                  cfg.Storage.AccessLogDays,
		NoncurrentVersionExpirationDays: cfg.Storage.NoncurrentVersionDays,
		ForceDestroy:                    forceDestroy,
		Protect:                         cfg.Stateful.Protect,
		RetainOnDelete:                  cfg.Stateful.RetainOnDelete,
	}, opts...)
	if err != nil {
		return nil, err
	}
	bucket := func(purpose string, denyDeleteTo ...pulumi.StringInput) (*storage.Bucket, error) {
		return storage.NewBucket(ctx, cfg.Name()+"-"+purpose, &storage.BucketArgs{
			AccountID:                       acct,
			BucketName:                      names.bucket(purpose, acct),
			Encryption:                      s3Encryption,
			KmsKeyArn:                       s3Key,
			AccessLogBucket:                 d.LogBucket.BucketName,
			DenyDeleteTo:                    denyDeleteTo,
			NoncurrentVersionExpirationDays: cfg.Storage.NoncurrentVersionDays,
			ForceDestroy:                    forceDestroy,
			Protect:                         cfg.Stateful.Protect,
			RetainOnDelete:                  cfg.Stateful.RetainOnDelete,
		}, opts...)
	}
	// The uploader may put objects but never delete them, whatever its IAM policy says.
	if d.Uploads, err = bucket("uploads", d.Roles[Uploader].Arn); err != nil {
		return nil, err
	}
	if d.Processed, err = bucket("processed"); err != nil {
		return nil, err
	}

	tableKey := database.CustomerKey
	var tableKeyArn pulumi.StringInput = keys.data
	if cfg.Storage.DynamoDBKey == "aws-owned" {
		tableKey, tableKeyArn = database.AWSOwnedKey, nil
	}
	if d.Table, err = database.NewTable(ctx, cfg.Name()+"-media", &database.TableArgs{
		TableName:          names.table(),
		HashKey:            database.Attribute{Name: "mediaId", Type: "S"},
		Encryption:         tableKey,
		KmsKeyArn:          tableKeyArn,
		DeletionProtection: cfg.Environment == Prod,
		Protect:            keep.Protect,
		RetainOnDelete:     keep.RetainOnDelete,
	}, opts...); err != nil {
		return nil, err
	}

	subnets := map[string]pulumi.StringInput{}
	for _, az := range slices.Sorted(maps.Keys(vpc.PrivateSubnetIDs)) {
		subnets[az] = vpc.PrivateSubnetIDs[az].ToStringOutput()
	}
	if d.Scratch, err = filesystem.NewFileSystem(ctx, cfg.Name()+"-scratch", &filesystem.FileSystemArgs{
		AccountID:             acct,
		KmsKeyArn:             keys.data,
		VpcID:                 vpc.VpcID.ToStringOutput(),
		ClientSecurityGroupID: eks.NodeSecurityGroupID,
		PrivateSubnets:        subnets,
		AccessPoints:          []filesystem.AccessPoint{filesystem.ProcessorAccessPoint()},
		Protect:               keep.Protect,
		RetainOnDelete:        keep.RetainOnDelete,
	}, opts...); err != nil {
		return nil, err
	}

	if d.Credentials, err = secrets.NewSecret(ctx, cfg.Name()+"-app-credentials", &secrets.SecretArgs{
		SecretName:         names.secret(),
		Description:        "High-value application credentials; the value is set out of band, never by Pulumi",
		KmsKeyArn:          keys.data,
		RecoveryWindowDays: cfg.Storage.SecretRecoveryDays,
		ReaderRoleArns:     []pulumi.StringInput{d.Roles[Processor].Arn, d.Roles[Uploader].Arn},
		AccountID:          acct,
		Protect:            keep.Protect,
		RetainOnDelete:     keep.RetainOnDelete,
	}, opts...); err != nil {
		return nil, err
	}
	return d, nil
}

// keyArns are the ARNs of the keyring's keys.
type keyArns struct{ cluster, logs, data pulumi.StringOutput }
