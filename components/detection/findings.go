package detection

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/securestack/platform/components/lib/iampolicy"
)

// SeverityScores are GuardDuty's severity levels and the lowest score of each (GuardDuty scores
// findings 1.0 to 10.0: low from 1, medium from 4, high from 7, critical from 9).
var SeverityScores = map[string]float64{"low": 1, "medium": 4, "high": 7}

// Severities are the levels a route may start at, in order. "critical" alone is not one: it would
// drop every high finding.
var Severities = []string{"low", "medium", "high"}

// FindingSource and FindingDetailType are how GuardDuty findings appear on the default event bus.
const (
	FindingSource     = "aws.guardduty"
	FindingDetailType = "GuardDuty Finding"
)

// FindingsPattern is the EventBridge pattern of GuardDuty findings at or above a severity.
func FindingsPattern(minSeverity string) (string, error) {
	score, ok := SeverityScores[minSeverity]
	if !ok {
		return "", fmt.Errorf("detection: severity %q is not one of %v", minSeverity, Severities)
	}
	pattern := map[string]any{
		"source":      []string{FindingSource},
		"detail-type": []string{FindingDetailType},
		"detail":      map[string]any{"severity": []any{map[string]any{"numeric": []any{">=", score}}}},
	}
	// Without HTML escaping: the console and the plan show ">=", not "\u003e=".
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(pattern); err != nil {
		return "", err
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}

// PatternMinSeverity reads back the lowest severity score a pattern routes, and whether the
// pattern selects GuardDuty findings at all (source and detail type exact).
func PatternMinSeverity(pattern string) (score float64, findings bool, err error) {
	var p struct {
		Source     []string `json:"source"`
		DetailType []string `json:"detail-type"`
		Detail     struct {
			Severity []struct {
				Numeric []any `json:"numeric"`
			} `json:"severity"`
		} `json:"detail"`
	}
	if err := json.Unmarshal([]byte(pattern), &p); err != nil {
		return 0, false, fmt.Errorf("detection: event pattern is not JSON: %w", err)
	}
	findings = slices.Equal(p.Source, []string{FindingSource}) && slices.Equal(p.DetailType, []string{FindingDetailType})
	if len(p.Detail.Severity) == 0 {
		return 0, findings, nil // no severity filter: every finding
	}
	if len(p.Detail.Severity) != 1 || len(p.Detail.Severity[0].Numeric) != 2 || p.Detail.Severity[0].Numeric[0] != ">=" {
		return 0, findings, fmt.Errorf("detection: the severity filter is not one numeric lower bound (>=): %v", p.Detail.Severity)
	}
	n, ok := p.Detail.Severity[0].Numeric[1].(float64)
	if !ok {
		return 0, findings, fmt.Errorf("detection: the severity bound %v is not a number", p.Detail.Severity[0].Numeric[1])
	}
	return n, findings, nil
}

// EventsPrincipal is EventBridge's service principal.
const EventsPrincipal = "events.amazonaws.com"

// TopicPolicy lets only the findings rule publish to the topic (EventBridge, for that rule's ARN),
// the account administer it, and refuses any request not over TLS.
func TopicPolicy(partition, account, topicArn, ruleArn string) iampolicy.Document {
	return iampolicy.New(
		iampolicy.Statement{Sid: "AccountAdministersTopic", Effect: iampolicy.Allow,
			Principal: &iampolicy.Principal{AWS: iampolicy.StringList{fmt.Sprintf("arn:%s:iam::%s:root", partition, account)}},
			Actions: iampolicy.StringList{"sns:GetTopicAttributes", "sns:SetTopicAttributes", "sns:Subscribe",
				"sns:ListSubscriptionsByTopic", "sns:DeleteTopic", "sns:TagResource"},
			Resources: iampolicy.StringList{topicArn}},
		iampolicy.Statement{Sid: "FindingsRulePublishes", Effect: iampolicy.Allow,
			Principal:  &iampolicy.Principal{Service: iampolicy.StringList{EventsPrincipal}},
			Actions:    iampolicy.StringList{"sns:Publish"},
			Resources:  iampolicy.StringList{topicArn},
			Conditions: iampolicy.Conditions{"ArnEquals": {"aws:SourceArn": {ruleArn}}}},
		iampolicy.Statement{Sid: "TLSOnly", Effect: iampolicy.Deny,
			Principal:  &iampolicy.Principal{AWS: iampolicy.StringList{"*"}},
			Actions:    iampolicy.StringList{"sns:Publish", "sns:Subscribe"},
			Resources:  iampolicy.StringList{topicArn},
			Conditions: iampolicy.Conditions{"Bool": {"aws:SecureTransport": {"false"}}}},
	)
}
