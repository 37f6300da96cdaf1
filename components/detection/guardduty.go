package detection

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/guardduty"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Type tokens. They are in users' state: never change them.
const (
	ThreatDetectionTypeToken = "platform:detection:ThreatDetection"
	FalcoTypeToken           = "platform:detection:Falco"
)

// The ways a stack handles the account's GuardDuty detector, one per account and region.
const (
	// Create: this stack creates the detector.
	Create = "create"
	// Adopt: the detector exists (DetectorID); this stack manages its features.
	Adopt = "adopt"
	// Organization: the organisation's GuardDuty administrator manages the detector and its
	// features; this stack routes the findings only.
	Organization = "organization"
)

// DetectorModes are the allowed modes.
var DetectorModes = []string{Create, Adopt, Organization}

// PublishingFrequency is how often GuardDuty publishes updates of findings: the shortest interval.
const PublishingFrequency = "FIFTEEN_MINUTES"

// Feature is a GuardDuty detector feature and its additional configuration.
type Feature struct {
	// Name is GuardDuty's name of the feature, e.g. EKS_AUDIT_LOGS.
	Name string
	// Additional are the feature's additional configurations, each ENABLED.
	Additional []string
}

// Features are the detector features the platform turns on: S3 data events, EKS audit logs, EBS
// malware protection, and runtime monitoring with the EKS agent managed as an add-on.
// RUNTIME_MONITORING supersedes EKS_RUNTIME_MONITORING; GuardDuty refuses both on one detector.
var Features = []Feature{
	{Name: "S3_DATA_EVENTS"},
	{Name: "EKS_AUDIT_LOGS"},
	{Name: "EBS_MALWARE_PROTECTION"},
	{Name: "RUNTIME_MONITORING", Additional: []string{"EKS_ADDON_MANAGEMENT"}},
}

// Subscription is an endpoint that receives the findings.
type Subscription struct {
	// Protocol is "email" or "https" (never plain http: findings would travel in clear).
	Protocol string
	// Endpoint is the email address or the https:// URL.
	Endpoint string
}

// SubscriptionProtocols are the allowed protocols.
var SubscriptionProtocols = []string{"email", "https"}

// ThreatDetectionArgs configures ThreatDetection.
type ThreatDetectionArgs struct {
	// Mode is Create, Adopt or Organization; required, with no default: the detector is a
	// singleton of the account, so skipping it silently is never an option — the caller says who
	// manages it.
	Mode string
	// DetectorID is the existing detector's id; required with Adopt, not allowed otherwise.
	DetectorID string
	// Partition and AccountID scope the topic's policy; required.
	Partition, AccountID string
	// MinSeverity is the lowest severity routed: "low", "medium" or "high"; "" means "medium",
	// which routes every finding that suggests a compromise without the noise of low ones.
	// "critical" alone is refused: it would drop every high finding.
	MinSeverity string
	// TopicName names the findings topic and its rule; required (EventBridge allows 64 characters).
	TopicName string
	// TopicKeyArn encrypts the topic; required: a customer key whose policy lets EventBridge use
	// it (encryption.Alerts), or EventBridge cannot publish.
	TopicKeyArn pulumi.StringInput
	// Subscriptions receive the findings. Email endpoints must confirm; until then, nothing is
	// sent. Nil (the default) subscribes nobody: the topic is still there for other tools to
	// subscribe, and the rule still routes to it.
	Subscriptions []Subscription
	// Protect keeps the detector from being deleted with the stack (deleting a detector deletes
	// its findings). False (the default) lets a test account's stack be torn down; set it in prod.
	Protect bool
	// Tags are added to the detector, the topic and the rule; nil adds none.
	Tags map[string]string
}

// ThreatDetection is the account's GuardDuty detector (or the reference to it) and the route of
// its findings.
type ThreatDetection struct {
	pulumi.ResourceState

	// DetectorID is the detector whose features are managed ("" in Organization mode).
	DetectorID pulumi.StringOutput
	// TopicArn is the findings topic: subscribe more endpoints to it.
	TopicArn pulumi.StringOutput
}

