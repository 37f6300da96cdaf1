package infra

import (
	"maps"
	"slices"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/securestack/platform/components/cluster"
	"github.com/securestack/platform/components/database"
	"github.com/securestack/platform/components/filesystem"
	"github.com/securestack/platform/components/identity"
	"github.com/securestack/platform/components/lib/iampolicy"
	"github.com/securestack/platform/components/network"
	"github.com/securestack/platform/components/runner"
	"github.com/securestack/platform/components/secrets"
	"github.com/securestack/platform/components/storage"
)

// Data is what the data-protection capability built.
type Data struct {
	AccountID                                    string
	LogBucket, Uploads, Processed, RunnerSources *storage.Bucket
	// ALBLogs receives the load balancer's access logs; nil when no service is load-balanced.
	ALBLogs     *storage.Bucket
	Table       *database.Table
	Scratch     *filesystem.FileSystem
	Credentials *secrets.Secret
	// RunnerTokens are the runner's Pulumi tokens by kind (deploy, preview).
	RunnerTokens map[runner.Kind]*secrets.Secret
	Roles        map[string]*identity.ServiceRole
}

// keyArns are the ARNs of the keyring's keys.
type keyArns struct{ cluster, logs, data pulumi.StringOutput }

// dataBuilder creates the stores in the order the rest needs them: the log bucket first (every
// bucket logs to it), the runner's bucket and token with the runner (the cluster admits it), the
// application's stores once the cluster's OIDC provider and node security group exist.
type dataBuilder struct {
	ctx   *pulumi.Context
	cfg   *Config
	acct  target
	names Names
	keys  keyArns
	vpc   *network.Vpc
	eks   *cluster.Cluster
	opts  []pulumi.ResourceOption
	// invoke is the AWS provider for invokes.
	invoke pulumi.InvokeOption
	d      Data
}

// forceDestroy: dev can be torn down with its objects; never elsewhere.
func (b *dataBuilder) forceDestroy() bool { return b.cfg.Environment == Dev }

func (b *dataBuilder) logBucket() error {
	b.d.AccountID = b.acct.ID
	b.d.Roles = map[string]*identity.ServiceRole{}
	var err error
	b.d.LogBucket, err = storage.NewBucket(b.ctx, b.cfg.Name()+"-access-logs", &storage.BucketArgs{
		AccountID:                       b.acct.ID,
		BucketName:                      b.names.Bucket(BucketAccessLogs),
		IsLogBucket:                     true,
		ExpirationDays:                  b.cfg.Storage.AccessLogDays,
		NoncurrentVersionExpirationDays: b.cfg.Storage.NoncurrentVersionDays,
		ForceDestroy:                    b.forceDestroy(),
		Protect:                         b.cfg.Stateful.Protect,
		RetainOnDelete:                  b.cfg.Stateful.RetainOnDelete,
	}, b.opts...)
	return err
}

// bucket creates a bucket of the stack that logs to the log bucket.
func (b *dataBuilder) bucket(purpose string, args storage.BucketArgs) (*storage.Bucket, error) {
	args.AccountID = b.acct.ID
	args.BucketName = b.names.Bucket(purpose)
	args.AccessLogBucket = b.d.LogBucket.BucketName
	args.ForceDestroy = b.forceDestroy()
	args.Protect, args.RetainOnDelete = b.cfg.Stateful.Protect, b.cfg.Stateful.RetainOnDelete
	if args.NoncurrentVersionExpirationDays == 0 {
		args.NoncurrentVersionExpirationDays = b.cfg.Storage.NoncurrentVersionDays
	}
	if b.cfg.Storage.S3Encryption == string(storage.SSEKMS) && args.LoadBalancerLogs == nil {
		// Load balancers deliver logs to SSE-S3 buckets only.
		args.Encryption, args.KmsKeyArn = storage.SSEKMS, b.keys.data
	}
	return storage.NewBucket(b.ctx, b.cfg.Name()+"-"+purpose, &args, b.opts...)
}

// secret creates a secret of the stack, encrypted with the data key, readable by the readers.
func (b *dataBuilder) secret(purpose, description string, readers ...pulumi.StringInput) (*secrets.Secret, error) {
	return secrets.NewSecret(b.ctx, b.cfg.Name()+"-"+purpose, &secrets.SecretArgs{
		SecretName:            b.names.Secret(purpose),
		Description:           description,
		KmsKeyArn:             b.keys.data,
		RecoveryWindowDays:    b.cfg.Storage.SecretRecoveryDays,
		DeleteWithoutRecovery: b.cfg.Storage.SecretRecoveryDays == 0,
		ReaderRoleArns:        readers,
		AccountID:             b.acct.ID,
		Protect:               b.cfg.Stateful.Protect,
		RetainOnDelete:        b.cfg.Stateful.RetainOnDelete,
	}, b.opts...)
}

