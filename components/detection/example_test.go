package detection_test

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/securestack/platform/components/detection"
	"github.com/securestack/platform/proof/engine/recorder"
)

// ExampleFindingsPattern prints the EventBridge pattern that routes GuardDuty findings of high
// severity and above.
func ExampleFindingsPattern() {
	pattern, _ := detection.FindingsPattern("high")
	fmt.Println(pattern)
	// Output:
	// {"detail":{"severity":[{"numeric":[">=",7]}]},"detail-type":["GuardDuty Finding"],"source":["aws.guardduty"]}
}

// ExampleFeatures lists the detector features the platform turns on.
func ExampleFeatures() {
	for _, f := range detection.Features {
		fmt.Println(f.Name, f.Additional)
	}
	// Output:
	// S3_DATA_EVENTS []
	// EKS_AUDIT_LOGS []
	// EBS_MALWARE_PROTECTION []
	// RUNTIME_MONITORING [EKS_ADDON_MANAGEMENT]
}

// ExampleNewThreatDetection records, under mocks, a stack that creates its account's detector:
// the four features, the encrypted findings topic with its policy, the rule that routes findings
// of medium severity and above (the default) to it, and one email subscription.
func ExampleNewThreatDetection() {
	g, err := recorder.Record(recorder.Options{Stack: "staging", Program: func(ctx *pulumi.Context) error {
		_, err := detection.NewThreatDetection(ctx, "detection", &detection.ThreatDetectionArgs{
			Mode: detection.Create, Partition: "aws", AccountID: "111111111111",
			TopicName:     "platform-staging-security-findings",
			TopicKeyArn:   pulumi.String("arn:aws:kms:eu-west-1:111111111111:key/alerts"),
			Subscriptions: []detection.Subscription{{Protocol: "email", Endpoint: "security@example.com"}},
		})
		return err
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(g.Listing())
	rule, _ := g.Named("aws:cloudwatch/eventRule:EventRule", "detection-findings")
	description, _ := rule.String("description")
	fmt.Println(description)
	// Output:
	// detection-findings aws:cloudwatch/eventRule:EventRule
	// detection-findings aws:cloudwatch/eventTarget:EventTarget
	// detection aws:guardduty/detector:Detector
	// detection-ebs-malware-protection aws:guardduty/detectorFeature:DetectorFeature
	// detection-eks-audit-logs aws:guardduty/detectorFeature:DetectorFeature
	// detection-runtime-monitoring aws:guardduty/detectorFeature:DetectorFeature
	// detection-s3-data-events aws:guardduty/detectorFeature:DetectorFeature
	// detection-findings aws:sns/topic:Topic
	// detection-findings aws:sns/topicPolicy:TopicPolicy
	// detection-email-security-example-com aws:sns/topicSubscription:TopicSubscription
	// detection platform:detection:ThreatDetection
	// GuardDuty findings of severity medium and above
}

// ExampleNewFalco records, under mocks, the runtime sensor: its privileged namespace (the one
// exception, still denying by default), the egress falcoctl needs, and the pinned release.
func ExampleNewFalco() {
	g, err := recorder.Record(recorder.Options{Stack: "prod", Program: func(ctx *pulumi.Context) error {
		_, err := detection.NewFalco(ctx, "falco", &detection.FalcoArgs{PodSecurityVersion: "v1.34"})
		return err
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(g.Listing())
	release, _ := g.Named("kubernetes:helm.sh/v3:Release", "falco")
	chart, _ := release.String("chart")
	version, _ := release.String("version")
	driver, _ := release.String("values.driver.kind")
	fmt.Println(chart, version, driver)
	// Output:
	// falco kubernetes:helm.sh/v3:Release
	// falco-falcoctl-artifacts kubernetes:networking.k8s.io/v1:NetworkPolicy
	// falco-namespace kubernetes:core/v1:Namespace
	// falco-namespace-default-deny-all kubernetes:networking.k8s.io/v1:NetworkPolicy
	// falco-namespace platform:clustersecurity:Namespace
	// falco platform:detection:Falco
	// falco 9.1.0 modern_ebpf
}