// ValidDetectorID reports whether id has the shape of a GuardDuty detector id.
func ValidDetectorID(id string) bool { return detectorID.MatchString(id) }

var (
	detectorID  = regexp.MustCompile(`^[a-z0-9]{32}$`)
	emailLike   = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	topicName   = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	httpsURLPat = regexp.MustCompile(`^https://[^\s/$.?#].[^\s]*$`)
)

// Validate reports every problem at once.
func (a *ThreatDetectionArgs) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if !slices.Contains(DetectorModes, a.Mode) {
		bad("mode: %q is not a detector mode (allowed: %s)", a.Mode, strings.Join(DetectorModes, ", "))
	}
	switch {
	case a.Mode == Adopt && !detectorID.MatchString(a.DetectorID):
		bad("detectorId: %q is not a GuardDuty detector id (32 lowercase letters and digits): required to adopt a detector", a.DetectorID)
	case a.Mode != Adopt && a.DetectorID != "":
		bad("detectorId: %q is set, but mode %q does not adopt a detector", a.DetectorID, a.Mode)
	}
	if a.Partition == "" || a.AccountID == "" {
		bad("partition and accountId: required (the topic's policy names the account)")
	}
	for _, p := range ValidateRoute(a.MinSeverity, a.Subscriptions) {
		errs = append(errs, errors.New(p))
	}
	if !topicName.MatchString(a.TopicName) {
		bad("topicName: %q is not a topic and rule name (1 to 64 letters, digits, '-' and '_': EventBridge's limit)", a.TopicName)
	}
	if a.TopicKeyArn == nil {
		bad("topicKeyArn: required (the findings topic is encrypted with a customer key)")
	}
	return errors.Join(errs...)
}

// ValidateRoute checks a findings route: the severity ("" is the default) and the subscriptions.
// Each problem starts with its path (minSeverity, subscriptions[i].…).
func ValidateRoute(minSeverity string, subs []Subscription) []string {
	var p []string
	if minSeverity != "" && !slices.Contains(Severities, minSeverity) {
		p = append(p, fmt.Sprintf("minSeverity: %q is not a severity (allowed: %s; critical alone would drop high findings)", minSeverity, strings.Join(Severities, ", ")))
	}
	keys := map[string]int{}
	for i, s := range subs {
		switch {
		case !slices.Contains(SubscriptionProtocols, s.Protocol):
			p = append(p, fmt.Sprintf("subscriptions[%d].protocol: %q is not allowed (allowed: %s)", i, s.Protocol, strings.Join(SubscriptionProtocols, ", ")))
		case s.Protocol == "email" && !emailLike.MatchString(s.Endpoint):
			p = append(p, fmt.Sprintf("subscriptions[%d].endpoint: %q is not an email address", i, s.Endpoint))
		case s.Protocol == "https" && !httpsURLPat.MatchString(s.Endpoint):
			p = append(p, fmt.Sprintf("subscriptions[%d].endpoint: %q is not an https:// URL (plain http would send findings in clear)", i, s.Endpoint))
		}
		key := s.Protocol + "-" + subscriptionKey(s.Endpoint)
		if j, dup := keys[key]; dup {
			p = append(p, fmt.Sprintf("subscriptions[%d]: %q is the same endpoint as subscriptions[%d]", i, s.Endpoint, j))
		}
		keys[key] = i
	}
	return p
}

