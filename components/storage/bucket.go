package storage

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/securestack/platform/components/lib/iampolicy"
)

// BucketTypeToken is the Pulumi type of the Bucket component. It is in users' state: never change it.
const BucketTypeToken = "platform:storage:Bucket"

// Encryption is a bucket's default server-side encryption, spelled as S3's sseAlgorithm.
type Encryption string

const (
	// SSES3 encrypts every object with S3-managed keys (AES-256): what the requirements ask for,
	// and the default.
	SSES3 Encryption = "AES256"
	// SSEKMS encrypts every object with a customer-managed KMS key (BucketArgs.KmsKeyArn), through
	// an S3 Bucket Key so that KMS is not called for every object.
	SSEKMS Encryption = "aws:kms"
)

// Fixed settings and defaults of a Bucket.
const (
	// DefaultAccessLogPrefix is where server access logs go in a log bucket: a bucket named n logs
	// under DefaultAccessLogPrefix + n + "/", and a log bucket admits the logging service under
	// DefaultAccessLogPrefix.
	DefaultAccessLogPrefix = "access-logs/"
	// AbortIncompleteMultipartUploadDays: parts of uploads never completed are deleted after this.
	AbortIncompleteMultipartUploadDays = 7
	// LogDeliveryService is the service principal that writes S3 server access logs.
	LogDeliveryService = "logging.s3.amazonaws.com"
	// ObjectOwnership disables ACLs: the bucket owner owns every object, access is by policy only.
	ObjectOwnership = "BucketOwnerEnforced"
	// VersioningStatus is the versioning status of every bucket.
	VersioningStatus = "Enabled"
	// MaxBucketPrefixLen is the longest bucketPrefix AWS accepts (it appends 26 characters).
	MaxBucketPrefixLen = 37
)

// Lifecycle rule ids, stable: they are the keys of the rules in the bucket's configuration.
const (
	RuleAbortIncompleteUploads  = "abort-incomplete-multipart-uploads"
	RuleExpireNoncurrentVersion = "expire-noncurrent-versions"
	RuleExpireObjects           = "expire-objects"
)

// Statement ids of the policies Bucket writes.
const (
	SidDenyInsecureTransport = "DenyInsecureTransport"
	SidDenyObjectDeletion    = "DenyObjectDeletion"
	SidDenyOverwrite         = "DenyWritesThatCouldOverwrite"
	SidAllowAccessLogs       = "AllowS3ServerAccessLogDelivery"
)

// DeleteActions are the actions DenyDeleteTo denies: deleting an object or any version of it.
var DeleteActions = []string{"s3:DeleteObject", "s3:DeleteObjectVersion"}

// The condition keys of S3 conditional writes. A PutObject (or CompleteMultipartUpload, or
// CopyObject) carrying If-None-Match: * succeeds only if no object has the key, so it can never
// overwrite; the parts of a multipart upload (CreateMultipartUpload, UploadPart, UploadPartCopy)
// cannot carry the header and are not object creations.
const (
	KeyIfNoneMatch             = "s3:if-none-match"
	KeyObjectCreationOperation = "s3:ObjectCreationOperation"
)

// OverwriteConditions match an object creation without If-None-Match: the writes that could
// replace an existing object (and make its old version noncurrent, for lifecycle to delete).
func OverwriteConditions() iampolicy.Conditions {
	return iampolicy.Conditions{
		"Null": {KeyIfNoneMatch: {"true"}},
		"Bool": {KeyObjectCreationOperation: {"true"}},
	}
}

// WriteOnceGrants are the Allow statements of a principal that may only create new objects under
// objectsArn: object creations with If-None-Match, and the parts of multipart uploads. They are
// the exact complement of the bucket's DenyOverwrite, so the principal's policy and the bucket's
// agree.
func WriteOnceGrants(sid, objectsArn string) []iampolicy.Statement {
	return []iampolicy.Statement{
		{Sid: sid + "New", Effect: iampolicy.Allow, Actions: iampolicy.StringList{"s3:PutObject"},
			Resources: iampolicy.StringList{objectsArn}, Conditions: iampolicy.Conditions{"Null": {KeyIfNoneMatch: {"false"}}}},
		{Sid: sid + "Parts", Effect: iampolicy.Allow, Actions: iampolicy.StringList{"s3:PutObject"},
			Resources: iampolicy.StringList{objectsArn}, Conditions: iampolicy.Conditions{"Bool": {KeyObjectCreationOperation: {"false"}}}},
	}
}

