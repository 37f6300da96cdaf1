package planner

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/securestack/platform/proof/engine/graph"
)

// Edge is one link of a chain diagram: From does Label to To.
type Edge struct{ From, To, Label string }

// String is "from -label-> to".
func (e Edge) String() string { return e.From + " -" + e.Label + "-> " + e.To }

// policyStatement is what the chains read of an IAM policy statement: a principal or action may
// be one string or a list (the IAM grammar allows both).
type policyStatement struct {
	Effect    string
	Principal map[string]stringList
	Action    stringList
	Condition map[string]map[string]stringList
}

type stringList []string

func (l *stringList) UnmarshalJSON(b []byte) error {
	var one string
	if json.Unmarshal(b, &one) == nil {
		*l = []string{one}
		return nil
	}
	var many []string
	err := json.Unmarshal(b, &many)
	*l = many
	return err
}

func statements(r *graph.Resource, path string) []policyStatement {
	text, err := r.String(path)
	if err != nil {
		return nil
	}
	var doc struct{ Statement []policyStatement }
	if json.Unmarshal([]byte(text), &doc) != nil {
		return nil
	}
	return doc.Statement
}

// githubSubject is GitHub's OIDC issuer: a trust on it names the workflows (sub claims) that may
// assume the role.
const githubSubject = "token.actions.githubusercontent.com:sub"

// SupplyChain is the image supply chain of the recorded registry: the GitHub workflows (OIDC
// subjects of each role's trust policy) that assume a push role, the repositories each role may
// push to and the roles that may pull from them (the repository policies' Allow statements:
// ecr:PutImage pushes, ecr:BatchGetImage pulls), the node role shown as "nodes".
func SupplyChain(g *graph.Graph) []Edge {
	roles := map[string]*graph.Resource{} // by role name: the name input, else the logical name
	for _, r := range g.OfType("aws:iam/role:Role") {
		name, err := r.String("name")
		if err != nil || name == "" {
			name = r.Name
		}
		roles[name] = r
	}
	label := func(arn string) string {
		name := arn[strings.LastIndex(arn, "/")+1:]
		r, ok := roles[name]
		if !ok {
			return "role " + name + " (outside the stack)"
		}
		for _, s := range statements(r, "assumeRolePolicy") {
			if slices.Contains(s.Principal["Service"], "ec2.amazonaws.com") {
				return "nodes (role " + name + ")"
			}
		}
		return "role " + name
	}
	var edges []Edge
	seen := map[string]bool{}
	addEdge := func(e Edge) {
		if !seen[e.String()] {
			seen[e.String()] = true
			edges = append(edges, e)
		}
	}
	for _, p := range g.OfType("aws:ecr/repositoryPolicy:RepositoryPolicy") {
		repo, _ := p.String("repository")
		to := "ECR " + repo
		for _, s := range statements(p, "policy") {
			if s.Effect != "Allow" {
				continue
			}
			for _, arn := range s.Principal["AWS"] {
				switch {
				case slices.Contains(s.Action, "ecr:PutImage"):
					role := label(arn)
					addEdge(Edge{From: role, To: to, Label: "pushes"})
					if r, ok := roles[arn[strings.LastIndex(arn, "/")+1:]]; ok {
						for _, t := range statements(r, "assumeRolePolicy") {
							for _, cond := range t.Condition {
								for _, sub := range cond[githubSubject] {
									addEdge(Edge{From: "GitHub " + sub, To: role, Label: "assumes (OIDC)"})
								}
							}
						}
					}
				case slices.Contains(s.Action, "ecr:BatchGetImage"):
					addEdge(Edge{From: label(arn), To: to, Label: "pulls"})
				}
			}
		}
	}
	slices.SortStableFunc(edges, func(a, b Edge) int { return strings.Compare(a.String(), b.String()) })
	return edges
}

