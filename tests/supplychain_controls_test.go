package tests

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/securestack/platform/proof/engine/graph"
)

const (
	tRepository  = "aws:ecr/repository:Repository"
	tRepoPolicy  = "aws:ecr/repositoryPolicy:RepositoryPolicy"
	tLifecycle   = "aws:ecr/lifecyclePolicy:LifecyclePolicy"
	tDetector    = "aws:guardduty/detector:Detector"
	tFeature     = "aws:guardduty/detectorFeature:DetectorFeature"
	tEventRule   = "aws:cloudwatch/eventRule:EventRule"
	tTopic       = "aws:sns/topic:Topic"
	tTopicPolicy = "aws:sns/topicPolicy:TopicPolicy"
	tRelease     = "kubernetes:helm.sh/v3:Release"
)

// replaceIn rewrites part of the image workflow: a broken copy for SUP-001.
func replaceIn(old, replacement string) func(*testing.T, string) string {
	return func(t *testing.T, text string) string {
		if !strings.Contains(text, old) {
			t.Fatalf("the image workflow has no %q", old)
		}
		return strings.Replace(text, old, replacement, 1)
	}
}

// The registry, supply-chain and detection controls, broken one at a time on prod.
func init() {
	repo := tRepository + "::" + p + "-uploader-repository"
	uploaderPolicy := tRepoPolicy + "::" + p + "-uploader-repository"
	pushRole := tRole + "::" + p + "-uploader-push"
	runtime := tFeature + "::" + p + "-threat-detection-runtime-monitoring"
	rule := tEventRule + "::" + p + "-threat-detection-findings"
	topic := tTopic + "::" + p + "-threat-detection-findings"
	falco := tRelease + "::" + p + "-falco"
	const (
		image = "jobs.image.steps[6]" // the Trivy image scan
		conf  = "jobs.image.steps[4]" // the Trivy Dockerfile scan
	)
	brokenCases = append(brokenCases,
		brokenCase{name: "a repository that does not scan on push", control: "REG-001",
			breakGraph: setInput(tRepository, p+"-uploader-repository", "imageScanningConfiguration.scanOnPush", property.New(false)),
			wantURN:    repo, wantPath: "imageScanningConfiguration.scanOnPush"},
		brokenCase{name: "a workload image from another repository of the account", control: "REG-001",
			breakGraph: setInput(tDeployment, p+"-frontend", "spec.template.spec.containers[0].image", str("222222222222.dkr.ecr.eu-west-1.amazonaws.com/tools/debug:1")),
			wantURN:    tDeployment + "::" + p + "-frontend", wantPath: "spec.template.spec.containers[0].image"},
		brokenCase{name: "mutable tags", control: "REG-002",
			breakGraph: setInput(tRepository, p+"-uploader-repository", "imageTagMutability", str("MUTABLE")),
			wantURN:    repo, wantPath: "imageTagMutability"},
		brokenCase{name: "AES256 with an AWS-owned key", control: "REG-003",
			breakGraph: setInput(tRepository, p+"-uploader-repository", "encryptionConfigurations[0].encryptionType", str("AES256")),
			wantURN:    repo, wantPath: "encryptionConfigurations[0].encryptionType"},
		brokenCase{name: "the AWS-managed ECR key", control: "REG-003",
			breakGraph: setInput(tRepository, p+"-uploader-repository", "encryptionConfigurations[0].kmsKey", str("alias/aws/ecr")),
			wantURN:    repo, wantPath: "encryptionConfigurations[0].kmsKey"},
		brokenCase{name: "a public repository", control: "REG-004",
			breakGraph: setInput(tRepoPolicy, p+"-uploader-repository", "policy", str(`{"Version":"2012-10-17","Statement":[`+
				`{"Sid":"Public","Effect":"Allow","Principal":"*","Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"]}]}`)),
			wantURN: uploaderPolicy, wantPath: "policy.Statement[0].Principal"},
		brokenCase{name: "anyone in the account may push", control: "REG-004",
			breakGraph: editInputs(tRepoPolicy, p+"-uploader-repository", func(t *testing.T, in property.Map) property.Map {
				v, _ := graph.Lookup(in, "policy", "")
				text := v.AsString()
				i := strings.Index(text, `{"Sid":"OnlyCIRoleWrites"`)
				if i < 0 {
					t.Fatalf("no write deny in %s", text)
				}
				return set(t, in, "policy", str(text[:i-1]+"]}"))
			}),
			wantURN: uploaderPolicy, wantPath: "policy"},
		brokenCase{name: "a push role any repository of the owner may assume", control: "REG-005",
			breakGraph: setInput(tRole, p+"-uploader-push", "assumeRolePolicy", str(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow",`+
				`"Principal":{"Federated":"arn:aws:iam::222222222222:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity",`+
				`"Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"},"StringLike":{"token.actions.githubusercontent.com:sub":"repo:example-org/*"}}}]}`)),
			wantURN: pushRole, wantPath: "assumeRolePolicy.Statement[0].Condition.StringEquals.token.actions.githubusercontent.com:sub"},
		brokenCase{name: "a push role for every branch", control: "REG-005",
			breakGraph: setInput(tRole, p+"-uploader-push", "assumeRolePolicy", str(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow",`+
				`"Principal":{"Federated":"arn:aws:iam::222222222222:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity",`+
				`"Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com","token.actions.githubusercontent.com:sub":"repo:example-org/uploader:ref:refs/heads/*"}}}]}`)),
			wantURN: pushRole, wantPath: "assumeRolePolicy.Statement[0].Condition.StringEquals.token.actions.githubusercontent.com:sub"},
		brokenCase{name: "untagged images kept forever", control: "REG-006",
			breakGraph: setInput(tLifecycle, p+"-uploader-repository", "policy", str(`{"rules":[{"rulePriority":1,"description":"keep 50",`+
				`"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":50},"action":{"type":"expire"}}]}`)),
			wantURN: tLifecycle + "::" + p + "-uploader-repository", wantPath: "policy"},
		brokenCase{name: "the Trivy image scan does not fail the job", control: "SUP-001",
			breakWorkflow: replaceIn("--ignore-unfixed --exit-code 1", "--ignore-unfixed --exit-code 0"),
			wantURN:       ".github/workflows/image.yml", wantPath: image + ".run"},
		brokenCase{name: "unfixable findings block every build", control: "SUP-001",
			breakWorkflow: replaceIn("--ignore-unfixed ", ""),
			wantURN:       ".github/workflows/image.yml", wantPath: image + ".run"},
		brokenCase{name: "MEDIUM only in the Dockerfile scan", control: "SUP-001",
			breakWorkflow: replaceIn("--severity HIGH,CRITICAL --exit-code 1 .", "--severity MEDIUM --exit-code 1 ."),
			wantURN:       ".github/workflows/image.yml", wantPath: conf + ".run"},
		brokenCase{name: "a scan that may fail silently", control: "SUP-001",
			breakWorkflow: replaceIn("      - name: Trivy image scan", "      - continue-on-error: true\n        name: Trivy image scan"),
			wantURN:       ".github/workflows/image.yml", wantPath: image},
		brokenCase{name: "an action on a movable tag", control: "SUP-001",
			breakWorkflow: replaceIn("actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683", "actions/checkout@v4"),
			wantURN:       ".github/workflows/image.yml", wantPath: "jobs.image.steps[0].uses"},
		brokenCase{name: "GuardDuty runtime monitoring off", control: "GD-001",
			breakGraph: setInput(tFeature, p+"-threat-detection-runtime-monitoring", "status", str("DISABLED")),
			wantURN:    runtime, wantPath: "status"},
		brokenCase{name: "the EKS agent not managed", control: "GD-001",
			breakGraph: deleteInput(tFeature, p+"-threat-detection-runtime-monitoring", "additionalConfigurations"),
			wantURN:    runtime, wantPath: "additionalConfigurations"},
		brokenCase{name: "findings published every six hours", control: "GD-001",
			breakGraph: setInput(tDetector, p+"-threat-detection", "findingPublishingFrequency", str("SIX_HOURS")),
			wantURN:    tDetector + "::" + p + "-threat-detection", wantPath: "findingPublishingFrequency"},
		brokenCase{name: "only critical findings routed", control: "GD-002",
			breakGraph: setInput(tEventRule, p+"-threat-detection-findings", "eventPattern",
				str(`{"detail":{"severity":[{"numeric":[">=",9]}]},"detail-type":["GuardDuty Finding"],"source":["aws.guardduty"]}`)),
			wantURN: rule, wantPath: "eventPattern.detail.severity"},
		brokenCase{name: "an alert topic under the AWS-managed key", control: "GD-002",
			breakGraph: setInput(tTopic, p+"-threat-detection-findings", "kmsMasterKeyId", str("alias/aws/sns")),
			wantURN:    topic, wantPath: "kmsMasterKeyId"},
		brokenCase{name: "anyone may publish to the alert topic", control: "GD-002",
			breakGraph: editInputs(tTopicPolicy, p+"-threat-detection-findings", func(t *testing.T, in property.Map) property.Map {
				v, _ := graph.Lookup(in, "policy", "")
				return set(t, in, "policy", str(strings.Replace(v.AsString(), `"Principal":{"Service":["events.amazonaws.com"]}`, `"Principal":{"AWS":["*"]}`, 1)))
			}),
			wantURN: tTopicPolicy + "::" + p + "-threat-detection-findings", wantPath: "policy"},
		brokenCase{name: "Falco with the kernel module", control: "FALCO-001",
			breakGraph: setInput(tRelease, p+"-falco", "values.driver.kind", str("kmod")),
			wantURN:    falco, wantPath: "values.driver.kind"},
		brokenCase{name: "Falco alerts only on syslog", control: "FALCO-001",
			breakGraph: setInput(tRelease, p+"-falco", "values.falco.stdout_output.enabled", property.New(false)),
			wantURN:    falco, wantPath: "values.falco.stdout_output.enabled"},
		brokenCase{name: "prod without Falco", control: "FALCO-001",
			breakGraph: func(t *testing.T, g *graph.Graph) *graph.Graph { return without(t, g, tRelease, p+"-falco") },
			wantURN:    "pulumi:pulumi:Stack::platform-prod", wantPath: "detection.falco"},
		brokenCase{name: "an application namespace made privileged", control: "POD-004",
			breakGraph: setInput(tNamespace, p+"-apps", `metadata.labels["pod-security.kubernetes.io/enforce"]`, str("privileged")),
			wantURN:    tNamespace + "::" + p + "-apps", wantPath: "metadata.labels.pod-security.kubernetes.io/enforce"},
		brokenCase{name: "Falco's privileged namespace left without Falco", control: "POD-004",
			breakGraph: func(t *testing.T, g *graph.Graph) *graph.Graph { return without(t, g, tRelease, p+"-falco") },
			wantURN:    tNamespace + "::" + p + "-falco-namespace", wantPath: "metadata.labels.pod-security.kubernetes.io/enforce"},
	)
}