// BucketArgs configures a Bucket. The zero value of each optional field is the secure default.
type BucketArgs struct {
	// AccountID is the 12-digit id of the account that owns the bucket; required. A log bucket
	// admits the S3 logging service on behalf of this account only.
	AccountID string
	// BucketName is the exact, globally unique bucket name; "" (recommended) lets AWS generate a
	// unique name starting with BucketPrefix(name), which can never clash with another account's.
	BucketName string
	// Encryption is the default server-side encryption; "" means SSES3 (AES-256), what the
	// requirements ask for: every reader can decrypt without a key-policy grant, and ELB and S3
	// log delivery write only to SSE-S3 buckets. SSEKMS is the choice for data whose key must be ours.
	Encryption Encryption
	// KmsKeyArn is the customer-managed key of SSEKMS: required with SSEKMS, not allowed otherwise.
	KmsKeyArn pulumi.StringInput
	// AccessLogBucket is the name of the bucket that receives this bucket's server access logs (the
	// BucketName of a Bucket built with IsLogBucket); required unless IsLogBucket.
	AccessLogBucket pulumi.StringInput
	// AccessLogPrefix: for a bucket that logs, the key prefix of its logs in AccessLogBucket, ""
	// meaning DefaultAccessLogPrefix + name + "/"; for a log bucket, the prefix under which the
	// logging service may write, "" meaning DefaultAccessLogPrefix. Keep the two consistent: a
	// source prefix outside the log bucket's is refused by its policy.
	AccessLogPrefix string
	// IsLogBucket makes this the target of other buckets' server access logs: it does not log itself
	// (AccessLogBucket must be unset), and its policy also lets LogDeliveryService put objects under
	// the log prefix for AccountID. Keep it SSES3: with SSEKMS the key policy must admit the service.
	// False (the default): the bucket logs its own access to AccessLogBucket.
	IsLogBucket bool
	// LoadBalancerLogs makes the bucket receive Elastic Load Balancing access logs: its policy lets
	// the region's log-delivery principal put objects under the prefix for AccountID. ELB writes
	// only to SSE-S3 buckets, so Encryption must stay SSES3. Nil (the default) admits no log
	// delivery: the policy only denies.
	LoadBalancerLogs *LoadBalancerLogDelivery
	// DenyDeleteTo are IAM principal ARNs (for example the uploader's role) denied DeleteActions on
	// every object, whatever their own policies allow. nil denies deletion to no one in particular.
	DenyDeleteTo []pulumi.StringInput
	// WriteOnceFor are IAM principal ARNs that may only create new objects: any object creation of
	// theirs without If-None-Match: * is denied (DenyOverwrite), so they can never replace an object
	// and, through versioning and lifecycle, delete its old version. nil: no such statement.
	WriteOnceFor []pulumi.StringInput
	// ExtraStatements returns more Deny statements for the bucket policy, given the bucket ARN. Only
	// Deny: the policy never grants access, so the bucket stays private. It is called once with a
	// placeholder ARN when the args are validated, so it must be a pure function of its argument.
	// Nil (the default) adds none.
	ExtraStatements func(bucketArn string) []iampolicy.Statement
	// NoncurrentVersionExpirationDays deletes object versions this many days after they stop being
	// current; 0 (the default) keeps every version forever, because deleting history is a
	// decision about the data that only its owner can make.
	NoncurrentVersionExpirationDays int
	// ExpirationDays expires objects this many days after creation (for log buckets); 0 (the
	// default) never, for the same reason.
	// Versioning keeps an expired object as a noncurrent version: set
	// NoncurrentVersionExpirationDays too for it to be deleted.
	ExpirationDays int
	// ForceDestroy lets `pulumi destroy` delete the bucket with its objects (dev); false keeps a
	// non-empty bucket from being deleted.
	ForceDestroy bool
	// Protect applies to the bucket: the stack cannot delete it (set it in prod). False (the
	// default) lets a dev stack be torn down; a non-empty bucket still survives unless ForceDestroy.
	Protect bool
	// RetainOnDelete keeps the bucket, and the settings that guard it (encryption, public-access
	// block, ownership, policy, versioning, logging, lifecycle), in AWS when the stack deletes them:
	// a retained bucket is never left unguarded. False (the default) deletes them with the stack.
	RetainOnDelete bool
	// Tags are added to the bucket; nil adds none.
	Tags map[string]string
}

