package runner_test

import (
	"fmt"

	"github.com/securestack/platform/components/runner"
)

// ExamplePolicy prints what the preview project's role may do: its own logs, sources and network
// interfaces, the token, and assuming the preview role only (never the deploy role).
func ExamplePolicy() {
	doc := runner.Policy(runner.PolicyInput{
		Account:         runner.Account{ID: "123456789012", Region: "eu-west-1", Partition: "aws"},
		Kind:            runner.Preview,
		LogGroupArn:     "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/codebuild/platform-dev-runner",
		SourceBucketArn: "arn:aws:s3:::platform-dev-runner-src",
		TokenSecretName: "platform/pulumi-access-token",
		AssumeRole:      "arn:aws:iam::123456789012:role/platform-preview",
		SubnetIDs:       []string{"subnet-0a", "subnet-0b"},
	})
	for _, s := range doc.Statements {
		fmt.Println(s.Sid, s.Resources)
	}
	// Output:
	// WriteOwnLogs [arn:aws:logs:eu-west-1:123456789012:log-group:/aws/codebuild/platform-dev-runner:log-stream:preview*]
	// ManageBuildNetworkInterfaces [*]
	// AttachInterfacesInRunnerSubnets [arn:aws:ec2:eu-west-1:123456789012:network-interface/*]
	// ReadOwnSources [arn:aws:s3:::platform-dev-runner-src/preview/*]
	// LocateSourceBucket [arn:aws:s3:::platform-dev-runner-src]
	// ReadPulumiToken [arn:aws:secretsmanager:eu-west-1:123456789012:secret:platform/pulumi-access-token-??????]
	// AssumeOwnRole [arn:aws:iam::123456789012:role/platform-preview]
}
