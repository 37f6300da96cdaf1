package runner_test

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/securestack/platform/components/runner"
	"github.com/securestack/platform/proof/engine/recorder"
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

// ExampleNewRunner records, under mocks, a dev stack's runner: a log group and a security group
// shared by both projects, and per kind a CodeBuild project with its own role and policy. The
// security group admits nothing and reaches HTTPS only.
func ExampleNewRunner() {
	g, err := recorder.Record(recorder.Options{Stack: "dev", Program: func(ctx *pulumi.Context) error {
		_, err := runner.NewRunner(ctx, "platform-dev-runner", &runner.RunnerArgs{
			Account:          runner.Account{ID: "111111111111", Region: "eu-west-1", Partition: "aws"},
			ProjectPrefix:    "platform-dev-runner",
			Stack:            "dev",
			VpcID:            pulumi.String("vpc-0dev"),
			SubnetIDs:        []pulumi.StringInput{pulumi.String("subnet-0a"), pulumi.String("subnet-0b")},
			SourceBucketName: pulumi.String("platform-dev-runner-src"),
			SourceBucketArn:  pulumi.String("arn:aws:s3:::platform-dev-runner-src"),
			AssumeRoleArns: map[runner.Kind]string{
				runner.Deploy:  "arn:aws:iam::111111111111:role/platform-deploy",
				runner.Preview: "arn:aws:iam::111111111111:role/platform-preview",
			},
			TokenSecretNames: map[runner.Kind]string{
				runner.Deploy: "platform/pulumi-access-token", runner.Preview: "platform/pulumi-preview-token",
			},
			LogsKeyArn:    pulumi.String("arn:aws:kms:eu-west-1:111111111111:key/logs"),
			PulumiVersion: "3.274.1",
		})
		return err
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(g.Listing())
	sg, _ := g.Named("aws:ec2/securityGroup:SecurityGroup", "platform-dev-runner")
	port, _ := sg.Int("egress[0].fromPort")
	fmt.Println("ingress rules:", sg.Len("ingress"), "egress port:", port)
	// Output:
	// platform-dev-runner aws:cloudwatch/logGroup:LogGroup
	// platform-dev-runner-deploy aws:codebuild/project:Project
	// platform-dev-runner-preview aws:codebuild/project:Project
	// platform-dev-runner aws:ec2/securityGroup:SecurityGroup
	// platform-dev-runner-deploy aws:iam/role:Role
	// platform-dev-runner-preview aws:iam/role:Role
	// platform-dev-runner-deploy aws:iam/rolePolicy:RolePolicy
	// platform-dev-runner-preview aws:iam/rolePolicy:RolePolicy
	// platform-dev-runner platform:runner:Runner
	// ingress rules: 0 egress port: 443
}
