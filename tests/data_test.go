package tests

import (
	"fmt"
	"slices"
	"testing"

	"github.com/securestack/platform/components/lib/iampolicy"
	"github.com/securestack/platform/proof/engine/graph"
)

// TestUploaderMayPutButNeverDelete: requirement 3 — "Uploader only puts to S3, doesn't delete" —
// holds twice: its IAM policy allows only s3:PutObject, and only writes that cannot overwrite (with
// If-None-Match, or the parts of a multipart upload), and the uploads bucket policy denies its role
// deletion and any write that could overwrite, whatever IAM says.
func TestUploaderMayPutButNeverDelete(t *testing.T) {
	g := record(t, "prod")
	rolePolicy := named(t, g, "aws:iam/rolePolicy:RolePolicy", "platform-prod-uploader")
	text, _ := rolePolicy.String("policy")
	doc, err := iampolicy.Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	var grants []string
	for _, s := range doc.Statements {
		if s.Effect == iampolicy.Allow {
			grants = append(grants, fmt.Sprintf("%s %v %v", s.Sid, s.Actions, s.Conditions))
		}
	}
	want := []string{
		"S3PutUploadsNew [s3:PutObject] map[Null:map[s3:if-none-match:[false]]]",
		"S3PutUploadsParts [s3:PutObject] map[Bool:map[s3:ObjectCreationOperation:[false]]]",
		"ReadSecretAppCredentials [secretsmanager:GetSecretValue] map[]",
	}
	if !slices.Equal(grants, want) {
		t.Errorf("uploader grants:\n got  %q\n want %q", grants, want)
	}
	for _, a := range []string{"s3:DeleteObject", "s3:DeleteObjectVersion", "s3:GetObject"} {
		if len(doc.Allows(a)) > 0 {
			t.Errorf("uploader IAM policy allows %s", a)
		}
	}

	role := named(t, g, "aws:iam/role:Role", "platform-prod-uploader")
	roleArn, _ := role.Outputs.GetOk("arn")
	bucketPolicy := named(t, g, "aws:s3/bucketPolicy:BucketPolicy", "platform-prod-uploads-policy")
	text, _ = bucketPolicy.String("policy")
	bdoc, err := iampolicy.Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []string{"s3:DeleteObject", "s3:DeleteObjectVersion"} {
		denied := false
		for _, s := range bdoc.Denies(a) {
			if s.Principal != nil && slices.Contains(s.Principal.AWS, roleArn.AsString()) {
				denied = true
			}
		}
		if !denied {
			t.Errorf("uploads bucket policy does not deny %s to %s", a, roleArn.AsString())
		}
	}
	overwrite := slices.DeleteFunc(bdoc.Denies("s3:PutObject"), func(s iampolicy.Statement) bool { return s.Sid == "DenyInsecureTransport" })
	if len(overwrite) != 1 || !slices.Equal(overwrite[0].Principal.AWS, []string{roleArn.AsString()}) ||
		fmt.Sprint(overwrite[0].Conditions) != "map[Bool:map[s3:ObjectCreationOperation:[true]] Null:map[s3:if-none-match:[true]]]" {
		t.Errorf("uploads bucket policy's overwrite deny: %+v", overwrite)
	}
}

// TestServiceRolesTrustOnlyTheirServiceAccount: each service with AWS intents has a role that
// trusts exactly its own service account in the application namespace; the frontend, which has
// none, has no role.
func TestServiceRolesTrustOnlyTheirServiceAccount(t *testing.T) {
	g := record(t, "dev")
	if roles := serviceRoleNames(g); !slices.Equal(roles, []string{"platform-dev-processor", "platform-dev-uploader"}) {
		t.Errorf("IRSA roles %v, want [platform-dev-processor platform-dev-uploader]", roles)
	}
	for _, service := range []string{"processor", "uploader"} {
		role := named(t, g, "aws:iam/role:Role", "platform-dev-"+service)
		text, _ := role.String("assumeRolePolicy")
		doc, err := iampolicy.Parse(text)
		if err != nil || len(doc.Statements) != 1 {
			t.Fatalf("%s trust %s: %v", service, text, err)
		}
		var sub []string
		for key, values := range doc.Statements[0].Conditions["StringEquals"] {
			if len(key) > 4 && key[len(key)-4:] == ":sub" {
				sub = values
			}
		}
		if want := []string{"system:serviceaccount:apps:" + service}; !slices.Equal(sub, want) {
			t.Errorf("%s trust sub %v, want %v", service, sub, want)
		}
	}
}

// TestSecretIsReadableOnlyByProcessorAndUploader pins the readers of the credentials secret.
func TestSecretIsReadableOnlyByProcessorAndUploader(t *testing.T) {
	g := record(t, "dev")
	policy := named(t, g, "aws:secretsmanager/secretPolicy:SecretPolicy", "platform-dev-app-credentials-policy")
	text, _ := policy.String("policy")
	doc, err := iampolicy.Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	allows := doc.Allows("secretsmanager:GetSecretValue")
	if len(allows) != 1 {
		t.Fatalf("%d statements allow reading", len(allows))
	}
	want := []string{"arn:aws:iam::111111111111:role/platform-dev-processor", "arn:aws:iam::111111111111:role/platform-dev-uploader"}
	if got := allows[0].Principal.AWS; !slices.Equal(got, want) {
		t.Errorf("readers %v, want %v", got, want)
	}
}

// serviceRoleNames are the names of the IRSA roles of the application's services.
func serviceRoleNames(g *graph.Graph) []string {
	var out []string
	for _, r := range g.OfType("platform:identity:ServiceRole") {
		if r.Name != "platform-dev-lb-controller" { // the load balancer controller's, not a service's
			out = append(out, r.Name)
		}
	}
	slices.Sort(out)
	return out
}
