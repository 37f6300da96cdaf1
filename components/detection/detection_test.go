package detection_test

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/securestack/platform/components/detection"
	"github.com/securestack/platform/proof/engine/recorder"
)

func TestFindingsPatternSelectsGuardDutyFindingsFromASeverity(t *testing.T) {
	for level, want := range map[string]string{
		"low":    `{"detail":{"severity":[{"numeric":[">=",1]}]},"detail-type":["GuardDuty Finding"],"source":["aws.guardduty"]}`,
		"medium": `{"detail":{"severity":[{"numeric":[">=",4]}]},"detail-type":["GuardDuty Finding"],"source":["aws.guardduty"]}`,
		"high":   `{"detail":{"severity":[{"numeric":[">=",7]}]},"detail-type":["GuardDuty Finding"],"source":["aws.guardduty"]}`,
	} {
		got, err := detection.FindingsPattern(level)
		if err != nil || got != want {
			t.Errorf("%s: %s, %v", level, got, err)
		}
		score, findings, err := detection.PatternMinSeverity(got)
		if err != nil || !findings || score != detection.SeverityScores[level] {
			t.Errorf("%s read back as %v %v %v", level, score, findings, err)
		}
	}
	if _, err := detection.FindingsPattern("critical"); err == nil {
		t.Error("critical alone would drop high findings, yet was accepted")
	}
	if _, findings, _ := detection.PatternMinSeverity(`{"source":["aws.securityhub"]}`); findings {
		t.Error("a Security Hub pattern read as GuardDuty findings")
	}
	if _, _, err := detection.PatternMinSeverity(`{"source":["aws.guardduty"],"detail-type":["GuardDuty Finding"],"detail":{"severity":[{"numeric":["<",4]}]}}`); err == nil {
		t.Error("an upper bound read as a lower one")
	}
}

// TestTopicPolicyAdmitsOnlyTheRuleOverTLS pins the document: the account administers, EventBridge
// publishes for the rule's ARN only, nothing without TLS.
func TestTopicPolicyAdmitsOnlyTheRuleOverTLS(t *testing.T) {
	topic, rule := "arn:aws:sns:eu-west-1:123456789012:platform-prod-security-findings", "arn:aws:events:eu-west-1:123456789012:rule/findings"
	text, err := detection.TopicPolicy("aws", "123456789012", topic, rule).JSON()
	want := `{"Version":"2012-10-17","Statement":[` +
		`{"Sid":"AccountAdministersTopic","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::123456789012:root"]},"Action":["sns:GetTopicAttributes","sns:SetTopicAttributes","sns:Subscribe","sns:ListSubscriptionsByTopic","sns:DeleteTopic","sns:TagResource"],"Resource":["` + topic + `"]},` +
		`{"Sid":"FindingsRulePublishes","Effect":"Allow","Principal":{"Service":["events.amazonaws.com"]},"Action":["sns:Publish"],"Resource":["` + topic + `"],"Condition":{"ArnEquals":{"aws:SourceArn":["` + rule + `"]}}},` +
		`{"Sid":"TLSOnly","Effect":"Deny","Principal":{"AWS":["*"]},"Action":["sns:Publish","sns:Subscribe"],"Resource":["` + topic + `"],"Condition":{"Bool":{"aws:SecureTransport":["false"]}}}]}`
	if err != nil || text != want {
		t.Errorf("topic policy\n got  %s\n want %s", text, want)
	}
}

