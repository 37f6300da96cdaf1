package controls

import (
	"fmt"
	"slices"

	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/securestack/platform/components/lib/iampolicy"
	"github.com/securestack/platform/proof/engine/graph"
)

// Resource types the S3 controls inspect. A bucket is configured by satellite resources whose
// `bucket` input names it.
const (
	s3TypeBucketV2   = "aws:s3/bucketV2:BucketV2"
	s3TypeBucket     = "aws:s3/bucket:Bucket" // the legacy bucket of pulumi-aws v6 (and v7's name)
	s3TypeEncryption = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
	s3TypePublicAcc  = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
	s3TypeOwnership  = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
	s3TypeVersioning = "aws:s3/bucketVersioningV2:BucketVersioningV2"
	s3TypePolicy     = "aws:s3/bucketPolicy:BucketPolicy"
	s3TypeLogging    = "aws:s3/bucketLoggingV2:BucketLoggingV2"
)

// s3LogDeliveryService writes S3 server access logs.
const s3LogDeliveryService = "logging.s3.amazonaws.com"

var s3PublicAccessSettings = []string{"blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"}

var s3Controls = []*Control{
	{
		ID: "S3-001", Title: "Every bucket encrypts by default with SSE-S3 (AES256), or SSE-KMS with a named key",
		Section: section4, Requirement: reqS3, Severity: Critical,
		Types: []string{s3TypeEncryption}, Resource: checkS3Encryption,
		Graph: s3RequireOne(s3TypeEncryption, "serverSideEncryptionConfiguration", "server-side encryption configuration"),
	},
	{
		ID: "S3-002", Title: "Every bucket blocks all public access (all four public-access-block settings on)",
		Section: section4, Supports: []string{reqS3}, Severity: Critical,
		Types: []string{s3TypePublicAcc}, Resource: checkS3PublicAccessBlock,
		Graph: s3RequireOne(s3TypePublicAcc, "publicAccessBlock", "public access block"),
	},
	{
		ID: "S3-003", Title: "Every bucket disables ACLs (object ownership BucketOwnerEnforced)",
		Section: section4, Supports: []string{reqS3}, Severity: High,
		Types: []string{s3TypeOwnership}, Resource: checkS3Ownership,
		Graph: s3RequireOne(s3TypeOwnership, "ownershipControls", "ownership controls"),
	},
	{
		ID: "S3-004", Title: "Every bucket is versioned",
		Section: section4, Supports: []string{reqS3}, Severity: Medium,
		Types: []string{s3TypeVersioning}, Resource: checkS3Versioning,
		Graph: s3RequireOne(s3TypeVersioning, "versioning", "versioning configuration"),
	},
	{
		ID: "S3-005", Title: "Every bucket policy denies requests without TLS and allows no one unconditionally",
		Section: section4, Supports: []string{reqS3, reqTLS}, Severity: High,
		Types: []string{s3TypePolicy}, Resource: checkS3Policy, Graph: checkS3PolicyCoversBucket,
	},
	{
		ID: "S3-006", Title: "Every bucket but the log buckets logs its access to another bucket of the stack",
		Section: section4, Supports: []string{reqS3}, Severity: Medium, Graph: checkS3AccessLogging,
	},
}

func checkS3Encryption(_ string, props property.Map) []Violation {
	v, err := graph.Lookup(props, "rules", "")
	if err != nil || !v.IsArray() || v.AsArray().Len() == 0 {
		return []Violation{{Path: "rules", Value: describe(props, "rules"), Message: "a default encryption rule is required"}}
	}
	var vs []Violation
	for i := range v.AsArray().Len() {
		base := fmt.Sprintf("rules[%d].applyServerSideEncryptionByDefault.", i)
		alg, _ := str(props, base+"sseAlgorithm")
		switch alg {
		case "AES256":
		case "aws:kms", "aws:kms:dsse":
			if key, _ := str(props, base+"kmsMasterKeyId"); key == "" {
				vs = append(vs, Violation{Path: base + "kmsMasterKeyId", Value: describe(props, base+"kmsMasterKeyId"),
					Message: fmt.Sprintf("%s needs a named customer-managed key (the aws/s3 key cannot be governed)", alg)})
			}
		default:
			vs = append(vs, Violation{Path: base + "sseAlgorithm", Value: describe(props, base+"sseAlgorithm"),
				Message: "default encryption must be AES256 (SSE-S3, the requirement) or aws:kms with a customer key"})
		}
	}
	return vs
}

func checkS3PublicAccessBlock(_ string, props property.Map) []Violation {
	var vs []Violation
	for _, p := range s3PublicAccessSettings {
		if v, err := graph.Lookup(props, p, ""); err != nil || !v.IsBool() || !v.AsBool() {
			vs = append(vs, Violation{Path: p, Value: describe(props, p), Message: "all four public access block settings must be true"})
		}
	}
	return vs
}

