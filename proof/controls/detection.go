package controls

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/securestack/platform/components/detection"
	"github.com/securestack/platform/components/lib/eksspec"
	"github.com/securestack/platform/components/lib/iampolicy"
	"github.com/securestack/platform/proof/engine/graph"
)

const (
	typeDetector        = "aws:guardduty/detector:Detector"
	typeDetectorFeature = "aws:guardduty/detectorFeature:DetectorFeature"
	typeEventRule       = "aws:cloudwatch/eventRule:EventRule"
	typeEventTarget     = "aws:cloudwatch/eventTarget:EventTarget"
	typeTopic           = "aws:sns/topic:Topic"
	typeTopicPolicy     = "aws:sns/topicPolicy:TopicPolicy"
	typeHelmRelease     = "kubernetes:helm.sh/v3:Release"
)

// Section 5's lines.
const (
	reqGuardDuty = "GuardDuty: Enabled on AWS account."
	reqFalco     = "Falco: (Recommended) Runtime security monitoring."
)

// semverPin is an exact chart version.
var semverPin = regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+$`)

var detectionControls = []*Control{
	{ID: "GD-001", Title: "GuardDuty is on in the account and region, publishing every 15 minutes, with S3 data events, EKS audit logs, EBS malware protection and EKS runtime monitoring (agent managed) — or the account's baseline is owned by another stack",
		Section: section5, Requirement: reqGuardDuty, Severity: Critical, Graph: checkGuardDuty, Evidence: guardDutyEvidence},
	{ID: "GD-002", Title: "GuardDuty findings of high severity and above are routed by an EventBridge rule to an SNS topic encrypted with a customer key that only the rule may publish to — or the account's baseline is owned by another stack",
		Section: section5, Supports: []string{reqGuardDuty}, Severity: High, Graph: checkFindingsRoute, Evidence: routeEvidence},
	{ID: "FALCO-001", Title: "Falco runs where the environment asks for it (prod): a pinned chart with the modern eBPF driver, JSON alerts on stdout, in its own namespace",
		Section: section5, Requirement: reqFalco, Severity: High, Graph: checkFalco},
	{ID: "POD-004", Title: "Every namespace enforces Pod Security restricted, except Falco's namespace, which may be privileged only to hold Falco",
		Section: section2, Supports: []string{reqNonRoot}, Severity: Critical, Graph: checkPrivilegedNamespaces},
}

// featureNames are the detector features the platform requires, by name.
func featureNames() []string {
	var out []string
	for _, f := range detection.Features {
		out = append(out, f.Name)
	}
	return out
}

func guardDutyEvidence(t Target) string {
	if owner, ok := baselineOwner(t.Graph); ok {
		return fmt.Sprintf("the account baseline, GuardDuty included, is owned by stack %s", owner)
	}
	if ds := t.Graph.OfType(typeDetector); len(ds) > 0 {
		return "the detector is created by this stack, with features " + strings.Join(featureNames(), ", ")
	}
	for _, f := range t.Graph.OfType(typeDetectorFeature) {
		id, _ := f.String("detectorId")
		return fmt.Sprintf("detector %s is adopted (it existed); this stack manages its features %s", id, strings.Join(featureNames(), ", "))
	}
	return ""
}

func checkGuardDuty(t Target) (int, []Finding) {
	detectors, features := t.Graph.OfType(typeDetector), t.Graph.OfType(typeDetectorFeature)
	if _, referenced := baselineOwner(t.Graph); referenced && len(detectors)+len(features) == 0 {
		return 1, nil
	}
	if len(features) == 0 {
		return 1, []Finding{accountFinding(t.Graph, "account.guardDuty",
			"create the region's GuardDuty detector here or adopt the existing one (its features managed here), or waive GD-001 naming the organisation's GuardDuty administrator")}
	}
	var fs []Finding
	for _, d := range detectors {
		if v, err := d.Bool("enable"); err != nil || !v {
			fs = append(fs, Finding{URN: d.URN, Violation: Violation{Path: "enable", Value: describe(d.Inputs, "enable"), Message: "the detector must be enabled"}})
		}
		if v, _ := d.String("findingPublishingFrequency"); v != detection.PublishingFrequency {
			fs = append(fs, Finding{URN: d.URN, Violation: Violation{Path: "findingPublishingFrequency", Value: describe(d.Inputs, "findingPublishingFrequency"),
				Message: "publish updated findings every 15 minutes (FIFTEEN_MINUTES; the default is six hours)"}})
		}
		if d.Has("datasources") {
			fs = append(fs, Finding{URN: d.URN, Violation: Violation{Path: "datasources", Value: describe(d.Inputs, "datasources"),
				Message: "manage protections as detector features only: the deprecated datasources block conflicts with them"}})
		}
	}
	byName := map[string]*graph.Resource{}
	detectorIDs := map[string]bool{}
	for _, f := range features {
		name, _ := f.String("name")
		if name == "EKS_RUNTIME_MONITORING" {
			fs = append(fs, Finding{URN: f.URN, Violation: Violation{Path: "name", Value: name,
				Message: "RUNTIME_MONITORING supersedes EKS_RUNTIME_MONITORING, and GuardDuty refuses both on one detector"}})
		}
		byName[name] = f
		if id, err := f.Get("detectorId"); err == nil && id.IsString() {
			detectorIDs[id.AsString()] = true
		}
	}
	if len(detectorIDs) > 1 {
		fs = append(fs, accountFinding(t.Graph, "detectorFeature.detectorId", fmt.Sprintf("the features name %d detectors: a region has one", len(detectorIDs))))
	}
	for _, want := range detection.Features {
		f, ok := byName[want.Name]
		if !ok {
			fs = append(fs, accountFinding(t.Graph, "detectorFeature["+want.Name+"]", "turn on the feature "+want.Name))
			continue
		}
		if v, _ := f.String("status"); v != "ENABLED" {
			fs = append(fs, Finding{URN: f.URN, Violation: Violation{Path: "status", Value: describe(f.Inputs, "status"), Message: want.Name + " must be ENABLED"}})
		}
		for _, extra := range want.Additional {
			found := false
			for i := range f.Len("additionalConfigurations") {
				at := fmt.Sprintf("additionalConfigurations[%d]", i)
				name, _ := f.String(at + ".name")
				status, _ := f.String(at + ".status")
				found = found || (name == extra && status == "ENABLED")
			}
			if !found {
				fs = append(fs, Finding{URN: f.URN, Violation: Violation{Path: "additionalConfigurations", Value: describe(f.Inputs, "additionalConfigurations"),
					Message: fmt.Sprintf("enable %s: without it GuardDuty does not install its agent on the cluster", extra)}})
			}
		}
	}
	return len(features), fs
}

func checkFindingsRoute(t Target) (int, []Finding) {
	rules := t.Graph.OfType(typeEventRule)
	_, referenced := baselineOwner(t.Graph)
	var routes []*graph.Resource
	var fs []Finding
	for _, r := range rules {
		pattern, _ := r.String("eventPattern")
		score, findings, err := detection.PatternMinSeverity(pattern)
		if !findings {
			continue
		}
		routes = append(routes, r)
		switch {
		case err != nil:
			fs = append(fs, Finding{URN: r.URN, Violation: Violation{Path: "eventPattern", Value: pattern, Message: err.Error()}})
		case score > detection.SeverityScores["high"]:
			fs = append(fs, Finding{URN: r.URN, Violation: Violation{Path: "eventPattern.detail.severity", Value: fmt.Sprint(score),
				Message: "route every finding of high severity (7) and above"}})
		}
		fs = append(fs, routeTargetFindings(t, r)...)
	}
	if len(routes) == 0 {
		if referenced {
			return 1, nil
		}
		return 1, []Finding{accountFinding(t.Graph, "account.findings", "route GuardDuty findings (source aws.guardduty, detail-type GuardDuty Finding) to an alert topic")}
	}
	return len(routes), fs
}

// routeTargetFindings checks that the rule targets an SNS topic of this plan, encrypted with a
// customer key of this plan that EventBridge may use, whose policy lets this rule (and only
// EventBridge for it) publish.
func routeTargetFindings(t Target, rule *graph.Resource) []Finding {
	g := t.Graph
	ruleName, _ := rule.Outputs.GetOk("name")
	ruleArn := ""
	if v, ok := rule.Outputs.GetOk("arn"); ok && v.IsString() {
		ruleArn = v.AsString()
	}
	var fs []Finding
	var targeted []*graph.Resource
	for _, tg := range g.OfType(typeEventTarget) {
		r, err := tg.Get("rule")
		sameRule := r.IsComputed() || (r.IsString() && ruleName.IsString() && r.AsString() == ruleName.AsString())
		if err != nil || !sameRule {
			continue
		}
		topic, ok := t.refOne(tg, "arn", byArn, typeTopic)
		if !ok {
			fs = append(fs, Finding{URN: tg.URN, Violation: Violation{Path: "arn", Value: describe(tg.Inputs, "arn"), Message: "target an SNS topic of this plan"}})
			continue
		}
		targeted = append(targeted, topic)
	}
	if len(targeted) == 0 && len(fs) == 0 {
		return []Finding{{URN: rule.URN, Violation: Violation{Path: "targets", Value: "none", Message: "send the findings to an alert topic"}}}
	}
	for _, topic := range targeted {
		key, ok := t.refOne(topic, "kmsMasterKeyId", byArn, typeKey)
		switch {
		case !ok:
			fs = append(fs, Finding{URN: topic.URN, Violation: Violation{Path: "kmsMasterKeyId", Value: describe(topic.Inputs, "kmsMasterKeyId"),
				Message: "encrypt the topic with a customer key of this plan (alias/aws/sns does not let EventBridge publish)"}})
		case !keyLetsEventBridgeEncrypt(key):
			fs = append(fs, Finding{URN: key.URN, Violation: Violation{Path: "policy", Value: "no EventBridge statement",
				Message: "the topic's key must let events.amazonaws.com use kms:GenerateDataKey and kms:Decrypt, or every publish fails"}})
		}
		fs = append(fs, topicPolicyFindings(t, topic, ruleArn)...)
	}
	return fs
}

func keyLetsEventBridgeEncrypt(key *graph.Resource) bool {
	text, _ := key.String("policy")
	doc, err := iampolicy.Parse(text)
	if err != nil {
		return false
	}
	for _, s := range doc.Statements {
		if s.Effect == iampolicy.Allow && s.Principal != nil && slices.Contains(s.Principal.Service, detection.EventsPrincipal) &&
			s.CoversAction("kms:GenerateDataKey") && s.CoversAction("kms:Decrypt") {
			return true
		}
	}
	return false
}

// topicPolicyFindings: one policy on the topic, no publish to anyone but EventBridge for the rule.
func topicPolicyFindings(t Target, topic *graph.Resource, ruleArn string) []Finding {
	policies := t.byRef(typeTopicPolicy, "arn", byArn, typeTopic)[topic.URN]
	if len(policies) != 1 {
		return []Finding{{URN: topic.URN, Violation: Violation{Path: "policy", Value: fmt.Sprint(len(policies)), Message: "give the topic exactly one policy admitting the findings rule"}}}
	}
	p := policies[0]
	if t.deferrable(p, "policy") {
		return nil // a preview: the policy names ARNs known at apply
	}
	doc, vs, ok := policyAt(p.Inputs, "policy", "the topic needs a policy admitting the findings rule")
	var fs []Finding
	for _, v := range vs {
		fs = append(fs, Finding{URN: p.URN, Violation: v})
	}
	if !ok {
		return fs
	}
	admitted := false
	for _, s := range doc.Allows("sns:Publish") {
		fromRule := s.Principal != nil && slices.Equal([]string(s.Principal.Service), []string{detection.EventsPrincipal}) &&
			slices.Equal(s.ConditionValues("ArnEquals", "aws:SourceArn"), []string{ruleArn})
		admitted = admitted || fromRule
		if !fromRule {
			fs = append(fs, Finding{URN: p.URN, Violation: Violation{Path: "policy", Value: fmt.Sprint(s.Principal),
				Message: "only EventBridge, for the findings rule (aws:SourceArn), may publish to the findings topic"}})
		}
	}
	if !admitted {
		fs = append(fs, Finding{URN: p.URN, Violation: Violation{Path: "policy", Value: "no publish from the rule", Message: "allow events.amazonaws.com to publish, conditioned on the rule's ARN"}})
	}
	return fs
}

func checkFalco(t Target) (int, []Finding) {
	var releases []*graph.Resource
	for _, r := range t.Graph.OfType(typeHelmRelease) {
		if chart, _ := r.String("chart"); chart == detection.FalcoChart {
			releases = append(releases, r)
		}
	}
	if len(releases) == 0 {
		if t.Environment == "prod" && len(t.Graph.OfType(typeDeployment)) > 0 {
			return 1, []Finding{accountFinding(t.Graph, "detection.falco", "prod runs Falco (platform:detection.falco: true), or waive FALCO-001 naming the runtime sensor used instead")}
		}
		return 0, nil // not asked for here (or no in-cluster layer: a bootstrap)
	}
	var fs []Finding
	for _, r := range releases {
		bad := func(path, message string) {
			fs = append(fs, Finding{URN: r.URN, Violation: Violation{Path: path, Value: describe(r.Inputs, path), Message: message}})
		}
		if v, _ := r.String("version"); !semverPin.MatchString(v) {
			bad("version", "pin the chart to an exact version: an update of Falco or its rules is a reviewed change")
		}
		if v, _ := r.String("namespace"); v != eksspec.FalcoNamespace {
			bad("namespace", fmt.Sprintf("install Falco in its own namespace %q, the one allowed to be privileged", eksspec.FalcoNamespace))
		}
		if v, _ := r.String("values.driver.kind"); v != detection.FalcoDriver {
			bad("values.driver.kind", "use the modern eBPF driver (modern_ebpf): no kernel module, no headers on the nodes")
		}
		if v, _ := r.Bool("values.falco.json_output"); !v {
			bad("values.falco.json_output", "write alerts as JSON, one per line, for log shipping")
		}
		if v, _ := r.Bool("values.falco.stdout_output.enabled"); !v {
			bad("values.falco.stdout_output.enabled", "write alerts to stdout, where the node's log shipping collects them")
		}
	}
	return len(releases), fs
}

func checkPrivilegedNamespaces(t Target) (int, []Finding) {
	namespaces, fs := Namespaces(t.Graph)
	falcoReleased := false
	for _, r := range t.Graph.OfType(typeHelmRelease) {
		chart, _ := r.String("chart")
		ns, _ := r.String("namespace")
		falcoReleased = falcoReleased || (chart == detection.FalcoChart && ns == eksspec.FalcoNamespace)
	}
	for _, name := range slices.Sorted(maps.Keys(namespaces)) {
		ns := namespaces[name]
		level := ns.Labels[eksspec.PodSecurityEnforce]
		urn := namespaceSubject(t.Graph, name)
		switch {
		case level == eksspec.PodSecurityRestricted:
		case level == eksspec.PodSecurityPrivileged && name == eksspec.FalcoNamespace && falcoReleased:
			// The documented exception: Falco's sensor, and nothing else, runs here.
		case level == eksspec.PodSecurityPrivileged && name == eksspec.FalcoNamespace:
			fs = append(fs, Finding{URN: urn, Violation: Violation{Path: "metadata.labels." + eksspec.PodSecurityEnforce, Value: level,
				Message: "the Falco namespace may be privileged only while it holds the Falco release"}})
		default:
			fs = append(fs, Finding{URN: urn, Violation: Violation{Path: "metadata.labels." + eksspec.PodSecurityEnforce, Value: fmt.Sprintf("%q", level),
				Message: fmt.Sprintf("enforce restricted: only %q, for Falco, may be privileged", eksspec.FalcoNamespace)}})
		}
	}
	return len(namespaces), fs
}

// routeEvidence names the rule, the severity it routes from and the topic it routes to.
func routeEvidence(t Target) string {
	if owner, ok := baselineOwner(t.Graph); ok && len(t.Graph.OfType(typeEventRule)) == 0 {
		return fmt.Sprintf("the account's findings are routed by stack %s, which owns its baseline", owner)
	}
	var parts []string
	for _, r := range t.Graph.OfType(typeEventRule) {
		pattern, _ := r.String("eventPattern")
		score, findings, err := detection.PatternMinSeverity(pattern)
		if !findings || err != nil {
			continue
		}
		var topics []string
		for _, tp := range t.Graph.OfType(typeTopic) {
			name, _ := tp.String("name")
			key, _ := tp.String("kmsMasterKeyId")
			topics = append(topics, fmt.Sprintf("topic %s (key %s)", name, key))
		}
		name, _ := r.String("name")
		parts = append(parts, fmt.Sprintf("rule %s routes GuardDuty findings of severity %g and above; %s", name, score, strings.Join(topics, ", ")))
	}
	return strings.Join(parts, "; ")
}