func TestThreatDetectionArgsReportEveryProblemAtOnce(t *testing.T) {
	err := (&detection.ThreatDetectionArgs{Mode: "adopt", DetectorID: "abc", MinSeverity: "critical", TopicName: "a b",
		Subscriptions: []detection.Subscription{{Protocol: "email", Endpoint: "not-an-address"}, {Protocol: "http", Endpoint: "http://x"},
			{Protocol: "https", Endpoint: "http://plain.example.com"}, {Protocol: "email", Endpoint: "a@b.example"}, {Protocol: "email", Endpoint: "a@b.example"}}}).Validate()
	want := []string{
		`detectorId: "abc" is not a GuardDuty detector id (32 lowercase letters and digits): required to adopt a detector`,
		"partition and accountId: required (the topic's policy names the account)",
		`minSeverity: "critical" is not a severity (allowed: low, medium, high; critical alone would drop high findings)`,
		`subscriptions[0].endpoint: "not-an-address" is not an email address`,
		`subscriptions[1].protocol: "http" is not allowed (allowed: email, https)`,
		`subscriptions[2].endpoint: "http://plain.example.com" is not an https:// URL (plain http would send findings in clear)`,
		`subscriptions[4]: "a@b.example" is the same endpoint as subscriptions[3]`,
		`topicName: "a b" is not a topic and rule name (1 to 64 letters, digits, '-' and '_': EventBridge's limit)`,
		"topicKeyArn: required (the findings topic is encrypted with a customer key)",
	}
	if err == nil || err.Error() != strings.Join(want, "\n") {
		t.Errorf("errors:\n got  %v\n want %s", err, strings.Join(want, "\n"))
	}
	if err := (&detection.ThreatDetectionArgs{Mode: "create", DetectorID: "12abc34d567e8fa901bc2d34e56789f0"}).Validate(); err == nil ||
		!strings.Contains(err.Error(), `detectorId: "12abc34d567e8fa901bc2d34e56789f0" is set, but mode "create" does not adopt a detector`) {
		t.Errorf("a detector id without adopt: %v", err)
	}
}

// TestFalcoIsTheOnePrivilegedNamespace: the release's values, its namespace's Pod Security level
// (privileged, pinned), the default deny and the egress that lets falcoctl fetch its artifacts.
func TestFalcoIsTheOnePrivilegedNamespace(t *testing.T) {
	g, err := recorder.Record(recorder.Options{Stack: "dev", Program: func(ctx *pulumi.Context) error {
		_, err := detection.NewFalco(ctx, "falco", &detection.FalcoArgs{PodSecurityVersion: "v1.34"})
		return err
	}})
	if err != nil {
		t.Fatal(err)
	}
	release, err := g.Named("kubernetes:helm.sh/v3:Release", "falco")
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{"chart": "falco", "version": "9.1.0", "namespace": "falco",
		"repositoryOpts.repo": "https://falcosecurity.github.io/charts", "values.driver.kind": "modern_ebpf"} {
		if got, _ := release.String(path); got != want {
			t.Errorf("%s = %q, want %q", path, got, want)
		}
	}
	for path, want := range map[string]bool{"values.driver.modernEbpf.leastPrivileged": true, "values.falco.json_output": true,
		"values.falco.stdout_output.enabled": true, "values.falcoctl.artifact.follow.enabled": false, "values.tty": false} {
		if got, err := release.Bool(path); err != nil || got != want {
			t.Errorf("%s = %v (%v), want %v", path, got, err, want)
		}
	}
	ns, err := g.Named("kubernetes:core/v1:Namespace", "falco-namespace")
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range []string{"enforce", "audit", "warn"} {
		key := `metadata.labels["pod-security.kubernetes.io/` + mode + `"]`
		if got, _ := ns.String(key); got != "privileged" {
			t.Errorf("%s = %q", key, got)
		}
		if got, _ := ns.String(`metadata.labels["pod-security.kubernetes.io/` + mode + `-version"]`); got != "v1.34" {
			t.Errorf("%s-version = %q", mode, got)
		}
	}
	egress, err := g.Named("kubernetes:networking.k8s.io/v1:NetworkPolicy", "falco-falcoctl-artifacts")
	if err != nil {
		t.Fatal(err)
	}
	if cidr, _ := egress.String("spec.egress[1].to[0].ipBlock.cidr"); cidr != "0.0.0.0/0" {
		t.Errorf("egress cidr %q", cidr)
	}
	if except, _ := egress.Strings("spec.egress[1].to[0].ipBlock.except"); len(except) != 1 || except[0] != "169.254.0.0/16" {
		t.Errorf("egress except %v: the metadata service stays unreachable", except)
	}
	if _, err := g.Named("kubernetes:networking.k8s.io/v1:NetworkPolicy", "falco-namespace-default-deny-all"); err != nil {
		t.Error(err)
	}
	if !g.DependsOn(release, egress.URN) {
		t.Error("the release does not wait for its namespace's policies")
	}
}