// NewThreatDetection registers the detector (or adopts one) and its features, the findings topic,
// its policy and subscriptions, and the rule that routes findings to it.
func NewThreatDetection(ctx *pulumi.Context, name string, args *ThreatDetectionArgs, opts ...pulumi.ResourceOption) (*ThreatDetection, error) {
	if args == nil {
		args = &ThreatDetectionArgs{}
	}
	if err := args.Validate(); err != nil {
		return nil, fmt.Errorf("detection.NewThreatDetection %q: %w", name, err)
	}
	a := *args
	if a.MinSeverity == "" {
		a.MinSeverity = "medium"
	}
	pattern, err := FindingsPattern(a.MinSeverity)
	if err != nil {
		return nil, err
	}
	d := &ThreatDetection{}
	if err := ctx.RegisterComponentResource(ThreatDetectionTypeToken, name, d, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(d)
	switch a.Mode {
	case Create:
		det, err := guardduty.NewDetector(ctx, name, &guardduty.DetectorArgs{
			Enable:                     pulumi.Bool(true),
			FindingPublishingFrequency: pulumi.String(PublishingFrequency),
			Tags:                       pulumi.ToStringMap(a.Tags),
		}, parent, pulumi.Protect(a.Protect))
		if err != nil {
			return nil, err
		}
		d.DetectorID = det.ID().ToStringOutput()
	case Adopt:
		d.DetectorID = pulumi.String(a.DetectorID).ToStringOutput()
	default:
		d.DetectorID = pulumi.String("").ToStringOutput()
	}
	if a.Mode != Organization {
		for _, f := range Features {
			var extra guardduty.DetectorFeatureAdditionalConfigurationArray
			for _, c := range f.Additional {
				extra = append(extra, &guardduty.DetectorFeatureAdditionalConfigurationArgs{
					Name: pulumi.String(c), Status: pulumi.String("ENABLED"),
				})
			}
			if _, err := guardduty.NewDetectorFeature(ctx, name+"-"+strings.ToLower(strings.ReplaceAll(f.Name, "_", "-")), &guardduty.DetectorFeatureArgs{
				DetectorId:               d.DetectorID,
				Name:                     pulumi.String(f.Name),
				Status:                   pulumi.String("ENABLED"),
				AdditionalConfigurations: extra,
			}, parent); err != nil {
				return nil, err
			}
		}
	}

	topic, err := sns.NewTopic(ctx, name+"-findings", &sns.TopicArgs{
		Name:           pulumi.String(a.TopicName),
		KmsMasterKeyId: a.TopicKeyArn,
		Tags:           pulumi.ToStringMap(a.Tags),
	}, parent)
	if err != nil {
		return nil, err
	}
	rule, err := cloudwatch.NewEventRule(ctx, name+"-findings", &cloudwatch.EventRuleArgs{
		Name:         pulumi.String(a.TopicName),
		Description:  pulumi.Sprintf("GuardDuty findings of severity %s and above", a.MinSeverity),
		EventPattern: pulumi.String(pattern),
		Tags:         pulumi.ToStringMap(a.Tags),
	}, parent)
	if err != nil {
		return nil, err
	}
	policy := pulumi.All(topic.Arn, rule.Arn).ApplyT(func(v []any) (string, error) {
		return TopicPolicy(a.Partition, a.AccountID, v[0].(string), v[1].(string)).JSON()
	}).(pulumi.StringOutput)
	topicPolicy, err := sns.NewTopicPolicy(ctx, name+"-findings", &sns.TopicPolicyArgs{Arn: topic.Arn, Policy: policy}, parent)
	if err != nil {
		return nil, err
	}
	// The target waits for the policy: until it exists, EventBridge's publishes are refused.
	if _, err := cloudwatch.NewEventTarget(ctx, name+"-findings", &cloudwatch.EventTargetArgs{
		Rule: rule.Name,
		Arn:  topic.Arn,
	}, parent, pulumi.DependsOn([]pulumi.Resource{topicPolicy})); err != nil {
		return nil, err
	}
	for _, s := range a.Subscriptions {
		if _, err := sns.NewTopicSubscription(ctx, name+"-"+s.Protocol+"-"+subscriptionKey(s.Endpoint), &sns.TopicSubscriptionArgs{
			Topic:    topic.Arn,
			Protocol: pulumi.String(s.Protocol),
			Endpoint: pulumi.String(s.Endpoint),
		}, parent); err != nil {
			return nil, err
		}
	}
	d.TopicArn = topic.Arn
	return d, ctx.RegisterResourceOutputs(d, pulumi.Map{"detectorId": d.DetectorID, "topicArn": topic.Arn})
}

// subscriptionKey is a stable child key of an endpoint: its letters and digits, lowercased.
func subscriptionKey(endpoint string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimPrefix(endpoint, "https://")) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteRune('-')
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}