func checkS3Ownership(_ string, props property.Map) []Violation {
	if o, _ := str(props, "rule.objectOwnership"); o != "BucketOwnerEnforced" {
		return []Violation{{Path: "rule.objectOwnership", Value: describe(props, "rule.objectOwnership"),
			Message: "object ownership must be BucketOwnerEnforced: ACLs disabled, access by policy only"}}
	}
	return nil
}

func checkS3Versioning(_ string, props property.Map) []Violation {
	if s, _ := str(props, "versioningConfiguration.status"); s != "Enabled" {
		return []Violation{{Path: "versioningConfiguration.status", Value: describe(props, "versioningConfiguration.status"),
			Message: "versioning must be Enabled: an overwritten or deleted object must stay recoverable"}}
	}
	return nil
}

// s3PolicyDoc parses the `policy` input of a bucket policy, held as JSON text or as an object.
func s3PolicyDoc(props property.Map) (iampolicy.Document, *Violation) {
	v, err := graph.Lookup(props, "policy", "")
	switch {
	case err == nil && v.IsString():
		doc, err := iampolicy.Parse(v.AsString())
		if err != nil {
			return doc, &Violation{Path: "policy", Value: "unparseable", Message: err.Error()}
		}
		return doc, nil
	case err == nil && v.IsMap() && !v.Secret() && !v.IsComputed():
		doc, err := iampolicy.ParseAny(graph.PlainMap(v.AsMap()))
		if err != nil {
			return doc, &Violation{Path: "policy", Value: "unparseable", Message: err.Error()}
		}
		return doc, nil
	}
	return iampolicy.Document{}, &Violation{Path: "policy", Value: describe(props, "policy"), Message: "the bucket policy must be known at plan time to be checked"}
}

// s3DeniesInsecureTransport: a Deny to anyone of (at least) object reads and writes when the
// request does not use TLS.
func s3DeniesInsecureTransport(s iampolicy.Statement) bool {
	return s.Effect == iampolicy.Deny && s.Principal.IsWildcard() &&
		s.CoversAction("s3:GetObject") && s.CoversAction("s3:PutObject") &&
		slices.Equal(s.ConditionValues("Bool", "aws:SecureTransport"), []string{"false"})
}

func checkS3Policy(_ string, props property.Map) []Violation {
	doc, bad := s3PolicyDoc(props)
	if bad != nil {
		return []Violation{*bad}
	}
	var vs []Violation
	if !slices.ContainsFunc(doc.Statements, s3DeniesInsecureTransport) {
		vs = append(vs, Violation{Path: "policy", Value: fmt.Sprintf("no TLS-only statement among %d", len(doc.Statements)),
			Message: `deny s3:* to Principal "*" when Bool aws:SecureTransport is "false": TLS only`})
	}
	for i, s := range doc.Statements {
		switch {
		case s.IsUnconditionedWildcardPrincipal():
			vs = append(vs, Violation{Path: fmt.Sprintf("policy.Statement[%d]", i), Value: fmt.Sprintf("Allow * %v", s.Actions),
				Message: "the statement allows anyone without conditions: the bucket would be public"})
		case s.Effect == iampolicy.Allow && s.NotPrincipal != nil:
			vs = append(vs, Violation{Path: fmt.Sprintf("policy.Statement[%d].NotPrincipal", i), Value: "Allow with NotPrincipal",
				Message: "Allow with NotPrincipal grants everyone else"})
		}
	}
	return vs
}

// s3Buckets returns the buckets of the graph and an index from every name a satellite may use for
// a bucket in its `bucket` input (the bucket's id, and its `bucket` output and input) to it.
func s3Buckets(g *graph.Graph) ([]*graph.Resource, map[string]*graph.Resource) {
	buckets := append(g.OfType(s3TypeBucketV2), g.OfType(s3TypeBucket)...)
	index := map[string]*graph.Resource{}
	for _, b := range buckets {
		if b.ID != "" {
			index[b.ID] = b
		}
		for _, m := range []property.Map{b.Outputs, b.Inputs} {
			if v, ok := m.GetOk("bucket"); ok && v.IsString() && v.AsString() != "" {
				index[v.AsString()] = b
			}
		}
	}
	return buckets, index
}

// s3Satellites maps bucket URN → the resources of typ whose `bucket` input names the bucket.
func s3Satellites(g *graph.Graph, index map[string]*graph.Resource, typ string) map[string][]*graph.Resource {
	out := map[string][]*graph.Resource{}
	for _, r := range g.OfType(typ) {
		name, _ := r.String("bucket")
		if b, ok := index[name]; ok {
			out[b.URN] = append(out[b.URN], r)
		}
	}
	return out
}