// DetectionRoute is the route of GuardDuty findings in the recorded stack: the detector, the
// EventBridge rules whose pattern takes aws.guardduty events (with the severity they select), their
// targets' SNS topics, and each topic's subscriptions (or that it has none in the stack). Empty
// when the stack has neither detector nor rule (another stack owns the account's baseline).
func DetectionRoute(g *graph.Graph) []Edge {
	var edges []Edge
	detectors := g.OfType("aws:guardduty/detector:Detector")
	source := "GuardDuty (the account's detector, managed elsewhere)"
	if len(detectors) > 0 {
		source = "GuardDuty detector " + detectors[0].Name
	}
	topics := map[string]*graph.Resource{}
	for _, t := range g.OfType("aws:sns/topic:Topic") {
		name, _ := t.String("name")
		topics[name] = t
	}
	for _, rule := range g.OfType("aws:cloudwatch/eventRule:EventRule") {
		text, _ := rule.String("eventPattern")
		var pattern struct {
			Source []string `json:"source"`
			Detail struct {
				Severity []struct {
					Numeric []any `json:"numeric"`
				} `json:"severity"`
			} `json:"detail"`
		}
		if json.Unmarshal([]byte(text), &pattern) != nil || !slices.Contains(pattern.Source, "aws.guardduty") {
			continue
		}
		selects := "every finding"
		for _, s := range pattern.Detail.Severity {
			if len(s.Numeric) == 2 {
				selects = fmt.Sprintf("severity %v %v", s.Numeric[0], s.Numeric[1])
			}
		}
		name, _ := rule.String("name")
		ruleNode := "EventBridge rule " + name
		edges = append(edges, Edge{From: source, To: ruleNode, Label: "findings, " + selects})
		for _, target := range g.OfType("aws:cloudwatch/eventTarget:EventTarget") {
			if r, _ := target.String("rule"); r != name {
				continue
			}
			arn, _ := target.String("arn")
			topicName := arn[strings.LastIndex(arn, ":")+1:]
			topic, ok := topics[topicName]
			topicNode := "SNS topic " + topicName
			if !ok {
				edges = append(edges, Edge{From: ruleNode, To: "target " + arn + " (outside the stack)", Label: "sends"})
				continue
			}
			if topic.Has("kmsMasterKeyId") {
				topicNode += " (KMS-encrypted)"
			}
			edges = append(edges, Edge{From: ruleNode, To: topicNode, Label: "sends"})
			subscribed := false
			for _, sub := range g.OfType("aws:sns/topicSubscription:TopicSubscription") {
				if t, _ := sub.String("topic"); t != arn {
					continue
				}
				protocol, _ := sub.String("protocol")
				endpoint, _ := sub.String("endpoint")
				edges = append(edges, Edge{From: topicNode, To: protocol + " " + endpoint, Label: "notifies"})
				subscribed = true
			}
			if !subscribed {
				edges = append(edges, Edge{From: topicNode, To: "no subscription in the stack: subscribe the on-call channel", Label: "notifies"})
			}
		}
	}
	return edges
}

// chainMermaid draws edges as a left-to-right flowchart, one node per distinct name.
func chainMermaid(edges []Edge) string {
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	ids := map[string]string{}
	node := func(name string) string {
		if id, ok := ids[name]; ok {
			return id
		}
		id := fmt.Sprintf("n%d", len(ids)+1)
		ids[name] = id
		shape := "[\"%s\"]"
		switch {
		case strings.HasPrefix(name, "ECR "):
			shape = "[(\"%s\")]"
		case strings.HasPrefix(name, "GitHub "):
			shape = "([\"%s\"])"
		}
		fmt.Fprintf(&b, "  %s"+shape+"\n", id, strings.ReplaceAll(name, `"`, "#quot;"))
		return id
	}
	for _, e := range edges {
		from, to := node(e.From), node(e.To)
		fmt.Fprintf(&b, "  %s -->|\"%s\"| %s\n", from, strings.ReplaceAll(e.Label, `"`, "#quot;"), to)
	}
	return b.String()
}
