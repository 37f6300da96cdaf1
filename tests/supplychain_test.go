package tests

import (
	"slices"
	"strings"
	"testing"

	"github.com/securestack/platform/components/lib/iampolicy"
	"github.com/securestack/platform/proof/controls"
	"github.com/securestack/platform/proof/engine/recorder"
)

// githubProvider is the ARN IAM gives the GitHub Actions provider of an account.
func githubProvider(account string) string {
	return "arn:aws:iam::" + account + ":oidc-provider/token.actions.githubusercontent.com"
}

// trustedProvider is the federated principal of a push role's trust.
func trustedProvider(t *testing.T, text string) string {
	t.Helper()
	doc, err := iampolicy.Parse(text)
	if err != nil || len(doc.Statements) != 1 || doc.Statements[0].Principal == nil || len(doc.Statements[0].Principal.Federated) != 1 {
		t.Fatalf("push role trust %s, %v", text, err)
	}
	return doc.Statements[0].Principal.Federated[0]
}

// TestTheGitHubProviderIsCreatedOrAdoptedOncePerAccount: the committed owners adopt the provider
// (the README's CI roles need it first): they create none, look it up at deploy time, and their
// push roles trust it. An owner set to manage creates it, and its push roles wait for it (they
// trust its output). Dev, in staging's account, creates none and trusts the same ARN.
func TestTheGitHubProviderIsCreatedOrAdoptedOncePerAccount(t *testing.T) {
	const lookup = "aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider"
	for _, tc := range []struct {
		stack, account string
		adopts         bool
	}{{"dev", "111111111111", false}, {"staging", "111111111111", true}, {"prod", "222222222222", true}} {
		g := record(t, tc.stack)
		if n := len(g.OfType("aws:iam/openIdConnectProvider:OpenIdConnectProvider")); n != 0 {
			t.Errorf("%s creates %d GitHub providers; the committed stacks adopt it", tc.stack, n)
		}
		if got := slices.Contains(g.Invokes, lookup); got != tc.adopts {
			t.Errorf("%s looks the provider up: %v, want %v", tc.stack, got, tc.adopts)
		}
		for _, svc := range []string{"frontend", "processor", "uploader"} {
			trust, _ := named(t, g, tRole, "platform-"+tc.stack+"-"+svc+"-push").String("assumeRolePolicy")
			if got := trustedProvider(t, trust); got != githubProvider(tc.account) {
				t.Errorf("%s %s push role trusts %s", tc.stack, svc, got)
			}
		}
	}
	g := recordWith(t, "staging", func(c map[string]string) { c["platform:account"] = `{"githubOidcProvider":"manage"}` })
	provider := named(t, g, "aws:iam/openIdConnectProvider:OpenIdConnectProvider", "platform-staging-account-github")
	if url, _ := provider.String("url"); url != "https://token.actions.githubusercontent.com" || !provider.RetainOnDelete {
		t.Errorf("provider url %q retainOnDelete %v: the account's other stacks trust it, so a destroy keeps it", url, provider.RetainOnDelete)
	}
	if ids, _ := provider.Strings("clientIdLists"); !slices.Equal(ids, []string{"sts.amazonaws.com"}) {
		t.Errorf("provider audiences %v", ids)
	}
	role := named(t, g, tRole, "platform-staging-uploader-push")
	if !g.DependsOn(role, provider.URN) {
		t.Errorf("the push role does not wait for the provider it trusts")
	}
	if slices.Contains(g.Invokes, lookup) {
		t.Errorf("a stack that creates the provider looked it up")
	}
}

