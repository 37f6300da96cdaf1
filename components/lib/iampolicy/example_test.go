package iampolicy_test

import (
	"fmt"
	"slices"

	"github.com/securestack/platform/components/lib/iampolicy"
)

// Building a KMS key policy that delegates key access to the account's IAM.
func ExampleNew() {
	doc := iampolicy.New(iampolicy.Statement{
		Sid:       "EnableRootAccess",
		Effect:    iampolicy.Allow,
		Principal: &iampolicy.Principal{AWS: iampolicy.StringList{"arn:aws:iam::123456789012:root"}},
		Actions:   iampolicy.StringList{"kms:*"},
		Resources: iampolicy.StringList{"*"},
	})
	policy, err := doc.JSON()
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Println(policy)
	// Output:
	// {"Version":"2012-10-17","Statement":[{"Sid":"EnableRootAccess","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::123456789012:root"]},"Action":["kms:*"],"Resource":["*"]}]}
}

// Building an IAM role trust policy for a service.
func ExampleDocument_JSON() {
	trust := iampolicy.New(iampolicy.Statement{
		Effect:    iampolicy.Allow,
		Principal: &iampolicy.Principal{Service: iampolicy.StringList{"lambda.amazonaws.com"}},
		Actions:   iampolicy.StringList{"sts:AssumeRole"},
		Conditions: iampolicy.Conditions{
			"StringEquals": {"aws:SourceAccount": {"123456789012"}},
		},
	})
	policy, err := trust.JSON()
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Println(policy)
	// Output:
	// {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["lambda.amazonaws.com"]},"Action":["sts:AssumeRole"],"Condition":{"StringEquals":{"aws:SourceAccount":["123456789012"]}}}]}
}

// A control checking that a bucket policy denies requests without TLS.
func ExampleParse() {
	doc, err := iampolicy.Parse(`{
		"Version": "2012-10-17",
		"Statement": {
			"Effect": "Deny",
			"Principal": "*",
			"Action": "s3:*",
			"Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
			"Condition": {"Bool": {"aws:SecureTransport": false}}
		}
	}`)
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	enforcesTLS := false
	for _, s := range doc.Denies("s3:GetObject") {
		if s.Principal.IsWildcard() && s.CoversResource("arn:aws:s3:::b/key") &&
			slices.Contains(s.ConditionValues("Bool", "aws:securetransport"), "false") {
			enforcesTLS = true
		}
	}
	fmt.Println("enforces TLS:", enforcesTLS)
	// Output:
	// enforces TLS: true
}

// ParseAny accepts a policy that a resource input holds as a decoded object.
func ExampleParseAny() {
	input := map[string]any{
		"Version": "2012-10-17",
		"Statement": []any{map[string]any{
			"Effect":    "Allow",
			"Principal": map[string]any{"AWS": "*"},
			"Action":    "sns:Publish",
			"Resource":  "arn:aws:sns:eu-west-1:123456789012:topic",
		}},
	}
	doc, err := iampolicy.ParseAny(input)
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	for i, s := range doc.Statements {
		if s.IsUnconditionedWildcardPrincipal() {
			fmt.Printf("statement %d is public: %v\n", i, s.Actions)
		}
	}
	// Output:
	// statement 0 is public: [sns:Publish]
}

// Allows honours wildcards and NotAction.
func ExampleDocument_Allows() {
	doc, _ := iampolicy.Parse(`{"Version":"2012-10-17","Statement":[
		{"Sid":"Admin","Effect":"Allow","NotAction":"iam:*","Resource":"*"},
		{"Sid":"Read","Effect":"Allow","Action":"s3:Get*","Resource":"*"}]}`)
	for _, action := range []string{"s3:GetObject", "s3:DeleteObject", "iam:CreateUser"} {
		var sids []string
		for _, s := range doc.Allows(action) {
			sids = append(sids, s.Sid)
		}
		fmt.Println(action, sids)
	}
	// Output:
	// s3:GetObject [Admin Read]
	// s3:DeleteObject [Admin]
	// iam:CreateUser []
}

// ExampleWebIdentityTrust builds the trust policy of an IRSA role for one service account.
func ExampleWebIdentityTrust() {
	doc := iampolicy.WebIdentityTrust("arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC",
		"oidc.eks.eu-west-1.amazonaws.com/id/ABC", "kube-system", "aws-node")
	text, _ := doc.JSON()
	fmt.Println(text)
	// Output:
	// {"Version":"2012-10-17","Statement":[{"Sid":"ServiceAccountKubeSystemAwsNode","Effect":"Allow","Principal":{"Federated":["arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC"]},"Action":["sts:AssumeRoleWithWebIdentity"],"Condition":{"StringEquals":{"oidc.eks.eu-west-1.amazonaws.com/id/ABC:aud":["sts.amazonaws.com"],"oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub":["system:serviceaccount:kube-system:aws-node"]}}}]}
}