// Bucket is an S3 bucket encrypted by default (SSE-S3 AES-256 unless SSE-KMS is chosen),
// versioned, private (all public access blocked, ACLs disabled, a policy that only denies),
// reachable over TLS only, with server access logs and a lifecycle that cleans up.
type Bucket struct {
	pulumi.ResourceState

	// BucketName is the bucket's name (its `bucket` output): pass it as other buckets'
	// AccessLogBucket when this is a log bucket.
	BucketName pulumi.StringOutput
	// Arn is the bucket's ARN.
	Arn pulumi.StringOutput
	// ID is the bucket's provider id (its name).
	ID pulumi.IDOutput
}

var (
	accountIDPattern  = regexp.MustCompile(`^[0-9]{12}$`)
	elbAccountPattern = regexp.MustCompile(`^arn:aws(-[a-z]+)*:iam::[0-9]{12}:root$`)
)

// placeholderArn is what ExtraStatements is called with when the args are validated.
const placeholderArn = "arn:aws:s3:::bucket-arn-placeholder"

// Validate reports every problem with the args at once. It registers nothing.
func (a *BucketArgs) Validate() error {
	var errs []error
	if !accountIDPattern.MatchString(a.AccountID) {
		errs = append(errs, fmt.Errorf("accountId: %q must be a 12-digit AWS account id", a.AccountID))
	}
	if a.BucketName != "" {
		if err := CheckBucketName(a.BucketName); err != nil {
			errs = append(errs, fmt.Errorf("bucketName: %w", err))
		}
	}
	switch a.Encryption {
	case "", SSES3:
		if a.KmsKeyArn != nil {
			errs = append(errs, fmt.Errorf("kmsKeyArn: set only with encryption %s (got encryption %s)", SSEKMS, SSES3))
		}
	case SSEKMS:
		if a.KmsKeyArn == nil {
			errs = append(errs, fmt.Errorf("kmsKeyArn: required with encryption %s", SSEKMS))
		}
	default:
		errs = append(errs, fmt.Errorf("encryption: %q is not an algorithm (allowed: %s, %s)", a.Encryption, SSES3, SSEKMS))
	}
	switch {
	case a.IsLogBucket && a.AccessLogBucket != nil:
		errs = append(errs, errors.New("accessLogBucket: a log bucket does not log; leave it unset with isLogBucket"))
	case !a.IsLogBucket && a.AccessLogBucket == nil:
		errs = append(errs, errors.New("accessLogBucket: required (every bucket's access is logged) unless isLogBucket"))
	}
	if strings.HasPrefix(a.AccessLogPrefix, "/") {
		errs = append(errs, fmt.Errorf("accessLogPrefix: %q must not start with /", a.AccessLogPrefix))
	}
	for i, p := range a.DenyDeleteTo {
		if p == nil {
			errs = append(errs, fmt.Errorf("denyDeleteTo[%d]: nil (want a principal ARN)", i))
		}
	}
	for i, p := range a.WriteOnceFor {
		if p == nil {
			errs = append(errs, fmt.Errorf("writeOnceFor[%d]: nil (want a principal ARN)", i))
		}
	}
	if a.ExtraStatements != nil {
		errs = append(errs, checkExtraStatements(a.ExtraStatements(placeholderArn))...)
	}
	if lb := a.LoadBalancerLogs; lb != nil {
		if a.Encryption == SSEKMS {
			errs = append(errs, fmt.Errorf("encryption: %s with loadBalancerLogs; load balancers deliver logs only to SSE-S3 buckets", SSEKMS))
		}
		if lb.Principal != LoadBalancerLogService && !elbAccountPattern.MatchString(lb.Principal) {
			errs = append(errs, fmt.Errorf("loadBalancerLogs.principal: %q is neither %s nor an account root ARN", lb.Principal, LoadBalancerLogService))
		}
		if strings.Trim(lb.Prefix, "/") != lb.Prefix {
			errs = append(errs, fmt.Errorf("loadBalancerLogs.prefix: %q must not start or end with /", lb.Prefix))
		}
	}
	if d := a.NoncurrentVersionExpirationDays; d < 0 {
		errs = append(errs, fmt.Errorf("noncurrentVersionExpirationDays: %d must be 0 (keep forever) or more", d))
	}
	if d := a.ExpirationDays; d < 0 {
		errs = append(errs, fmt.Errorf("expirationDays: %d must be 0 (never) or more", d))
	}
	return errors.Join(errs...)
}