// TestGuardDutyIsCreatedAdoptedOrLeftToTheOrganisation: each mode of the one-per-region detector
// says what it does, and the findings are routed in all of them.
func TestGuardDutyIsCreatedAdoptedOrLeftToTheOrganisation(t *testing.T) {
	const id = "12abc34d567e8fa901bc2d34e56789f0"
	created := record(t, "staging")
	if n := len(created.OfType(tDetector)); n != 1 {
		t.Fatalf("staging creates %d detectors, want 1", n)
	}
	adopted := recordWith(t, "staging", func(c map[string]string) {
		c["platform:account"] = `{"githubOidcProvider":"adopt","guardDuty":"adopt","guardDutyDetectorId":"` + id + `"}`
	})
	if n := len(adopted.OfType(tDetector)); n != 0 {
		t.Errorf("adopting created %d detectors", n)
	}
	features := adopted.OfType(tFeature)
	for _, f := range features {
		if got, _ := f.String("detectorId"); got != id {
			t.Errorf("%s manages detector %q, want the adopted %s", f.Name, got, id)
		}
	}
	if len(features) != 4 || !slices.Contains(adopted.Invokes, "aws:guardduty/getDetector:getDetector") {
		t.Errorf("adopting manages %d features (want 4); looked up: %v", len(features), adopted.Invokes)
	}
	r := mustRun(t, "GD-001", adopted, "staging")
	if r.Status != controls.Pass || !strings.Contains(r.Evidence, "detector "+id+" is adopted") {
		t.Errorf("GD-001 on an adopted detector: %s %q %v", r.Status, r.Evidence, r.Findings)
	}

	_, err := recorder.Record(recorder.Options{Stack: "staging", Edit: func(c map[string]string) {
		c["platform:account"] = `{"githubOidcProvider":"adopt","guardDuty":"organization"}`
	}})
	if err == nil || !strings.Contains(err.Error(), `platform:account.guardDuty: "organization" opts out of control GD-001: add a waiver`) {
		t.Fatalf("organization without a waiver: %v", err)
	}
	org := recordWith(t, "staging", func(c map[string]string) {
		c["platform:account"] = `{"githubOidcProvider":"adopt","guardDuty":"organization"}`
		c["platform:waivers"] = `[{"control":"GD-001","reason":"the organisation's GuardDuty administrator (security account) manages the detector"}]`
	})
	if n := len(org.OfType(tDetector)) + len(org.OfType(tFeature)); n != 0 {
		t.Errorf("organization mode manages %d detector resources", n)
	}
	if r := mustRun(t, "GD-001", org, "staging"); r.Status != controls.Fail {
		t.Errorf("GD-001 %s without a detector: the waiver, not the control, must carry it", r.Status)
	}
	if r := mustRun(t, "GD-002", org, "staging"); r.Status != controls.Pass {
		t.Errorf("GD-002 %s: findings are routed in every mode: %v", r.Status, r.Findings)
	}
}

// TestOwnerOnlySettingsAreRefusedInAReferencingStack: dev references staging's baseline, so a
// GuardDuty, findings, registry-scanning or GitHub provider setting there would be ignored.
func TestOwnerOnlySettingsAreRefusedInAReferencingStack(t *testing.T) {
	_, err := recorder.Record(recorder.Options{Stack: "dev", Edit: func(c map[string]string) {
		c["platform:account"] = `{"baselineOwner":"staging","guardDuty":"adopt","registryScanning":"enhanced","findings":{"minSeverity":"high"}}`
	}})
	for _, want := range []string{
		`platform:account.guardDuty: adopt is set, but stack "staging" owns this account's baseline (platform:account.baselineOwner): set it in that stack`,
		`platform:account.findings: {"minSeverity":"high","subscriptions":null} is set, but stack "staging" owns this account's baseline`,
		`platform:account.registryScanning: enhanced is set, but stack "staging" owns this account's baseline`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in %v", want, err)
		}
	}
}

// TestFindingsRouteFromTheConfiguredSeverityToItsSubscribers: the rule's pattern follows
// minSeverity and each subscription is one child, keyed by its endpoint.
func TestFindingsRouteFromTheConfiguredSeverityToItsSubscribers(t *testing.T) {
	g := recordWith(t, "staging", func(c map[string]string) {
		c["platform:account"] = `{"githubOidcProvider":"adopt","findings":{"minSeverity":"high","subscriptions":[` +
			`{"protocol":"email","endpoint":"secops@example.com"},{"protocol":"https","endpoint":"https://hooks.example.com/guardduty"}]}}`
	})
	pattern, _ := named(t, g, tEventRule, "platform-staging-threat-detection-findings").String("eventPattern")
	if want := `{"detail":{"severity":[{"numeric":[">=",7]}]},"detail-type":["GuardDuty Finding"],"source":["aws.guardduty"]}`; pattern != want {
		t.Errorf("pattern\n got  %s\n want %s", pattern, want)
	}
	for name, endpoint := range map[string]string{
		"platform-staging-threat-detection-email-secops-example-com":          "secops@example.com",
		"platform-staging-threat-detection-https-hooks-example-com-guardduty": "https://hooks.example.com/guardduty",
	} {
		if got, _ := named(t, g, "aws:sns/topicSubscription:TopicSubscription", name).String("endpoint"); got != endpoint {
			t.Errorf("%s endpoint %q", name, got)
		}
	}
}