// runner creates the in-VPC runner, its source bucket and its Pulumi token secret.
func (b *dataBuilder) runner() (*runner.Runner, error) {
	rc := b.cfg.Runner
	if !rc.Enabled {
		return nil, nil
	}
	deployRole, previewRole := roleArn(b.acct, rc.DeployRoleName), roleArn(b.acct, rc.PreviewRoleName)
	var err error
	// CI writes sources once, each role under its own prefix: a pull request's preview role can
	// never place what the deploy project runs.
	b.d.RunnerSources, err = b.bucket(BucketRunner, storage.BucketArgs{
		ExpirationDays:                  rc.SourceRetentionDays,
		NoncurrentVersionExpirationDays: 1,
		WriteOnceFor:                    []pulumi.StringInput{pulumi.String(deployRole), pulumi.String(previewRole)},
		ExtraStatements: func(bucketArn string) []iampolicy.Statement {
			return []iampolicy.Statement{{
				Sid:       "PreviewRoleNeverWritesDeploySources",
				Effect:    iampolicy.Deny,
				Principal: &iampolicy.Principal{AWS: iampolicy.StringList{previewRole}},
				Actions:   iampolicy.StringList{"s3:PutObject"},
				Resources: iampolicy.StringList{bucketArn + "/" + string(runner.Deploy) + "/*"},
			}}
		},
	})
	if err != nil {
		return nil, err
	}
	var subnets []pulumi.StringInput
	for _, id := range b.vpc.PrivateSubnetIDList() {
		subnets = append(subnets, id)
	}
	var actions *runner.GitHubActionsArgs
	if gh := rc.GitHubActions; gh.Enabled() {
		actions = &runner.GitHubActionsArgs{Repository: gh.Repository, ConnectionArn: gh.ConnectionArn, WorkflowName: gh.WorkflowName}
	}
	r, err := runner.NewRunner(b.ctx, b.cfg.Name()+"-runner", &runner.RunnerArgs{
		Account:          runner.Account{ID: b.acct.ID, Region: b.cfg.Region, Partition: b.acct.Partition},
		ProjectPrefix:    b.cfg.Name(),
		Stack:            b.cfg.Stack,
		VpcID:            b.vpc.VpcID.ToStringOutput(),
		SubnetIDs:        subnets,
		SourceBucketName: b.d.RunnerSources.BucketName,
		SourceBucketArn:  b.d.RunnerSources.Arn,
		AssumeRoleArns:   map[runner.Kind]string{runner.Deploy: deployRole, runner.Preview: previewRole},
		TokenSecretNames: map[runner.Kind]string{runner.Deploy: b.names.Secret(SecretDeployToken), runner.Preview: b.names.Secret(SecretPreviewToken)},
		LogsKeyArn:       b.keys.logs,
		LogRetentionDays: b.cfg.Cluster.LogRetentionDays,
		PulumiVersion:    PulumiVersion,
		ComputeType:      rc.ComputeType,
		TimeoutMinutes:   rc.TimeoutMinutes,
		Protect:          b.cfg.Stateful.Protect,
		RetainOnDelete:   b.cfg.Stateful.RetainOnDelete,
		GitHubActions:    actions,
	}, b.opts...)
	if err != nil {
		return nil, err
	}
	// One token per kind, each readable by its project only: previews run pull-request code.
	b.d.RunnerTokens = map[runner.Kind]*secrets.Secret{}
	for _, t := range []struct {
		kind    runner.Kind
		purpose string
		what    string
	}{{runner.Deploy, SecretDeployToken, "deploy builds"}, {runner.Preview, SecretPreviewToken, "preview builds (a token that cannot change state)"}} {
		if b.d.RunnerTokens[t.kind], err = b.secret(t.purpose, "Pulumi access token of the in-VPC runner's "+t.what+"; the value is set out of band, never by Pulumi",
			r.RoleArns[t.kind]); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// stores creates the service identities and the application's data stores.
func (b *dataBuilder) stores() (*Data, error) {
	cfg, names, keys := b.cfg, b.names, b.keys
	resources := AppResources{Partition: b.acct.Partition, Region: cfg.Region, Account: b.acct.ID, Names: names,
		SSEKMS: cfg.Storage.S3Encryption == string(storage.SSEKMS)}
	// Identities first: the bucket and secret policies name the services' roles. A service
	// without AWS intents has no role.
	for _, service := range cfg.EnabledServices() {
		svc := cfg.Services[service]
		if !svc.HasAWSAccess() {
			continue
		}
		policy := keys.data.ApplyT(func(dataKey string) (string, error) {
			r := resources
			r.DataKeyArn = dataKey
			return ServicePolicy(svc, r).JSON()
		}).(pulumi.StringOutput)
		role, err := identity.NewServiceRole(b.ctx, cfg.Name()+"-"+service, &identity.ServiceRoleArgs{
			OIDCProviderArn: b.eks.OIDCProviderArn,
			OIDCIssuer:      b.eks.OIDCIssuer,
			Namespace:       svc.Namespace,
			ServiceAccount:  service,
			Policy:          policy,
		}, b.opts...)
		if err != nil {
			return nil, err
		}
		b.d.Roles[service] = role
	}
	var err error
	// A service that puts (creates only) may never delete or overwrite an object, whatever its own
	// policy says (its policy agrees: WriteOnceGrants).
	if b.d.Uploads, err = b.bucket(BucketUploads, b.writeOnceFor(BucketUploads)); err != nil {
		return nil, err
	}
	if b.d.Processed, err = b.bucket(BucketProcessed, b.writeOnceFor(BucketProcessed)); err != nil {
		return nil, err
	}

	if _, balanced := cfg.LoadBalancedService(); balanced {
		if b.d.ALBLogs, err = b.albLogBucket(); err != nil {
			return nil, err
		}
	}

	tableKey := database.CustomerKey
	var tableKeyArn pulumi.StringInput = keys.data
	if cfg.Storage.DynamoDBKey == "aws-owned" {
		tableKey, tableKeyArn = database.AWSOwnedKey, nil
	}
	if b.d.Table, err = database.NewTable(b.ctx, cfg.Name()+"-media", &database.TableArgs{
		TableName:          names.Table(),
		HashKey:            database.Attribute{Name: "mediaId", Type: "S"},
		Encryption:         tableKey,
		KmsKeyArn:          tableKeyArn,
		DeletionProtection: cfg.Environment == Prod,
		Protect:            cfg.Stateful.Protect,
		RetainOnDelete:     cfg.Stateful.RetainOnDelete,
	}, b.opts...); err != nil {
		return nil, err
	}

	subnets := map[string]pulumi.StringInput{}
	for _, az := range slices.Sorted(maps.Keys(b.vpc.PrivateSubnetIDs)) {
		subnets[az] = b.vpc.PrivateSubnetIDs[az].ToStringOutput()
	}
	// One access point per service that mounts the scratch file system, as the service's user;
	// the EFS CSI driver's node plugin mounts each volume, through its access point only.
	var accessPoints []filesystem.AccessPoint
	var grants []filesystem.MountGrant
	for _, service := range cfg.ServicesWith(func(i AWSIntent) bool { return i.EFS == FileSystemScratch }) {
		ap := ServiceAccessPoint(service, cfg.Services[service])
		accessPoints = append(accessPoints, ap)
		grants = append(grants, filesystem.MountGrant{AccessPoint: ap.Name, RoleName: b.eks.EFSCSIRoleName})
	}
	if b.d.Scratch, err = filesystem.NewFileSystem(b.ctx, cfg.Name()+"-scratch", &filesystem.FileSystemArgs{
		AccountID:             b.acct.ID,
		KmsKeyArn:             keys.data,
		VpcID:                 b.vpc.VpcID.ToStringOutput(),
		ClientSecurityGroupID: b.eks.NodeSecurityGroupID,
		PrivateSubnets:        subnets,
		AccessPoints:          accessPoints,
		MountGrants:           grants,
		Protect:               cfg.Stateful.Protect,
		RetainOnDelete:        cfg.Stateful.RetainOnDelete,
	}, b.opts...); err != nil {
		return nil, err
	}

	var readers []pulumi.StringInput
	for _, service := range cfg.ServicesWith(func(i AWSIntent) bool { return i.Secret == SecretAppCredential }) {
		readers = append(readers, b.d.Roles[service].Arn)
	}
	if b.d.Credentials, err = b.secret(SecretAppCredential, "High-value application credentials; the value is set out of band, never by Pulumi",
		readers...); err != nil {
		return nil, err
	}
	return &b.d, nil
}

// writeOnceFor are the bucket arguments that make the services which put (create only) into the
// bucket unable to delete or overwrite its objects.
func (b *dataBuilder) writeOnceFor(bucket string) storage.BucketArgs {
	var putters []pulumi.StringInput
	for _, service := range b.cfg.ServicesWith(func(i AWSIntent) bool {
		return i.S3.Bucket == bucket && slices.Contains(i.S3.Actions, ActionPut)
	}) {
		putters = append(putters, b.d.Roles[service].Arn)
	}
	return storage.BucketArgs{DenyDeleteTo: putters, WriteOnceFor: putters}
}

// ServiceAccessPoint is a service's access point on a file system: its own directory, owned by its
// user and group, closed to others.
func ServiceAccessPoint(service string, s ServiceConfig) filesystem.AccessPoint {
	return filesystem.AccessPoint{Name: service, UID: int(s.UID), GID: int(s.GID), Path: "/" + service, Permissions: "0750"}
}

func arnOfBucket(partition, bucket string) string { return "arn:" + partition + ":s3:::" + bucket }
