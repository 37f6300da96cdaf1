package storage_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/securestack/platform/components/lib/iampolicy"
	"github.com/securestack/platform/components/storage"
)

const (
	archiverRole    = "arn:aws:iam::123456789012:role/archiver"
	thumbnailerRole = "arn:aws:iam::123456789012:role/thumbnailer"
)

// denyOverwrite is the statement WriteOnceFor adds, written out literally.
func denyOverwrite(arn string, principals ...string) iampolicy.Statement {
	return iampolicy.Statement{
		Sid: "DenyWritesThatCouldOverwrite", Effect: iampolicy.Deny, Principal: &iampolicy.Principal{AWS: principals},
		Actions: iampolicy.StringList{"s3:PutObject"}, Resources: iampolicy.StringList{arn + "/*"},
		Conditions: iampolicy.Conditions{
			"Null": {"s3:if-none-match": {"true"}},
			"Bool": {"s3:ObjectCreationOperation": {"true"}},
		},
	}
}

func TestWriteOnceConditionKeysAndSidAreTheS3Ones(t *testing.T) {
	for _, c := range []struct{ name, got, want string }{
		{"KeyIfNoneMatch", storage.KeyIfNoneMatch, "s3:if-none-match"},
		{"KeyObjectCreationOperation", storage.KeyObjectCreationOperation, "s3:ObjectCreationOperation"},
		{"SidDenyOverwrite", storage.SidDenyOverwrite, "DenyWritesThatCouldOverwrite"},
	} {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
}

// TestWriteOnceForDeniesOverwritesToExactlyItsPrincipals: the deny names the WriteOnceFor
// principals, in order, and only them; DenyDeleteTo keeps its own (different) principals. The two
// lists reach the policy through one apply, so a mix-up between them shows here.
func TestWriteOnceForDeniesOverwritesToExactlyItsPrincipals(t *testing.T) {
	g := mustRecordBucket(t, "uploads", &storage.BucketArgs{AccountID: account, AccessLogBucket: pulumi.String("central-logs"),
		DenyDeleteTo: []pulumi.StringInput{pulumi.String(uploaderRole), pulumi.String(archiverRole)},
		WriteOnceFor: []pulumi.StringInput{pulumi.String(thumbnailerRole), pulumi.String(uploaderRole)}})
	arn := output(t, named(t, g, tBucket, "uploads"), "arn")
	_, text := policyOf(t, g, "uploads")
	want := mustJSON(t, iampolicy.New(
		tlsOnly(arn),
		iampolicy.Statement{Sid: "DenyObjectDeletion", Effect: iampolicy.Deny, Principal: &iampolicy.Principal{AWS: iampolicy.StringList{uploaderRole, archiverRole}},
			Actions: iampolicy.StringList{"s3:DeleteObject", "s3:DeleteObjectVersion"}, Resources: iampolicy.StringList{arn + "/*"}},
		denyOverwrite(arn, thumbnailerRole, uploaderRole),
	))
	if text != want {
		t.Errorf("bucket policy:\n got  %s\n want %s", text, want)
	}
	// The statement as AWS will read it, literally.
	literal := fmt.Sprintf(`{"Sid":"DenyWritesThatCouldOverwrite","Effect":"Deny","Principal":{"AWS":[%q,%q]},"Action":["s3:PutObject"],"Resource":["%s/*"],"Condition":{"Bool":{"s3:ObjectCreationOperation":["true"]},"Null":{"s3:if-none-match":["true"]}}}`,
		thumbnailerRole, uploaderRole, arn)
	if !strings.Contains(text, literal) {
		t.Errorf("bucket policy %s\nlacks %s", text, literal)
	}
}

func TestWriteOnceForAloneAddsOnlyTheOverwriteDenyAndNoneAddsNothing(t *testing.T) {
	g := mustRecordBucket(t, "uploads", &storage.BucketArgs{AccountID: account, AccessLogBucket: pulumi.String("central-logs"),
		WriteOnceFor: []pulumi.StringInput{pulumi.String(uploaderRole)}})
	arn := output(t, named(t, g, tBucket, "uploads"), "arn")
	if _, text := policyOf(t, g, "uploads"); text != mustJSON(t, iampolicy.New(tlsOnly(arn), denyOverwrite(arn, uploaderRole))) {
		t.Errorf("bucket policy %s: want the TLS deny and the overwrite deny of the uploader only", text)
	}
	// BucketPolicy, the pure function: no principal, no statement; order TLS, delete, overwrite.
	spec := storage.PolicySpec{BucketArn: "arn:aws:s3:::b"}
	if n := len(storage.BucketPolicy(spec).Statements); n != 1 {
		t.Errorf("%d statements without principals, want 1 (TLS only)", n)
	}
	spec.DenyDeleteTo, spec.WriteOnceFor = []string{uploaderRole}, []string{uploaderRole}
	var sids []string
	for _, s := range storage.BucketPolicy(spec).Statements {
		sids = append(sids, s.Sid)
	}
	if want := []string{"DenyInsecureTransport", "DenyObjectDeletion", "DenyWritesThatCouldOverwrite"}; !slices.Equal(sids, want) {
		t.Errorf("statements %v, want %v", sids, want)
	}
}

func TestWriteOnceGrantsAllowOnlyConditionalCreatesAndMultipartParts(t *testing.T) {
	const objects = "arn:aws:s3:::uploads-abc/*"
	got := storage.WriteOnceGrants("UploaderPuts", objects)
	want := []iampolicy.Statement{
		{Sid: "UploaderPutsNew", Effect: iampolicy.Allow, Actions: iampolicy.StringList{"s3:PutObject"}, Resources: iampolicy.StringList{objects},
			Conditions: iampolicy.Conditions{"Null": {"s3:if-none-match": {"false"}}}},
		{Sid: "UploaderPutsParts", Effect: iampolicy.Allow, Actions: iampolicy.StringList{"s3:PutObject"}, Resources: iampolicy.StringList{objects},
			Conditions: iampolicy.Conditions{"Bool": {"s3:ObjectCreationOperation": {"false"}}}},
	}
	if a, b := mustJSON(t, iampolicy.New(got...)), mustJSON(t, iampolicy.New(want...)); a != b {
		t.Errorf("WriteOnceGrants:\n got  %s\n want %s", a, b)
	}
	for _, s := range got {
		if s.Principal != nil || s.CoversAction("s3:DeleteObject") || s.CoversAction("s3:DeleteObjectVersion") || s.CoversAction("s3:GetObject") {
			t.Errorf("%s grants more than PutObject, or names a principal: %+v", s.Sid, s)
		}
		if len(s.Conditions) != 1 {
			t.Errorf("%s has %d condition operators, want exactly 1 (an unconditioned put could overwrite)", s.Sid, len(s.Conditions))
		}
	}
}

// request is the part of an S3 PutObject request context the write-once conditions read.
type request struct {
	ifNoneMatch bool // the If-None-Match header is present (s3:if-none-match is not null)
	creation    bool // s3:ObjectCreationOperation: PutObject, CompleteMultipartUpload, CopyObject
}

// matches evaluates the conditions of a statement on the request: each operator and key must hold
// (IAM's AND). Only the two operators and keys of the write-once statements are understood; any
// other fails the test, so a new condition cannot be silently ignored.
func matches(t *testing.T, s iampolicy.Statement, r request) bool {
	t.Helper()
	for op, keys := range s.Conditions {
		for key, values := range keys {
			if len(values) != 1 {
				t.Fatalf("%s: %s %s has %d values, want 1", s.Sid, op, key, len(values))
			}
			var actual bool
			switch {
			case op == "Null" && key == storage.KeyIfNoneMatch:
				actual = !r.ifNoneMatch // Null "true": the key is absent
			case op == "Bool" && key == storage.KeyObjectCreationOperation:
				actual = r.creation
			default:
				t.Fatalf("%s: condition %s %s is not understood by this table", s.Sid, op, key)
			}
			if fmt.Sprint(actual) != values[0] {
				return false
			}
		}
	}
	return true
}

// TestWriteOnceGrantsAndDenyOverwriteAreComplements: for every request a write-once principal can
// make, exactly one of "its grants allow it" and "the bucket's DenyOverwrite denies it" holds. So
// the principal's policy and the bucket's never disagree: nothing it is granted is denied, and
// nothing denied is left to some other grant.
func TestWriteOnceGrantsAndDenyOverwriteAreComplements(t *testing.T) {
	const arn = "arn:aws:s3:::uploads-abc"
	grants := storage.WriteOnceGrants("UploaderPuts", arn+"/*")
	deny := storage.DenyOverwrite(arn, []string{uploaderRole})
	if mustJSON(t, iampolicy.New(deny)) != mustJSON(t, iampolicy.New(denyOverwrite(arn, uploaderRole))) {
		t.Fatalf("DenyOverwrite = %+v, want the literal statement", deny)
	}
	for _, tc := range []struct {
		name    string
		req     request
		allowed bool // the expected outcome: allowed by a grant (else denied)
	}{
		{"PutObject with If-None-Match: *", request{ifNoneMatch: true, creation: true}, true},
		{"PutObject without If-None-Match (could overwrite)", request{ifNoneMatch: false, creation: true}, false},
		{"UploadPart (a part carries no header)", request{ifNoneMatch: false, creation: false}, true},
		{"a part with the header (not sent by S3 clients)", request{ifNoneMatch: true, creation: false}, true},
	} {
		allows := slices.ContainsFunc(grants, func(s iampolicy.Statement) bool { return matches(t, s, tc.req) })
		denies := matches(t, deny, tc.req)
		if allows == denies {
			t.Errorf("%s: grants allow %v, DenyOverwrite denies %v; want exactly one", tc.name, allows, denies)
		}
		if allows != tc.allowed {
			t.Errorf("%s: allowed %v, want %v", tc.name, allows, tc.allowed)
		}
	}
}
