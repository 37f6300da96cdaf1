package storage_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/securestack/platform/components/lib/iampolicy"
	"github.com/securestack/platform/components/storage"
	"github.com/securestack/platform/proof/controls"
	"github.com/securestack/platform/proof/engine/graph"
	"github.com/securestack/platform/proof/engine/recorder"
)

const (
	account      = "123456789012"
	uploaderRole = "arn:aws:iam::123456789012:role/uploader"
	kmsKey       = "arn:aws:kms:eu-west-1:123456789012:key/k"

	tComponent  = "platform:storage:Bucket"
	tBucket     = "aws:s3/bucketV2:BucketV2"
	tEncryption = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
	tVersioning = "aws:s3/bucketVersioningV2:BucketVersioningV2"
	tPublic     = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
	tOwnership  = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
	tPolicy     = "aws:s3/bucketPolicy:BucketPolicy"
	tLogging    = "aws:s3/bucketLoggingV2:BucketLoggingV2"
	tLifecycle  = "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"
)

// satelliteTypes are the resources that configure a bucket, by the aspect in their child name.
var satelliteTypes = map[string]string{
	"encryption": tEncryption, "versioning": tVersioning, "public-access": tPublic, "ownership": tOwnership,
	"policy": tPolicy, "logging": tLogging, "lifecycle": tLifecycle,
}

// recordBucket records a program that builds only one Bucket with args.
func recordBucket(t *testing.T, name string, args *storage.BucketArgs) (*graph.Graph, error) {
	t.Helper()
	return recorder.Record(recorder.Options{Stack: "dev", Program: func(ctx *pulumi.Context) error {
		_, err := storage.NewBucket(ctx, name, args)
		return err
	}})
}

