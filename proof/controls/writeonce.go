package controls

import (
	"fmt"
	"slices"
	"strings"

	"github.com/securestack/platform/components/lib/iampolicy"
	"github.com/securestack/platform/proof/engine/graph"
)

// The S3 conditional-write keys and the bucket policy statements that make a principal write-once.
const (
	keyIfNoneMatch             = "s3:if-none-match"
	keyObjectCreationOperation = "s3:ObjectCreationOperation"
	sidDenyObjectDeletion      = "DenyObjectDeletion"
	sidDenyOverwrite           = "DenyWritesThatCouldOverwrite"
	// uploaderServiceAccount is the service account the requirement names: "Uploader only puts to
	// S3, doesn't delete".
	uploaderServiceAccount = "uploader"
)

var writeOnceControls = []*Control{
	{ID: "IAM-004", Title: "The uploader may only create objects: its role grants no delete and no write that could overwrite, and the bucket denies it both",
		Section: section3, Requirement: reqIRSA, Severity: Critical, Graph: checkUploaderWriteOnce},
}

// trustedServiceAccounts are the service accounts (namespace:name) a role's trust admits.
func trustedServiceAccounts(role *graph.Resource) []string {
	text, _ := role.String("assumeRolePolicy")
	doc, err := iampolicy.Parse(text)
	if err != nil {
		return nil
	}
	var out []string
	for _, s := range doc.Statements {
		for key, values := range s.Conditions["StringEquals"] {
			if strings.HasSuffix(key, ":sub") {
				for _, v := range values {
					out = append(out, strings.TrimPrefix(v, "system:serviceaccount:"))
				}
			}
		}
	}
	return out
}

// createsOnly reports whether an Allow of s3:PutObject is limited to new objects: it requires the
// If-None-Match header, or covers only the parts of multipart uploads.
func createsOnly(s iampolicy.Statement) bool {
	return slices.Equal(s.ConditionValues("Null", keyIfNoneMatch), []string{"false"}) ||
		slices.Equal(s.ConditionValues("Bool", keyObjectCreationOperation), []string{"false"})
}

func checkUploaderWriteOnce(t Target) (int, []Finding) {
	var uploaders []*graph.Resource
	for _, r := range t.Graph.OfType(typeRole) {
		for _, sa := range trustedServiceAccounts(r) {
			if strings.HasSuffix(sa, ":"+uploaderServiceAccount) {
				uploaders = append(uploaders, r)
			}
		}
	}
	var bucketPolicies []iampolicy.Document
	unknownBucketPolicy := false // a preview: a policy naming the uploader's ARN is known at apply
	for _, p := range t.Graph.OfType(s3TypePolicy) {
		if t.deferrable(p, "policy") {
			unknownBucketPolicy = true
			continue
		}
		text, _ := p.String("policy")
		if doc, err := iampolicy.Parse(text); err == nil {
			bucketPolicies = append(bucketPolicies, doc)
		}
	}
	var fs []Finding
	for _, role := range uploaders {
		arn := ""
		if v, ok := role.Outputs.GetOk("arn"); ok && v.IsString() {
			arn = v.AsString()
		}
		for _, pol := range t.Graph.OfType(typeRolePolicy) {
			if r, ok := t.refOne(pol, "role", byRoleName, typeRole); !ok || r != role {
				continue
			}
			text, _ := pol.String("policy")
			doc, err := iampolicy.Parse(text)
			if err != nil {
				fs = append(fs, Finding{URN: pol.URN, Violation: Violation{Path: "policy", Value: "unparseable", Message: "the uploader's policy must be known at plan time"}})
				continue
			}
			for i, s := range doc.Statements {
				if s.Effect != iampolicy.Allow {
					continue
				}
				for _, a := range []string{"s3:DeleteObject", "s3:DeleteObjectVersion"} {
					if s.CoversAction(a) {
						fs = append(fs, Finding{URN: pol.URN, Violation: Violation{Path: fmt.Sprintf("policy.Statement[%d]", i), Value: a, Message: "the uploader never deletes"}})
					}
				}
				if s.CoversAction("s3:PutObject") && !createsOnly(s) {
					fs = append(fs, Finding{URN: pol.URN, Violation: Violation{Path: fmt.Sprintf("policy.Statement[%d].Condition", i), Value: fmt.Sprint(s.Conditions),
						Message: "a put without If-None-Match could overwrite an object (and lifecycle would delete the old version): require s3:if-none-match"}})
				}
			}
		}
		deniedDelete, deniedOverwrite := false, false
		for _, doc := range bucketPolicies {
			for _, s := range doc.Statements {
				if s.Effect != iampolicy.Deny || s.Principal == nil || !slices.Contains(s.Principal.AWS, arn) {
					continue
				}
				switch {
				case s.Sid == sidDenyObjectDeletion && s.CoversAction("s3:DeleteObject") && s.CoversAction("s3:DeleteObjectVersion"):
					deniedDelete = true
				case s.Sid == sidDenyOverwrite && s.CoversAction("s3:PutObject") &&
					slices.Equal(s.ConditionValues("Null", keyIfNoneMatch), []string{"true"}) &&
					slices.Equal(s.ConditionValues("Bool", keyObjectCreationOperation), []string{"true"}):
					deniedOverwrite = true
				}
			}
		}
		if (!deniedDelete || !deniedOverwrite) && !unknownBucketPolicy {
			fs = append(fs, Finding{URN: role.URN, Violation: Violation{Path: "bucketPolicy", Value: fmt.Sprintf("denies delete: %v, denies overwrite: %v", deniedDelete, deniedOverwrite),
				Message: "the uploads bucket must deny the uploader deletes and writes that could overwrite, whatever its own policy says"}})
		}
	}
	return len(uploaders), fs
}
