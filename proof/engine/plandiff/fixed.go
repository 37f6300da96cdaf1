package plandiff

// FixedInput is an input of a stateful type that is fixed when the resource is created: the
// provider can apply a change only by replacing the resource (Terraform's ForceNew, which the
// bridged pulumi-aws provider turns into a replacement), and the replacement is a new, empty
// resource (or, for a key, one that cannot decrypt what the old one encrypted).
type FixedInput struct {
	Path string // top-level input, as in plan.json
	// UnlessAdded: only a change or a removal replaces; setting it where it was absent is an
	// update (EKS associates a secrets key with a running cluster, but never drops or swaps it).
	UnlessAdded bool
	Why         string
}

// FixedInputs are the inputs fixed at creation, per stateful type (every type of
// controls.StatefulTypes has a row; a test keeps them in step). Each was read in the provider's
// resource schema (hashicorp/terraform-provider-aws, which pulumi-aws v6 bridges: ForceNew on the
// field) and named as in the pulumi-aws v6.83.4 Go SDK (its `pulumi:"..."` tags):
//
//	s3 BucketV2        internal/service/s3/bucket.go             bucket, bucket_prefix, object_lock_enabled
//	dynamodb Table     internal/service/dynamodb/table.go        name, hash_key, range_key, local_secondary_index
//	efs FileSystem     internal/service/efs/file_system.go       encrypted, kms_key_id, performance_mode, creation_token, availability_zone_name
//	kms Key            internal/service/kms/key.go               customer_master_key_spec, key_usage, multi_region, custom_key_store_id, xks_key_id
//	ecr Repository     internal/service/ecr/repository.go        name, encryption_configuration
//	cloudwatch LogGroup internal/service/logs/group.go           name, name_prefix, log_group_class (kms_key_id is updated in place)
//	secretsmanager Secret internal/service/secretsmanager/secret.go name, name_prefix (kms_key_id is updated in place)
//	eks Cluster        internal/service/eks/cluster.go           name; encryption_config: removal forces a new cluster (ForceNewIfChange)
//
// eks:index:Cluster is pulumi-eks's component: its name input names the EKS cluster, and
// encryptionConfigKeyArn is the key of its encryption_config.
var FixedInputs = map[string][]FixedInput{
	"aws:s3/bucketV2:BucketV2": {
		{Path: "bucket", Why: "a bucket's name is fixed at creation: a new name is a new, empty bucket"},
		{Path: "bucketPrefix", Why: "a bucket's name is fixed at creation: a new prefix is a new, empty bucket"},
		{Path: "objectLockEnabled", Why: "Object Lock is chosen when the bucket is created"},
	},
	"aws:dynamodb/table:Table": {
		{Path: "name", Why: "a table's name is fixed at creation: a new name is a new, empty table"},
		{Path: "hashKey", Why: "a table's key schema is fixed at creation"},
		{Path: "rangeKey", Why: "a table's key schema is fixed at creation"},
		{Path: "localSecondaryIndexes", Why: "local secondary indexes exist only from the table's creation"},
	},
	"aws:efs/fileSystem:FileSystem": {
		{Path: "encrypted", Why: "a file system is encrypted, or not, from its creation"},
		{Path: "kmsKeyId", Why: "a file system's key is fixed at creation"},
		{Path: "performanceMode", Why: "a file system's performance mode is fixed at creation"},
		{Path: "creationToken", Why: "the creation token identifies the file system's creation"},
		{Path: "availabilityZoneName", Why: "a One Zone file system stays in its zone"},
	},
	"aws:kms/key:Key": {
		{Path: "customerMasterKeySpec", Why: "a key's spec is fixed at creation: a new key cannot decrypt the old one's data"},
		{Path: "keyUsage", Why: "a key's usage is fixed at creation: a new key cannot decrypt the old one's data"},
		{Path: "multiRegion", Why: "a key is multi-Region, or not, from its creation"},
		{Path: "customKeyStoreId", Why: "a key's store is fixed at creation"},
		{Path: "xksKeyId", Why: "an external key is fixed at creation"},
	},
	"aws:ecr/repository:Repository": {
		{Path: "name", Why: "a repository's name is fixed at creation: a new name is a new, empty repository"},
		{Path: "encryptionConfigurations", Why: "a repository's encryption is fixed at creation"},
	},
	"aws:cloudwatch/logGroup:LogGroup": {
		{Path: "name", Why: "a log group's name is fixed at creation: a new name is a new, empty log group"},
		{Path: "namePrefix", Why: "a log group's name is fixed at creation"},
		{Path: "logGroupClass", Why: "a log group's class is fixed at creation"},
	},
	"aws:secretsmanager/secret:Secret": {
		{Path: "name", Why: "a secret's name is fixed at creation: a new name is a new secret without the value"},
		{Path: "namePrefix", Why: "a secret's name is fixed at creation"},
	},
	"eks:index:Cluster": {
		{Path: "name", Why: "a cluster's name is fixed at creation: a new name is a new cluster without the objects in its etcd"},
		{Path: "encryptionConfigKeyArn", UnlessAdded: true, Why: "secrets encryption cannot be turned off or moved to another key: EKS replaces the cluster"},
	},
}

// fixedInput returns the fixed input a change at path (a property path as Compare renders it)
// falls under, if any.
func fixedInput(typ, path string, added bool) (FixedInput, bool) {
	for _, f := range FixedInputs[typ] {
		if !under(path, f.Path) {
			continue
		}
		if f.UnlessAdded && added {
			continue
		}
		return f, true
	}
	return FixedInput{}, false
}

// under reports whether path is top or inside it: "a" is under "a", so are "a.b", "a[0]", "a#/x".
func under(path, top string) bool {
	if len(path) < len(top) || path[:len(top)] != top {
		return false
	}
	if len(path) == len(top) {
		return true
	}
	switch path[len(top)] {
	case '.', '[', '#':
		return true
	}
	return false
}