// s3RequireOne checks that every bucket is configured by exactly one resource of typ: none leaves
// the setting to AWS's default, two overwrite each other on every update.
func s3RequireOne(typ, path, what string) func(t Target) (int, []Finding) {
	return func(t Target) (int, []Finding) {
		buckets, index := s3Buckets(t.Graph)
		sats := s3Satellites(t.Graph, index, typ)
		var fs []Finding
		for _, b := range buckets {
			switch rs := sats[b.URN]; {
			case len(rs) == 0:
				fs = append(fs, Finding{URN: b.URN, Violation: Violation{Path: path, Value: "none",
					Message: fmt.Sprintf("this bucket has no %s resource (inline settings of the bucket resource are deprecated and not accepted)", what)}})
			case len(rs) > 1:
				for _, r := range rs[1:] {
					fs = append(fs, Finding{URN: r.URN, Violation: Violation{Path: "bucket", Value: describe(r.Inputs, "bucket"),
						Message: fmt.Sprintf("%d resources manage this bucket's %s: they overwrite each other", len(rs), what)}})
				}
			}
		}
		return len(buckets), fs
	}
}

// checkS3PolicyCoversBucket: every bucket has one policy, and its TLS-only statement covers the
// bucket and its objects.
func checkS3PolicyCoversBucket(t Target) (int, []Finding) {
	n, fs := s3RequireOne(s3TypePolicy, "policy", "bucket policy")(t)
	buckets, index := s3Buckets(t.Graph)
	sats := s3Satellites(t.Graph, index, s3TypePolicy)
	for _, b := range buckets {
		arn, ok := b.Outputs.GetOk("arn")
		if !ok || !arn.IsString() {
			continue
		}
		for _, p := range sats[b.URN] {
			doc, bad := s3PolicyDoc(p.Inputs)
			if bad != nil {
				continue // the per-resource check reports it
			}
			var tls []iampolicy.Statement
			for _, s := range doc.Statements {
				if s3DeniesInsecureTransport(s) {
					tls = append(tls, s)
				}
			}
			covers := slices.ContainsFunc(tls, func(s iampolicy.Statement) bool {
				return s.CoversResource(arn.AsString()) && s.CoversResource(arn.AsString()+"/any-object")
			})
			if len(tls) > 0 && !covers {
				fs = append(fs, Finding{URN: p.URN, Violation: Violation{Path: "policy", Value: fmt.Sprint(tls[0].Resources),
					Message: fmt.Sprintf("the TLS-only statement must cover the bucket %s and its objects %s/*", arn.AsString(), arn.AsString())}})
			}
		}
	}
	return n, fs
}

// s3AdmitsLogDelivery: a policy that lets the S3 logging service put objects marks a log bucket.
func s3AdmitsLogDelivery(doc iampolicy.Document) bool {
	return slices.ContainsFunc(doc.Allows("s3:PutObject"), func(s iampolicy.Statement) bool {
		return s.Principal != nil && slices.Contains(s.Principal.Service, s3LogDeliveryService)
	})
}

func checkS3AccessLogging(t Target) (int, []Finding) {
	buckets, index := s3Buckets(t.Graph)
	// Log buckets: targets of some bucket's logging, or admitting the logging service.
	logTarget := map[string]bool{}
	for _, l := range t.Graph.OfType(s3TypeLogging) {
		name, _ := l.String("targetBucket")
		if b, ok := index[name]; ok {
			logTarget[b.URN] = true
		}
	}
	for urn, ps := range s3Satellites(t.Graph, index, s3TypePolicy) {
		for _, p := range ps {
			if doc, bad := s3PolicyDoc(p.Inputs); bad == nil && s3AdmitsLogDelivery(doc) {
				logTarget[urn] = true
			}
		}
	}
	var fs []Finding
	logs := s3Satellites(t.Graph, index, s3TypeLogging)
	for _, b := range buckets {
		logged := false
		for _, l := range logs[b.URN] {
			name, _ := l.String("targetBucket")
			switch target, ok := index[name]; {
			case !ok:
				fs = append(fs, Finding{URN: l.URN, Violation: Violation{Path: "targetBucket", Value: describe(l.Inputs, "targetBucket"),
					Message: "access logs must go to a log bucket of this stack (secured and retained like any other)"}})
			case target.URN == b.URN:
				fs = append(fs, Finding{URN: l.URN, Violation: Violation{Path: "targetBucket", Value: describe(l.Inputs, "targetBucket"),
					Message: "a bucket must not log to itself: every log write would be logged again"}})
			default:
				logged = true
			}
		}
		if !logged && !logTarget[b.URN] {
			fs = append(fs, Finding{URN: b.URN, Violation: Violation{Path: "logging", Value: "none",
				Message: "server access logging to a log bucket of this stack is required"}})
		}
	}
	return len(buckets), fs
}