func mustRecordBucket(t *testing.T, name string, args *storage.BucketArgs) *graph.Graph {
	t.Helper()
	g, err := recordBucket(t, name, args)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func named(t *testing.T, g *graph.Graph, typ, name string) *graph.Resource {
	t.Helper()
	r, err := g.Named(typ, name)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// output returns a string output of a resource, failing the test if absent.
func output(t *testing.T, r *graph.Resource, key string) string {
	t.Helper()
	v, ok := r.Outputs.GetOk(key)
	if !ok || !v.IsString() {
		t.Fatalf("%s has no string output %q", r.URN, key)
	}
	return v.AsString()
}

// policyOf parses the policy of the bucket of component name.
func policyOf(t *testing.T, g *graph.Graph, name string) (iampolicy.Document, string) {
	t.Helper()
	text, err := named(t, g, tPolicy, name+"-policy").String("policy")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := iampolicy.Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	return doc, text
}

// mustJSON renders a document the test expects.
func mustJSON(t *testing.T, d iampolicy.Document) string {
	t.Helper()
	s, err := d.JSON()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func wantString(t *testing.T, r *graph.Resource, path, want string) {
	t.Helper()
	if got, err := r.String(path); err != nil || got != want {
		t.Errorf("%s %s = %q, %v; want %q", r.Name, path, got, err, want)
	}
}

func wantBool(t *testing.T, r *graph.Resource, path string, want bool) {
	t.Helper()
	if got, err := r.Bool(path); err != nil || got != want {
		t.Errorf("%s %s = %v, %v; want an explicit %v", r.Name, path, got, err, want)
	}
}

func wantInt(t *testing.T, r *graph.Resource, path string, want int) {
	t.Helper()
	if got, err := r.Int(path); err != nil || got != want {
		t.Errorf("%s %s = %d, %v; want %d", r.Name, path, got, err, want)
	}
}

func wantAbsent(t *testing.T, r *graph.Resource, path string) {
	t.Helper()
	if r.Has(path) {
		v, _ := r.Get(path)
		t.Errorf("%s %s = %s; want it unset", r.Name, path, graph.Describe(v))
	}
}

// tlsOnly is the statement every bucket policy starts with, written out literally.
func tlsOnly(arn string) iampolicy.Statement {
	return iampolicy.Statement{
		Sid: "DenyInsecureTransport", Effect: iampolicy.Deny, Principal: &iampolicy.Principal{Wildcard: true},
		Actions: iampolicy.StringList{"s3:*"}, Resources: iampolicy.StringList{arn, arn + "/*"},
		Conditions: iampolicy.Conditions{"Bool": {"aws:SecureTransport": {"false"}}},
	}
}

func TestDefaultBucketIsAES256PrivateOwnerEnforcedVersionedTLSOnlyAndLogged(t *testing.T) {
	g := mustRecordBucket(t, "uploads", &storage.BucketArgs{AccountID: account, AccessLogBucket: pulumi.String("central-logs")})
	want := map[string]int{"pulumi:pulumi:Stack": 1, tComponent: 1, tBucket: 1, tEncryption: 1, tVersioning: 1, tPublic: 1,
		tOwnership: 1, tPolicy: 1, tLogging: 1, tLifecycle: 1}
	if got := g.CountByType(); !maps.Equal(got, want) {
		t.Errorf("resources by type:\n got  %v\n want %v", got, want)
	}

	component := named(t, g, tComponent, "uploads")
	bucket := named(t, g, tBucket, "uploads")
	name, arn := output(t, bucket, "bucket"), output(t, bucket, "arn")
	wantString(t, bucket, "bucketPrefix", "uploads-")
	wantAbsent(t, bucket, "bucket")
	wantBool(t, bucket, "forceDestroy", false)
	if bucket.Protect || bucket.RetainOnDelete || bucket.Parent != component.URN {
		t.Errorf("bucket protect=%v retainOnDelete=%v parent=%s; want false, false, the component", bucket.Protect, bucket.RetainOnDelete, bucket.Parent)
	}
	// Every satellite is a child of the component, named <name>-<aspect>, and configures this bucket.
	for aspect, typ := range satelliteTypes {
		r := named(t, g, typ, "uploads-"+aspect)
		if r.Parent != component.URN {
			t.Errorf("%s parent %s, want the component", r.Name, r.Parent)
		}
		wantString(t, r, "bucket", name)
	}

	enc := named(t, g, tEncryption, "uploads-encryption")
	if n := enc.Len("rules"); n != 1 {
		t.Errorf("%d encryption rules, want 1", n)
	}
	wantString(t, enc, "rules[0].applyServerSideEncryptionByDefault.sseAlgorithm", "AES256")
	wantAbsent(t, enc, "rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId")
	wantAbsent(t, enc, "rules[0].bucketKeyEnabled")

	pab := named(t, g, tPublic, "uploads-public-access")
	for _, p := range []string{"blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"} {
		wantBool(t, pab, p, true)
	}
	wantString(t, named(t, g, tOwnership, "uploads-ownership"), "rule.objectOwnership", "BucketOwnerEnforced")
	versioning := named(t, g, tVersioning, "uploads-versioning")
	wantString(t, versioning, "versioningConfiguration.status", "Enabled")

	lc := named(t, g, tLifecycle, "uploads-lifecycle")
	if n := lc.Len("rules"); n != 1 {
		t.Errorf("%d lifecycle rules, want only the multipart clean-up", n)
	}
	wantString(t, lc, "rules[0].id", "abort-incomplete-multipart-uploads")
	wantString(t, lc, "rules[0].status", "Enabled")
	wantInt(t, lc, "rules[0].abortIncompleteMultipartUpload.daysAfterInitiation", 7)
	if v, err := lc.Get("rules[0].filter"); err != nil || !v.IsMap() || v.AsMap().Len() != 0 {
		t.Errorf("lifecycle rule filter %v, %v; want {} (every object)", v, err)
	}
	if !g.DependsOn(lc, versioning.URN) {
		t.Error("the lifecycle configuration does not wait for versioning")
	}

	policy := named(t, g, tPolicy, "uploads-policy")
	_, text := policyOf(t, g, "uploads")
	if want := mustJSON(t, iampolicy.New(tlsOnly(arn))); text != want {
		t.Errorf("bucket policy:\n got  %s\n want %s", text, want)
	}
	if !g.DependsOn(policy, pab.URN) {
		t.Error("the bucket policy does not wait for the public access block")
	}

	logging := named(t, g, tLogging, "uploads-logging")
	wantString(t, logging, "targetBucket", "central-logs")
	wantString(t, logging, "targetPrefix", "access-logs/uploads/")
}

func TestKmsBucketEncryptsWithTheCustomerKeyThroughABucketKey(t *testing.T) {
	g := mustRecordBucket(t, "data", &storage.BucketArgs{AccountID: account, AccessLogBucket: pulumi.String("central-logs"),
		Encryption: storage.SSEKMS, KmsKeyArn: pulumi.String(kmsKey)})
	enc := named(t, g, tEncryption, "data-encryption")
	wantString(t, enc, "rules[0].applyServerSideEncryptionByDefault.sseAlgorithm", "aws:kms")
	wantString(t, enc, "rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId", kmsKey)
	wantBool(t, enc, "rules[0].bucketKeyEnabled", true)
}

func TestDenyDeleteToDeniesObjectDeletionToExactlyTheRoleAndKeepsTLSOnly(t *testing.T) {
	g := mustRecordBucket(t, "uploads", &storage.BucketArgs{AccountID: account, AccessLogBucket: pulumi.String("central-logs"),
		DenyDeleteTo: []pulumi.StringInput{pulumi.String(uploaderRole)}})
	arn := output(t, named(t, g, tBucket, "uploads"), "arn")
	doc, text := policyOf(t, g, "uploads")

	var toRole []iampolicy.Statement
	for _, s := range doc.Denies("s3:DeleteObject") {
		if !s.Principal.IsWildcard() {
			toRole = append(toRole, s)
		}
	}
	if len(toRole) != 1 {
		t.Fatalf("%d statements deny s3:DeleteObject to a named principal, want 1: %s", len(toRole), text)
	}
	s := toRole[0]
	if got := s.Principal.AWS; !slices.Equal(got, []string{uploaderRole}) || len(s.Principal.Service) > 0 {
		t.Errorf("denied principals %+v, want exactly %s", s.Principal, uploaderRole)
	}
	if !s.CoversAction("s3:DeleteObjectVersion") || s.CoversAction("s3:PutObject") || s.CoversAction("s3:GetObject") {
		t.Errorf("actions %v: want the deletes only (the uploader still puts)", s.Actions)
	}
	if !slices.Equal(s.Resources, []string{arn + "/*"}) || len(s.Conditions) > 0 {
		t.Errorf("resources %v conditions %v: want every object, unconditionally", s.Resources, s.Conditions)
	}

	tls := slices.ContainsFunc(doc.Denies("s3:GetObject"), func(s iampolicy.Statement) bool {
		return s.Principal.IsWildcard() && slices.Equal(s.ConditionValues("Bool", "aws:SecureTransport"), []string{"false"}) &&
			s.CoversAction("s3:PutObject") && s.CoversResource(arn) && s.CoversResource(arn+"/key")
	})
	if !tls {
		t.Errorf("the policy no longer denies insecure transport: %s", text)
	}
	if a := doc.Allows("s3:*"); len(a) > 0 {
		t.Errorf("the policy grants access: %+v", a)
	}
	want := mustJSON(t, iampolicy.New(tlsOnly(arn), iampolicy.Statement{
		Sid: "DenyObjectDeletion", Effect: iampolicy.Deny, Principal: &iampolicy.Principal{AWS: iampolicy.StringList{uploaderRole}},
		Actions: iampolicy.StringList{"s3:DeleteObject", "s3:DeleteObjectVersion"}, Resources: iampolicy.StringList{arn + "/*"},
	}))
	if text != want {
		t.Errorf("bucket policy:\n got  %s\n want %s", text, want)
	}
}

func TestExtraStatementsAreAppendedWithTheBucketArn(t *testing.T) {
	extra := func(arn string) []iampolicy.Statement {
		return []iampolicy.Statement{{Sid: "DenyUnencryptedPuts", Effect: iampolicy.Deny, Principal: &iampolicy.Principal{Wildcard: true},
			Actions: iampolicy.StringList{"s3:PutObject"}, Resources: iampolicy.StringList{arn + "/*"},
			Conditions: iampolicy.Conditions{"Null": {"s3:x-amz-server-side-encryption": {"true"}}}}}
	}
	g := mustRecordBucket(t, "uploads", &storage.BucketArgs{AccountID: account, AccessLogBucket: pulumi.String("central-logs"), ExtraStatements: extra})
	arn := output(t, named(t, g, tBucket, "uploads"), "arn")
	_, text := policyOf(t, g, "uploads")
	if want := mustJSON(t, iampolicy.New(append([]iampolicy.Statement{tlsOnly(arn)}, extra(arn)...)...)); text != want {
		t.Errorf("bucket policy:\n got  %s\n want %s", text, want)
	}
}

func TestLogBucketDoesNotLogAndAdmitsOnlyTheLoggingServiceOfTheAccount(t *testing.T) {
	g := mustRecordBucket(t, "logs", &storage.BucketArgs{AccountID: account, IsLogBucket: true, ExpirationDays: 365, NoncurrentVersionExpirationDays: 30})
	want := map[string]int{"pulumi:pulumi:Stack": 1, tComponent: 1, tBucket: 1, tEncryption: 1, tVersioning: 1, tPublic: 1,
		tOwnership: 1, tPolicy: 1, tLifecycle: 1}
	if got := g.CountByType(); !maps.Equal(got, want) {
		t.Errorf("resources by type:\n got  %v\n want %v (no logging)", got, want)
	}
	arn := output(t, named(t, g, tBucket, "logs"), "arn")
	doc, text := policyOf(t, g, "logs")

	allows := doc.Allows("s3:PutObject")
	if len(allows) != 1 {
		t.Fatalf("%d statements allow s3:PutObject, want 1: %s", len(allows), text)
	}
	s := allows[0]
	if p := s.Principal; p == nil || p.IsWildcard() || !slices.Equal(p.Service, []string{"logging.s3.amazonaws.com"}) || len(p.AWS) > 0 {
		t.Errorf("principal %+v, want only the S3 logging service", s.Principal)
	}
	if got := s.ConditionValues("StringEquals", "aws:SourceAccount"); !slices.Equal(got, []string{account}) {
		t.Errorf("aws:SourceAccount condition %v, want [%s]", got, account)
	}
	if !slices.Equal(s.Resources, []string{arn + "/access-logs/*"}) {
		t.Errorf("resources %v, want the log prefix only", s.Resources)
	}
	if s.CoversAction("s3:GetObject") || len(doc.Allows("s3:GetObject")) > 0 || len(doc.Allows("s3:DeleteObject")) > 0 {
		t.Errorf("the log bucket policy grants more than log delivery: %s", text)
	}
	wantDoc := mustJSON(t, iampolicy.New(tlsOnly(arn), iampolicy.Statement{
		Sid: "AllowS3ServerAccessLogDelivery", Effect: iampolicy.Allow,
		Principal: &iampolicy.Principal{Service: iampolicy.StringList{"logging.s3.amazonaws.com"}},
		Actions:   iampolicy.StringList{"s3:PutObject"}, Resources: iampolicy.StringList{arn + "/access-logs/*"},
		Conditions: iampolicy.Conditions{"StringEquals": {"aws:SourceAccount": {account}}},
	}))
	if text != wantDoc {
		t.Errorf("log bucket policy:\n got  %s\n want %s", text, wantDoc)
	}

	lc := named(t, g, tLifecycle, "logs-lifecycle")
	if n := lc.Len("rules"); n != 3 {
		t.Fatalf("%d lifecycle rules, want 3", n)
	}
	wantString(t, lc, "rules[0].id", "abort-incomplete-multipart-uploads")
	wantString(t, lc, "rules[1].id", "expire-noncurrent-versions")
	wantInt(t, lc, "rules[1].noncurrentVersionExpiration.noncurrentDays", 30)
	wantString(t, lc, "rules[2].id", "expire-objects")
	wantInt(t, lc, "rules[2].expiration.days", 365)
}

func TestExactNameProtectRetainForceDestroyAndTagsReachTheResources(t *testing.T) {
	g := mustRecordBucket(t, "uploads", &storage.BucketArgs{AccountID: account, AccessLogBucket: pulumi.String("central-logs"),
		BucketName: "platform-dev-uploads", Protect: true, RetainOnDelete: true, ForceDestroy: true, Tags: map[string]string{"team": "media"}})
	bucket := named(t, g, tBucket, "uploads")
	wantString(t, bucket, "bucket", "platform-dev-uploads")
	wantAbsent(t, bucket, "bucketPrefix")
	wantBool(t, bucket, "forceDestroy", true)
	wantString(t, bucket, `tags["team"]`, "media")
	if !bucket.Protect || !bucket.RetainOnDelete {
		t.Errorf("bucket protect=%v retainOnDelete=%v, want both", bucket.Protect, bucket.RetainOnDelete)
	}
	// A retained bucket keeps its guards: every satellite is retained too (and none is protected,
	// so that settings can still be replaced).
	for aspect, typ := range satelliteTypes {
		r := named(t, g, typ, "uploads-"+aspect)
		if !r.RetainOnDelete || r.Protect {
			t.Errorf("%s retainOnDelete=%v protect=%v, want retained and not protected", r.Name, r.RetainOnDelete, r.Protect)
		}
		wantString(t, r, "bucket", "platform-dev-uploads")
	}
}

func TestBucketArgsReportEveryProblemAtOnceAndRegisterNothing(t *testing.T) {
	args := &storage.BucketArgs{
		AccountID:       "1234",
		BucketName:      "Bad_Name..",
		Encryption:      storage.SSEKMS,
		AccessLogPrefix: "/logs/",
		DenyDeleteTo:    []pulumi.StringInput{pulumi.String(uploaderRole), nil},
		WriteOnceFor:    []pulumi.StringInput{nil, pulumi.String(uploaderRole)},
		ExtraStatements: func(arn string) []iampolicy.Statement {
			return []iampolicy.Statement{
				{Effect: iampolicy.Allow, Principal: &iampolicy.Principal{Wildcard: true}, Actions: iampolicy.StringList{"s3:GetObject"}, Resources: iampolicy.StringList{arn + "/*"}},
				{Effect: iampolicy.Deny, Principal: &iampolicy.Principal{Wildcard: true}, Resources: iampolicy.StringList{arn}},
			}
		},
		NoncurrentVersionExpirationDays: -1,
		ExpirationDays:                  -30,
	}
	want := []string{
		`accountId: "1234" must be a 12-digit AWS account id`,
		`bucketName: "Bad_Name.." is not a valid S3 bucket name: only lowercase letters, digits, dots and hyphens are allowed; must begin and end with a lowercase letter or digit; must not have two adjacent dots`,
		"kmsKeyArn: required with encryption aws:kms",
		"accessLogBucket: required (every bucket's access is logged) unless isLogBucket",
		`accessLogPrefix: "/logs/" must not start with /`,
		"denyDeleteTo[1]: nil (want a principal ARN)",
		"writeOnceFor[0]: nil (want a principal ARN)",
		`extraStatements[0]: effect "Allow": only Deny statements may be added (the bucket stays private)`,
		"extraStatements[1]: iampolicy: Statement[0]: has neither Action nor NotAction",
		"noncurrentVersionExpirationDays: -1 must be 0 (keep forever) or more",
		"expirationDays: -30 must be 0 (never) or more",
	}
	err := args.Validate()
	if err == nil {
		t.Fatal("no error")
	}
	if got := strings.Split(err.Error(), "\n"); !slices.Equal(got, want) {
		t.Errorf("errors:\n got  %q\n want %q", got, want)
	}

	g, err := recordBucket(t, "uploads", args)
	if err == nil {
		t.Fatal("NewBucket: no error")
	}
	// The Pulumi runtime wraps the program's error; it must still name the bucket and hold every problem.
	for _, line := range append([]string{`storage.NewBucket "uploads": ` + want[0]}, want[1:]...) {
		if !strings.Contains(err.Error(), line) {
			t.Errorf("NewBucket error lacks %q:\n%v", line, err)
		}
	}
	if g.Len() != 1 {
		t.Errorf("%d resources registered, want only the stack", g.Len())
	}
}

func TestBucketArgsRejectAKeyWithoutKMSAnUnknownAlgorithmAndALogBucketThatLogs(t *testing.T) {
	for _, tc := range []struct {
		args storage.BucketArgs
		want []string
	}{
		{storage.BucketArgs{AccountID: account, AccessLogBucket: pulumi.String("l"), KmsKeyArn: pulumi.String(kmsKey)},
			[]string{"kmsKeyArn: set only with encryption aws:kms (got encryption AES256)"}},
		{storage.BucketArgs{AccountID: account, AccessLogBucket: pulumi.String("l"), Encryption: "aws:kms:dsse"},
			[]string{`encryption: "aws:kms:dsse" is not an algorithm (allowed: AES256, aws:kms)`}},
		{storage.BucketArgs{AccountID: account, IsLogBucket: true, AccessLogBucket: pulumi.String("l")},
			[]string{"accessLogBucket: a log bucket does not log; leave it unset with isLogBucket"}},
		{storage.BucketArgs{}, []string{`accountId: "" must be a 12-digit AWS account id`,
			"accessLogBucket: required (every bucket's access is logged) unless isLogBucket"}},
	} {
		err := tc.args.Validate()
		if err == nil {
			t.Errorf("%+v: no error, want %q", tc.args, tc.want)
			continue
		}
		if got := strings.Split(err.Error(), "\n"); !slices.Equal(got, tc.want) {
			t.Errorf("errors:\n got  %q\n want %q", got, tc.want)
		}
	}
	for _, ok := range []storage.BucketArgs{
		{AccountID: account, AccessLogBucket: pulumi.String("l")},
		{AccountID: account, IsLogBucket: true, Encryption: storage.SSES3},
		{AccountID: account, AccessLogBucket: pulumi.String("l"), Encryption: storage.SSEKMS, KmsKeyArn: pulumi.String(kmsKey), BucketName: "my.bucket-1"},
	} {
		if err := ok.Validate(); err != nil {
			t.Errorf("valid args %+v rejected: %v", ok, err)
		}
	}
}

func TestCheckBucketNameFollowsTheS3NamingRules(t *testing.T) {
	for _, name := range []string{"abc", "platform-prod-uploads", "logs.example-1", strings.Repeat("a", 63)} {
		if err := storage.CheckBucketName(name); err != nil {
			t.Errorf("%q rejected: %v", name, err)
		}
	}
	for name, why := range map[string]string{
		"ab":                     "length 2 is outside 3 to 63",
		strings.Repeat("a", 64):  "length 64 is outside 3 to 63",
		"Uploads":                "only lowercase letters, digits, dots and hyphens are allowed",
		"my_bucket":              "only lowercase letters, digits, dots and hyphens are allowed",
		"-bucket":                "must begin and end with a lowercase letter or digit",
		"a..b":                   "must not have two adjacent dots",
		"192.168.5.4":            "must not be formatted as an IP address",
		"xn--bucket":             `must not start with "xn--"`,
		"sthree-bucket":          `must not start with "sthree-"`,
		"bucket-s3alias":         `must not end with "-s3alias"`,
		"bucket--ol-s3":          `must not end with "--ol-s3"`,
		"amzn-s3-demo-bucket-01": `must not start with "amzn-s3-demo-"`,
	} {
		err := storage.CheckBucketName(name)
		if err == nil || !strings.Contains(err.Error(), why) {
			t.Errorf("%q: %v; want it rejected because it %s", name, err, why)
		}
	}
}

func TestBucketPrefixIsALowercaseS3PrefixOfAtMost37Characters(t *testing.T) {
	for name, want := range map[string]string{
		"uploads":               "uploads-",
		"Platform.Prod_Uploads": "platform-prod-uploads-",
		"--a--b--":              "a-b-",
		"":                      "bucket-",
		"sthree":                "b-sthree-",
		"xn--x":                 "xn-x-",
		"platform-production-customer-uploads-archive": "platform-production-customer-uploads-",
	} {
		got := storage.BucketPrefix(name)
		if got != want {
			t.Errorf("BucketPrefix(%q) = %q, want %q", name, got, want)
		}
		if len(got) > storage.MaxBucketPrefixLen {
			t.Errorf("BucketPrefix(%q) = %q is longer than %d", name, got, storage.MaxBucketPrefixLen)
		}
		// AWS appends 26 lowercase characters and digits.
		if err := storage.CheckBucketName(got + strings.Repeat("0", 26)); err != nil {
			t.Errorf("BucketPrefix(%q) yields invalid names: %v", name, err)
		}
	}
}

// --- controls ---

// recordLogAndUploads records the usual pair: a log bucket and an uploads bucket logging to it.
func recordLogAndUploads(t *testing.T) *graph.Graph {
	t.Helper()
	g, err := recorder.Record(recorder.Options{Stack: "dev", Program: func(ctx *pulumi.Context) error {
		logs, err := storage.NewBucket(ctx, "logs", &storage.BucketArgs{AccountID: account, IsLogBucket: true, ExpirationDays: 365})
		if err != nil {
			return err
		}
		_, err = storage.NewBucket(ctx, "uploads", &storage.BucketArgs{AccountID: account, AccessLogBucket: logs.BucketName,
			DenyDeleteTo: []pulumi.StringInput{pulumi.String(uploaderRole)}})
		return err
	}})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// without returns a breaker dropping the resource (typ, name).
func without(typ, name string) func(*testing.T, *graph.Graph) *graph.Graph {
	return func(t *testing.T, g *graph.Graph) *graph.Graph {
		t.Helper()
		out, err := g.Without(named(t, g, typ, name).URN)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
}

// setInput returns a breaker replacing the input at path of (typ, name) with v.
func setInput(typ, name, path string, v property.Value) func(*testing.T, *graph.Graph) *graph.Graph {
	return func(t *testing.T, g *graph.Graph) *graph.Graph {
		t.Helper()
		r := named(t, g, typ, name)
		in, err := graph.SetInput(r.Inputs, path, v)
		if err == nil {
			g, err = g.With(r.URN, func(r *graph.Resource) { r.Inputs = in })
		}
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
}

// setPolicy returns a breaker replacing the uploads bucket's policy with the document make builds
// from the bucket ARN.
func setPolicy(build func(arn string) iampolicy.Document) func(*testing.T, *graph.Graph) *graph.Graph {
	return func(t *testing.T, g *graph.Graph) *graph.Graph {
		arn := output(t, named(t, g, tBucket, "uploads"), "arn")
		return setInput(tPolicy, "uploads-policy", "policy", property.New(mustJSON(t, build(arn))))(t, g)
	}
}

// setToBucketName returns a breaker setting path of (typ, name) to the name of bucket.
func setToBucketName(typ, name, path, bucket string) func(*testing.T, *graph.Graph) *graph.Graph {
	return func(t *testing.T, g *graph.Graph) *graph.Graph {
		return setInput(typ, name, path, property.New(output(t, named(t, g, tBucket, bucket), "bucket")))(t, g)
	}
}

var denyDelete = func(arn string) iampolicy.Statement {
	return iampolicy.Statement{Sid: "DenyObjectDeletion", Effect: iampolicy.Deny, Principal: &iampolicy.Principal{AWS: iampolicy.StringList{uploaderRole}},
		Actions: iampolicy.StringList{"s3:DeleteObject", "s3:DeleteObjectVersion"}, Resources: iampolicy.StringList{arn + "/*"}}
}

const (
	uploadsBucketURN = "aws:s3/bucketV2:BucketV2::uploads"
	logsBucketURN    = "aws:s3/bucketV2:BucketV2::logs"
	sse              = "rules[0].applyServerSideEncryptionByDefault."
)

var s3BrokenCases = []struct {
	name, control string
	breakGraph    func(*testing.T, *graph.Graph) *graph.Graph
	wantURN       string // suffix of the URN the finding must name
	wantPath      string
}{
	{"encryption left to the AWS-managed key", "S3-001", setInput(tEncryption, "uploads-encryption", sse+"sseAlgorithm", property.New("aws:kms")),
		"::uploads-encryption", sse + "kmsMasterKeyId"},
	{"unknown encryption algorithm", "S3-001", setInput(tEncryption, "uploads-encryption", sse+"sseAlgorithm", property.New("none")),
		"::uploads-encryption", sse + "sseAlgorithm"},
	{"no encryption configuration", "S3-001", without(tEncryption, "uploads-encryption"), uploadsBucketURN, "serverSideEncryptionConfiguration"},
	{"public policies allowed", "S3-002", setInput(tPublic, "uploads-public-access", "blockPublicPolicy", property.New(false)),
		"::uploads-public-access", "blockPublicPolicy"},
	{"log bucket without a public access block", "S3-002", without(tPublic, "logs-public-access"), logsBucketURN, "publicAccessBlock"},
	{"ACLs enabled", "S3-003", setInput(tOwnership, "uploads-ownership", "rule.objectOwnership", property.New("ObjectWriter")),
		"::uploads-ownership", "rule.objectOwnership"},
	{"no ownership controls", "S3-003", without(tOwnership, "logs-ownership"), logsBucketURN, "ownershipControls"},
	{"versioning suspended", "S3-004", setInput(tVersioning, "uploads-versioning", "versioningConfiguration.status", property.New("Suspended")),
		"::uploads-versioning", "versioningConfiguration.status"},
	{"no versioning", "S3-004", without(tVersioning, "uploads-versioning"), uploadsBucketURN, "versioning"},
	{"policy without the TLS-only statement", "S3-005", setPolicy(func(arn string) iampolicy.Document { return iampolicy.New(denyDelete(arn)) }),
		"::uploads-policy", "policy"},
	{"TLS statement that denies only TLS requests", "S3-005", setPolicy(func(arn string) iampolicy.Document {
		s := tlsOnly(arn)
		s.Conditions = iampolicy.Conditions{"Bool": {"aws:SecureTransport": {"true"}}}
		return iampolicy.New(s, denyDelete(arn))
	}), "::uploads-policy", "policy"},
	{"TLS statement covering only bucket-level actions", "S3-005", setPolicy(func(arn string) iampolicy.Document {
		s := tlsOnly(arn)
		s.Actions = iampolicy.StringList{"s3:ListBucket"}
		return iampolicy.New(s)
	}), "::uploads-policy", "policy"},
	{"public read added", "S3-005", setPolicy(func(arn string) iampolicy.Document {
		return iampolicy.New(tlsOnly(arn), denyDelete(arn), iampolicy.Statement{Effect: iampolicy.Allow, Principal: &iampolicy.Principal{Wildcard: true},
			Actions: iampolicy.StringList{"s3:GetObject"}, Resources: iampolicy.StringList{arn + "/*"}})
	}), "::uploads-policy", "policy.Statement[2]"},
	{"TLS statement for another bucket", "S3-005", setPolicy(func(string) iampolicy.Document {
		return iampolicy.New(tlsOnly("arn:aws:s3:::someone-else"))
	}), "::uploads-policy", "policy"},
	{"no bucket policy", "S3-005", without(tPolicy, "uploads-policy"), uploadsBucketURN, "policy"},
	{"access not logged", "S3-006", without(tLogging, "uploads-logging"), uploadsBucketURN, "logging"},
	{"bucket logging to itself", "S3-006", setToBucketName(tLogging, "uploads-logging", "targetBucket", "uploads"), "::uploads-logging", "targetBucket"},
	{"logs sent outside the stack", "S3-006", setInput(tLogging, "uploads-logging", "targetBucket", property.New("someone-elses-bucket")),
		"::uploads-logging", "targetBucket"},
}

// TestS3ControlsPassOnBucketsAndFailOnEachBrokenInput: every S3 control passes on a log bucket and
// an uploads bucket as built, and fails, naming the broken resource and property, on each break.
func TestS3ControlsPassOnBucketsAndFailOnEachBrokenInput(t *testing.T) {
	base := recordLogAndUploads(t)
	covered := map[string]bool{}
	for _, tc := range s3BrokenCases {
		covered[tc.control] = true
		t.Run(tc.control+" "+tc.name, func(t *testing.T) {
			c, ok := controls.Lookup(tc.control)
			if !ok {
				t.Fatalf("no control %s", tc.control)
			}
			if r := c.Run(controls.Target{Graph: base, Environment: "dev"}); r.Status != controls.Pass || r.Checked == 0 {
				t.Fatalf("%s on the buckets as built: %s after %d checked, findings %v; want pass", tc.control, r.Status, r.Checked, r.Findings)
			}
			r := c.Run(controls.Target{Graph: tc.breakGraph(t, base), Environment: "dev"})
			if r.Status != controls.Fail {
				t.Fatalf("%s status %s on a broken graph, want fail", tc.control, r.Status)
			}
			found := slices.ContainsFunc(r.Findings, func(f controls.Finding) bool {
				return strings.HasSuffix(f.URN, tc.wantURN) && f.Path == tc.wantPath
			})
			if !found {
				t.Errorf("%s findings do not name %s at %s: %v", tc.control, tc.wantURN, tc.wantPath, r.Findings)
			}
		})
	}
	for i := 1; i <= 6; i++ {
		if id := fmt.Sprintf("S3-%03d", i); !covered[id] {
			t.Errorf("control %s has no broken-input case", id)
		}
	}
}

// The requirement lines the S3 controls quote, exactly as the requirements document has them.
const (
	reqS3  = "S3 Buckets: SSE-S3 (AES-256)."
	reqTLS = "TLS: All traffic encrypted in transit using AWS ACM certificates on ALB Ingress."
)

// TestS3ControlsQuoteTheS3RequirementOfDataProtection: S3-001 proves the S3 line; the others are
// hardening (they prove no line) that support it, and S3-005 the TLS line too.
func TestS3ControlsQuoteTheS3RequirementOfDataProtection(t *testing.T) {
	want := map[string]struct {
		requirement string
		supports    []string
	}{
		"S3-001": {reqS3, nil},
		"S3-002": {"", []string{reqS3}},
		"S3-003": {"", []string{reqS3}},
		"S3-004": {"", []string{reqS3}},
		"S3-005": {"", []string{reqS3, reqTLS}},
		"S3-006": {"", []string{reqS3}},
	}
	var ids []string
	for _, c := range controls.Catalog() {
		if !strings.HasPrefix(c.ID, "S3-") {
			continue
		}
		ids = append(ids, c.ID)
		w := want[c.ID]
		if c.Section != "4. Data Protection" || c.Requirement != w.requirement || !slices.Equal(c.Supports, w.supports) || c.Severity == "" || c.Title == "" {
			t.Errorf("%s: section %q requirement %q supports %q severity %q title %q; want requirement %q supports %q",
				c.ID, c.Section, c.Requirement, c.Supports, c.Severity, c.Title, w.requirement, w.supports)
		}
	}
	if want := []string{"S3-001", "S3-002", "S3-003", "S3-004", "S3-005", "S3-006"}; !slices.Equal(ids, want) {
		t.Errorf("S3 controls %v, want %v", ids, want)
	}
}

// TestS3EncryptionCheckRunsOnOneResourceAlone: the per-resource part of S3-001 needs only the
// resource's inputs, as in a policy pack, and reports the algorithm it found.
func TestS3EncryptionCheckRunsOnOneResourceAlone(t *testing.T) {
	c, _ := controls.Lookup("S3-001")
	rule := func(byDefault map[string]property.Value) property.Map {
		return property.NewMap(map[string]property.Value{"rules": property.New([]property.Value{
			property.New(map[string]property.Value{"applyServerSideEncryptionByDefault": property.New(byDefault)})})})
	}
	for _, tc := range []struct {
		props     property.Map
		wantValue string // "" for no violation
	}{
		{rule(map[string]property.Value{"sseAlgorithm": property.New("AES256")}), ""},
		{rule(map[string]property.Value{"sseAlgorithm": property.New("aws:kms"), "kmsMasterKeyId": property.New(kmsKey)}), ""},
		{rule(map[string]property.Value{"sseAlgorithm": property.New("aws:kms")}), "absent"},
		{rule(map[string]property.Value{"sseAlgorithm": property.New("DES")}), `"DES"`},
		{property.NewMap(map[string]property.Value{"bucket": property.New("b")}), "absent"},
	} {
		vs := c.Resource(tEncryption, tc.props)
		switch {
		case tc.wantValue == "" && len(vs) > 0:
			t.Errorf("%v: violations %v, want none", tc.props, vs)
		case tc.wantValue != "" && (len(vs) != 1 || vs[0].Value != tc.wantValue):
			t.Errorf("%v: violations %v, want one with value %s", tc.props, vs, tc.wantValue)
		}
	}
}