// checkExtraStatements: callers may only add structurally valid Deny statements.
func checkExtraStatements(stmts []iampolicy.Statement) []error {
	var errs []error
	for i, s := range stmts {
		if s.Effect != iampolicy.Deny {
			errs = append(errs, fmt.Errorf("extraStatements[%d]: effect %q: only Deny statements may be added (the bucket stays private)", i, s.Effect))
			continue
		}
		if err := iampolicy.New(s).Validate(); err != nil {
			errs = append(errs, fmt.Errorf("extraStatements[%d]: %w", i, err))
		}
	}
	return errs
}

// withDefaults fills the unset fields; name is the component's.
func (a *BucketArgs) withDefaults(name string) BucketArgs {
	out := *a
	if out.Encryption == "" {
		out.Encryption = SSES3
	}
	if out.AccessLogPrefix == "" {
		out.AccessLogPrefix = DefaultAccessLogPrefix
		if !out.IsLogBucket {
			out.AccessLogPrefix += name + "/"
		}
	}
	return out
}

var (
	ipLike            = regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$`)
	bucketNameChars   = regexp.MustCompile(`^[a-z0-9.-]*$`)
	reservedPrefixes  = []string{"xn--", "sthree-", "amzn-s3-demo-"}
	reservedSuffixes  = []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"}
	alphanumericStart = regexp.MustCompile(`^[a-z0-9]`)
	alphanumericEnd   = regexp.MustCompile(`[a-z0-9]$`)
)

// CheckBucketName checks a general purpose bucket name against the S3 naming rules, reporting
// every rule it breaks.
func CheckBucketName(name string) error {
	var why []string
	if n := len(name); n < 3 || n > 63 {
		why = append(why, fmt.Sprintf("length %d is outside 3 to 63", n))
	}
	if !bucketNameChars.MatchString(name) {
		why = append(why, "only lowercase letters, digits, dots and hyphens are allowed")
	}
	if !alphanumericStart.MatchString(name) || !alphanumericEnd.MatchString(name) {
		why = append(why, "must begin and end with a lowercase letter or digit")
	}
	if strings.Contains(name, "..") {
		why = append(why, "must not have two adjacent dots")
	}
	if ipLike.MatchString(name) {
		why = append(why, "must not be formatted as an IP address")
	}
	for _, p := range reservedPrefixes {
		if strings.HasPrefix(name, p) {
			why = append(why, fmt.Sprintf("must not start with %q", p))
		}
	}
	for _, s := range reservedSuffixes {
		if strings.HasSuffix(name, s) {
			why = append(why, fmt.Sprintf("must not end with %q", s))
		}
	}
	if len(why) == 0 {
		return nil
	}
	return fmt.Errorf("%q is not a valid S3 bucket name: %s", name, strings.Join(why, "; "))
}

// BucketPrefix derives the bucketPrefix of a bucket from a component name: lowercase letters and
// digits, every other run of characters (dots included, which break TLS to virtual-hosted
// buckets) turned into one hyphen, at most MaxBucketPrefixLen characters, ending with a hyphen
// before the part AWS appends.
func BucketPrefix(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else if s := b.String(); s != "" && !strings.HasSuffix(s, "-") {
			b.WriteByte('-')
		}
	}
	p := strings.Trim(b.String(), "-")
	for _, reserved := range reservedPrefixes {
		if strings.HasPrefix(p+"-", reserved) {
			p = "b-" + p
		}
	}
	if p == "" {
		p = "bucket"
	}
	if len(p) > MaxBucketPrefixLen-1 {
		p = strings.TrimRight(p[:MaxBucketPrefixLen-1], "-")
	}
	return p + "-"
}

// DenyInsecureTransport denies every S3 action on the bucket and its objects to anyone not using
// TLS.
func DenyInsecureTransport(bucketArn string) iampolicy.Statement {
	return iampolicy.Statement{
		Sid:        SidDenyInsecureTransport,
		Effect:     iampolicy.Deny,
		Principal:  &iampolicy.Principal{Wildcard: true},
		Actions:    iampolicy.StringList{"s3:*"},
		Resources:  iampolicy.StringList{bucketArn, bucketArn + "/*"},
		Conditions: iampolicy.Conditions{"Bool": {"aws:SecureTransport": {"false"}}},
	}
}

// DenyDelete denies the principals DeleteActions on every object of the bucket.
func DenyDelete(bucketArn string, principals []string) iampolicy.Statement {
	return iampolicy.Statement{
		Sid:       SidDenyObjectDeletion,
		Effect:    iampolicy.Deny,
		Principal: &iampolicy.Principal{AWS: iampolicy.StringList(principals)},
		Actions:   iampolicy.StringList(DeleteActions),
		Resources: iampolicy.StringList{bucketArn + "/*"},
	}
}

// DenyOverwrite denies the principals every object creation that could overwrite an object.
func DenyOverwrite(bucketArn string, principals []string) iampolicy.Statement {
	return iampolicy.Statement{
		Sid:        SidDenyOverwrite,
		Effect:     iampolicy.Deny,
		Principal:  &iampolicy.Principal{AWS: iampolicy.StringList(principals)},
		Actions:    iampolicy.StringList{"s3:PutObject"},
		Resources:  iampolicy.StringList{bucketArn + "/*"},
		Conditions: OverwriteConditions(),
	}
}

// AllowAccessLogDelivery lets the S3 logging service put server access logs of the account's
// buckets under prefix: the documented grant for a BucketOwnerEnforced log bucket (no ACLs).
func AllowAccessLogDelivery(bucketArn, prefix, accountID string) iampolicy.Statement {
	return iampolicy.Statement{
		Sid:        SidAllowAccessLogs,
		Effect:     iampolicy.Allow,
		Principal:  &iampolicy.Principal{Service: iampolicy.StringList{LogDeliveryService}},
		Actions:    iampolicy.StringList{"s3:PutObject"},
		Resources:  iampolicy.StringList{bucketArn + "/" + prefix + "*"},
		Conditions: iampolicy.Conditions{"StringEquals": {"aws:SourceAccount": {accountID}}},
	}
}

// LogDelivery says whose server access logs a log bucket receives, and where.
type LogDelivery struct {
	// AccountID is the account whose buckets' logs the logging service may deliver.
	AccountID string
	// Prefix is the key prefix it may write under (DefaultAccessLogPrefix for a Bucket).
	Prefix string
}

// LoadBalancerLogDelivery says who delivers load balancer access logs to a bucket, and where.
type LoadBalancerLogDelivery struct {
	// Principal is the region's Elastic Load Balancing account (an ARN such as
	// arn:aws:iam::156460612806:root, from aws.elb.getServiceAccount) or, in regions opened since
	// August 2022, the service principal LoadBalancerLogService.
	Principal string
	// Prefix is the key prefix the load balancer is configured with ("" for none).
	Prefix string
}

// LoadBalancerLogService is the log-delivery service principal of the newer regions.
const LoadBalancerLogService = "logdelivery.elasticloadbalancing.amazonaws.com"

// SidAllowLoadBalancerLogs is the statement that admits load balancer access logs.
const SidAllowLoadBalancerLogs = "AllowLoadBalancerAccessLogs"

// AllowLoadBalancerLogDelivery lets the load balancer log delivery put the account's logs under
// prefix/AWSLogs/<account>/, the only keys ELB writes.
func AllowLoadBalancerLogDelivery(bucketArn string, d LoadBalancerLogDelivery, accountID string) iampolicy.Statement {
	principal := &iampolicy.Principal{AWS: iampolicy.StringList{d.Principal}}
	if d.Principal == LoadBalancerLogService {
		principal = &iampolicy.Principal{Service: iampolicy.StringList{d.Principal}}
	}
	key := bucketArn + "/"
	if d.Prefix != "" {
		key += d.Prefix + "/"
	}
	return iampolicy.Statement{
		Sid:       SidAllowLoadBalancerLogs,
		Effect:    iampolicy.Allow,
		Principal: principal,
		Actions:   iampolicy.StringList{"s3:PutObject"},
		Resources: iampolicy.StringList{key + "AWSLogs/" + accountID + "/*"},
	}
}

// PolicySpec is everything a bucket policy is built from, resolved.
type PolicySpec struct {
	// BucketArn is the bucket the policy is for; every statement names it or its objects.
	BucketArn string
	// DenyDeleteTo are principal ARNs denied DeleteActions; none means no such statement.
	DenyDeleteTo []string
	// WriteOnceFor are principal ARNs denied writes that could overwrite; none: no statement.
	WriteOnceFor []string
	// LogDelivery, for a log bucket, admits the S3 logging service.
	LogDelivery *LogDelivery
	// LoadBalancerLogs admits load balancer log delivery for AccountID.
	LoadBalancerLogs *LoadBalancerLogDelivery
	// AccountID is the account load balancer logs are delivered for (with LoadBalancerLogs).
	AccountID string
	// Extra are the caller's Deny statements, appended last.
	Extra []iampolicy.Statement
}

// BucketPolicy is the policy of a bucket: always DenyInsecureTransport, then DenyDelete and
// DenyOverwrite (if any principal), AllowAccessLogDelivery (log buckets) and the extra statements, in that order.
func BucketPolicy(s PolicySpec) iampolicy.Document {
	stmts := []iampolicy.Statement{DenyInsecureTransport(s.BucketArn)}
	if len(s.DenyDeleteTo) > 0 {
		stmts = append(stmts, DenyDelete(s.BucketArn, s.DenyDeleteTo))
	}
	if len(s.WriteOnceFor) > 0 {
		stmts = append(stmts, DenyOverwrite(s.BucketArn, s.WriteOnceFor))
	}
	if s.LogDelivery != nil {
		stmts = append(stmts, AllowAccessLogDelivery(s.BucketArn, s.LogDelivery.Prefix, s.LogDelivery.AccountID))
	}
	if s.LoadBalancerLogs != nil {
		stmts = append(stmts, AllowLoadBalancerLogDelivery(s.BucketArn, *s.LoadBalancerLogs, s.AccountID))
	}
	return iampolicy.New(append(stmts, s.Extra...)...)
}

// NewBucket creates the bucket and the resources that secure it. The args are validated before
// anything is registered.
func NewBucket(ctx *pulumi.Context, name string, args *BucketArgs, opts ...pulumi.ResourceOption) (*Bucket, error) {
	if args == nil {
		args = &BucketArgs{}
	}
	if err := args.Validate(); err != nil {
		return nil, fmt.Errorf("storage.NewBucket %q: %w", name, err)
	}
	a := args.withDefaults(name)
	bkt := &Bucket{}
	if err := ctx.RegisterComponentResource(BucketTypeToken, name, bkt, opts...); err != nil {
		return nil, err
	}
	b := &bucketBuilder{ctx: ctx, name: name, args: a, out: bkt,
		opts: []pulumi.ResourceOption{pulumi.Parent(bkt), pulumi.RetainOnDelete(a.RetainOnDelete)}}
	steps := []func() error{b.bucket, b.encryption, b.versioning, b.publicAccess, b.ownership, b.policy, b.logging, b.lifecycle}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	if err := ctx.RegisterResourceOutputs(bkt, pulumi.Map{
		"bucketName": bkt.BucketName,
		"bucketArn":  bkt.Arn,
		"bucketId":   bkt.ID,
	}); err != nil {
		return nil, err
	}
	return bkt, nil
}

// bucketBuilder registers the children of one Bucket; each method is one child.
type bucketBuilder struct {
	ctx  *pulumi.Context
	name string
	args BucketArgs
	out  *Bucket
	opts []pulumi.ResourceOption // parent and retainOnDelete, for every child

	s3Bucket     *s3.BucketV2
	publicBlock  *s3.BucketPublicAccessBlock
	versioningV2 *s3.BucketVersioningV2
}

func (b *bucketBuilder) child(aspect string) string { return b.name + "-" + aspect }

func (b *bucketBuilder) with(extra ...pulumi.ResourceOption) []pulumi.ResourceOption {
	return append(append([]pulumi.ResourceOption{}, b.opts...), extra...)
}

func (b *bucketBuilder) bucket() error {
	args := &s3.BucketV2Args{
		ForceDestroy: pulumi.Bool(b.args.ForceDestroy),
		Tags:         pulumi.ToStringMap(maps.Clone(b.args.Tags)),
	}
	if b.args.BucketName != "" {
		args.Bucket = pulumi.String(b.args.BucketName)
	} else {
		args.BucketPrefix = pulumi.String(BucketPrefix(b.name))
	}
	var err error
	b.s3Bucket, err = s3.NewBucketV2(b.ctx, b.name, args, b.with(pulumi.Protect(b.args.Protect))...)
	if err != nil {
		return err
	}
	b.out.BucketName, b.out.Arn, b.out.ID = b.s3Bucket.Bucket, b.s3Bucket.Arn, b.s3Bucket.ID()
	return nil
}

func (b *bucketBuilder) encryption() error {
	byDefault := &s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs{
		SseAlgorithm: pulumi.String(string(b.args.Encryption)),
	}
	rule := &s3.BucketServerSideEncryptionConfigurationV2RuleArgs{ApplyServerSideEncryptionByDefault: byDefault}
	if b.args.Encryption == SSEKMS {
		byDefault.KmsMasterKeyId = b.args.KmsKeyArn
		rule.BucketKeyEnabled = pulumi.Bool(true)
	}
	_, err := s3.NewBucketServerSideEncryptionConfigurationV2(b.ctx, b.child("encryption"), &s3.BucketServerSideEncryptionConfigurationV2Args{
		Bucket: b.s3Bucket.Bucket,
		Rules:  s3.BucketServerSideEncryptionConfigurationV2RuleArray{rule},
	}, b.with()...)
	return err
}

func (b *bucketBuilder) versioning() error {
	var err error
	b.versioningV2, err = s3.NewBucketVersioningV2(b.ctx, b.child("versioning"), &s3.BucketVersioningV2Args{
		Bucket: b.s3Bucket.Bucket,
		VersioningConfiguration: &s3.BucketVersioningV2VersioningConfigurationArgs{
			Status: pulumi.String(VersioningStatus),
		},
	}, b.with()...)
	return err
}

func (b *bucketBuilder) publicAccess() error {
	var err error
	b.publicBlock, err = s3.NewBucketPublicAccessBlock(b.ctx, b.child("public-access"), &s3.BucketPublicAccessBlockArgs{
		Bucket:                b.s3Bucket.Bucket,
		BlockPublicAcls:       pulumi.Bool(true),
		BlockPublicPolicy:     pulumi.Bool(true),
		IgnorePublicAcls:      pulumi.Bool(true),
		RestrictPublicBuckets: pulumi.Bool(true),
	}, b.with()...)
	return err
}

func (b *bucketBuilder) ownership() error {
	_, err := s3.NewBucketOwnershipControls(b.ctx, b.child("ownership"), &s3.BucketOwnershipControlsArgs{
		Bucket: b.s3Bucket.Bucket,
		Rule:   &s3.BucketOwnershipControlsRuleArgs{ObjectOwnership: pulumi.String(ObjectOwnership)},
	}, b.with()...)
	return err
}

func (b *bucketBuilder) policy() error {
	inputs := []any{b.s3Bucket.Arn}
	for _, p := range b.args.DenyDeleteTo {
		inputs = append(inputs, p)
	}
	for _, p := range b.args.WriteOnceFor {
		inputs = append(inputs, p)
	}
	a := b.args
	doc := pulumi.All(inputs...).ApplyT(func(vs []any) (string, error) {
		spec := PolicySpec{BucketArn: vs[0].(string)}
		for _, v := range vs[1 : 1+len(a.DenyDeleteTo)] {
			spec.DenyDeleteTo = append(spec.DenyDeleteTo, v.(string))
		}
		for _, v := range vs[1+len(a.DenyDeleteTo):] {
			spec.WriteOnceFor = append(spec.WriteOnceFor, v.(string))
		}
		if a.IsLogBucket {
			spec.LogDelivery = &LogDelivery{AccountID: a.AccountID, Prefix: a.AccessLogPrefix}
		}
		spec.LoadBalancerLogs, spec.AccountID = a.LoadBalancerLogs, a.AccountID
		if a.ExtraStatements != nil {
			spec.Extra = a.ExtraStatements(spec.BucketArn)
			if errs := checkExtraStatements(spec.Extra); len(errs) > 0 {
				return "", fmt.Errorf("storage.NewBucket %q: %w", b.name, errors.Join(errs...))
			}
		}
		return BucketPolicy(spec).JSON()
	}).(pulumi.StringOutput)
	// AWS refuses some policies while the public-access block is being set: apply it first.
	_, err := s3.NewBucketPolicy(b.ctx, b.child("policy"), &s3.BucketPolicyArgs{
		Bucket: b.s3Bucket.Bucket,
		Policy: doc,
	}, b.with(pulumi.DependsOn([]pulumi.Resource{b.publicBlock}))...)
	return err
}

func (b *bucketBuilder) logging() error {
	if b.args.IsLogBucket {
		return nil
	}
	_, err := s3.NewBucketLoggingV2(b.ctx, b.child("logging"), &s3.BucketLoggingV2Args{
		Bucket:       b.s3Bucket.Bucket,
		TargetBucket: b.args.AccessLogBucket,
		TargetPrefix: pulumi.String(b.args.AccessLogPrefix),
	}, b.with()...)
	return err
}

func (b *bucketBuilder) lifecycle() error {
	everything := &s3.BucketLifecycleConfigurationV2RuleFilterArgs{}
	rules := s3.BucketLifecycleConfigurationV2RuleArray{
		&s3.BucketLifecycleConfigurationV2RuleArgs{
			Id:     pulumi.String(RuleAbortIncompleteUploads),
			Status: pulumi.String("Enabled"),
			Filter: everything,
			AbortIncompleteMultipartUpload: &s3.BucketLifecycleConfigurationV2RuleAbortIncompleteMultipartUploadArgs{
				DaysAfterInitiation: pulumi.Int(AbortIncompleteMultipartUploadDays),
			},
		},
	}
	if d := b.args.NoncurrentVersionExpirationDays; d > 0 {
		rules = append(rules, &s3.BucketLifecycleConfigurationV2RuleArgs{
			Id:     pulumi.String(RuleExpireNoncurrentVersion),
			Status: pulumi.String("Enabled"),
			Filter: everything,
			NoncurrentVersionExpiration: &s3.BucketLifecycleConfigurationV2RuleNoncurrentVersionExpirationArgs{
				NoncurrentDays: pulumi.Int(d),
			},
		})
	}
	if d := b.args.ExpirationDays; d > 0 {
		rules = append(rules, &s3.BucketLifecycleConfigurationV2RuleArgs{
			Id:         pulumi.String(RuleExpireObjects),
			Status:     pulumi.String("Enabled"),
			Filter:     everything,
			Expiration: &s3.BucketLifecycleConfigurationV2RuleExpirationArgs{Days: pulumi.Int(d)},
		})
	}
	// A lifecycle configuration of a versioned bucket waits for versioning (as the provider advises).
	_, err := s3.NewBucketLifecycleConfigurationV2(b.ctx, b.child("lifecycle"), &s3.BucketLifecycleConfigurationV2Args{
		Bucket: b.s3Bucket.Bucket,
		Rules:  rules,
	}, b.with(pulumi.DependsOn([]pulumi.Resource{b.versioningV2}))...)
	return err
}
