package infra_test

import "testing"

// TestRegistryAndDetectionProblemsAreReportedAllAtOnce: every rule of platform:registry,
// platform:detection, the account's detection keys and the services' push sources, in one error.
func TestRegistryAndDetectionProblemsAreReportedAllAtOnce(t *testing.T) {
	wantProblems(t, raw("prod",
		"platform:account", `{"guardDuty":"adopt","guardDutyDetectorId":"DETECTOR","findings":{"minSeverity":"critical",`+
			`"subscriptions":[{"protocol":"sms","endpoint":"+4400"},{"protocol":"https","endpoint":"http://hooks.example.com"}]},`+
			`"registryScanning":"continuous","githubOidcProvider":"import"}`,
		"platform:registry", `{"keepImages":0,"untaggedDays":5000,"forceDelete":true}`,
		"platform:detection", `{"falco":false}`,
		"platform:services", `{"uploader":{"push":{"repository":"example-org/uploader","ref":"main","environment":"production"}},`+
			`"processor":{"push":{"repository":"processor","ref":"refs/heads/*"}}}`),
		`platform:services.processor.push.repository: "processor" is not a GitHub repository (<owner>/<name>)`,
		`platform:services.processor.push.ref: "refs/heads/*" is not an exact ref (refs/heads/<branch> or refs/tags/<tag>, no wildcard)`,
		`platform:services.uploader.push: ref "main" and environment "production" are both set: GitHub's token names one of them, so set exactly one`,
		`platform:account.guardDutyDetectorId: "DETECTOR" is not a GuardDuty detector id (32 lowercase letters and digits; `+"`aws guardduty list-detectors`"+`): required to adopt`,
		`platform:account.findings.minSeverity: "critical" is not a severity (allowed: low, medium, high; critical alone would drop high findings)`,
		`platform:account.findings.subscriptions[0].protocol: "sms" is not allowed (allowed: email, https)`,
		`platform:account.findings.subscriptions[1].endpoint: "http://hooks.example.com" is not an https:// URL (plain http would send findings in clear)`,
		`platform:account.registryScanning: "continuous" is not a scanning type (allowed: basic, enhanced)`,
		`platform:account.githubOidcProvider: "import" is not a mode (allowed: adopt, manage)`,
		`platform:registry.keepImages: 0 is outside the allowed range 1 to 10000`,
		`platform:registry.untaggedDays: 5000 is outside the allowed range 1 to 3650`,
		`platform:registry.forceDelete: true would let a destroy delete the images of prod: allowed in dev only`,
		`platform:detection.falco: "false" opts out of control FALCO-001: add a waiver {control: FALCO-001, reason: ...} to platform:waivers saying where it is enforced instead`,
	)
}

// TestGuardDutyModes: adopt needs a detector id, a detector id needs adopt, organization needs the
// waiver of GD-001.
func TestGuardDutyModes(t *testing.T) {
	mustParse(t, raw("dev", "platform:account", `{"guardDuty":"adopt","guardDutyDetectorId":"12abc34d567e8fa901bc2d34e56789f0"}`))
	wantProblems(t, raw("dev", "platform:account", `{"guardDuty":"create","guardDutyDetectorId":"12abc34d567e8fa901bc2d34e56789f0"}`),
		`platform:account.guardDutyDetectorId: "12abc34d567e8fa901bc2d34e56789f0" is set, but guardDuty is "create": set guardDuty: adopt, or remove it`)
	wantProblems(t, raw("dev", "platform:account", `{"guardDuty":"off"}`),
		`platform:account.guardDuty: "off" is not a mode (allowed: create, adopt, organization)`)
	mustParse(t, raw("dev", "platform:account", `{"guardDuty":"organization"}`,
		"platform:waivers", `[{"control":"GD-001","reason":"the security account's GuardDuty administrator manages it"}]`))
}
