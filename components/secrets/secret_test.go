package secrets_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/securestack/platform/components/lib/iampolicy"
	"github.com/securestack/platform/components/secrets"
	"github.com/securestack/platform/proof/controls"
	"github.com/securestack/platform/proof/engine/graph"
	"github.com/securestack/platform/proof/engine/recorder"
)

const (
	tSecret  = "aws:secretsmanager/secret:Secret"
	tPolicy  = "aws:secretsmanager/secretPolicy:SecretPolicy"
	tVersion = "aws:secretsmanager/secretVersion:SecretVersion"

	dataKey  = "arn:aws:kms:eu-west-1:123456789012:key/0000-data"
	uploader = "arn:aws:iam::123456789012:role/uploader"
	worker   = "arn:aws:iam::123456789012:role/jobs/worker"
	admin    = "arn:aws:iam::123456789012:role/platform-admins"
)

func args(readers ...string) *secrets.SecretArgs {
	a := &secrets.SecretArgs{SecretName: "prod/uploader/db", KmsKeyArn: pulumi.String(dataKey), AccountID: "123456789012"}
	for _, r := range readers {
		a.ReaderRoleArns = append(a.ReaderRoleArns, pulumi.String(r))
	}
	return a
}

// recordSecret records a program that builds only one Secret named "db" with args.
func recordSecret(t *testing.T, a *secrets.SecretArgs) (*graph.Graph, error) {
	t.Helper()
	return recorder.Record(recorder.Options{Stack: "dev", Program: func(ctx *pulumi.Context) error {
		_, err := secrets.NewSecret(ctx, "db", a)
		return err
	}})
}

func mustRecord(t *testing.T, a *secrets.SecretArgs) *graph.Graph {
	t.Helper()
	g, err := recordSecret(t, a)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func named(t *testing.T, g *graph.Graph, typ, name string) *graph.Resource {
	t.Helper()
	r, err := g.Named(typ, name)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func policyJSON(t *testing.T, readers ...string) string {
	t.Helper()
	text, err := secrets.SecretPolicy(readers).JSON()
	if err != nil {
		t.Fatal(err)
	}
	return text
}

func TestSecretIsEncryptedWithTheDataKeyRecoverableFor30DaysAndNamedExactly(t *testing.T) {
	a := args(uploader)
	a.Description = "uploader database password"
	a.Tags = map[string]string{"team": "media"}
	a.Protect = true
	g := mustRecord(t, a)
	s := named(t, g, tSecret, "db")
	for path, want := range map[string]string{"name": "prod/uploader/db", "kmsKeyId": dataKey, "description": "uploader database password", `tags["team"]`: "media"} {
		if got, err := s.String(path); err != nil || got != want {
			t.Errorf("%s = %q, %v; want %q", path, got, err, want)
		}
	}
	if d, err := s.Int("recoveryWindowInDays"); err != nil || d != 30 {
		t.Errorf("recoveryWindowInDays = %d, %v; want 30 (the default)", d, err)
	}
	if got := slices.Sorted(maps.Keys(s.Inputs.AsMap())); !slices.Equal(got, []string{"description", "kmsKeyId", "name", "recoveryWindowInDays", "tags"}) {
		t.Errorf("secret inputs %v: want no policy, value or replica inputs", got)
	}
	if !s.Protect || s.RetainOnDelete {
		t.Errorf("protect %v, retainOnDelete %v; want exactly as asked", s.Protect, s.RetainOnDelete)
	}
	if comp, ok := g.Component(s); !ok || comp.Type != secrets.TypeToken || comp.Name != "db" {
		t.Errorf("secret is not parented to the platform:secrets:Secret component (got %+v)", comp)
	}
}

func TestNoSecretValueIsEverRegistered(t *testing.T) {
	g := mustRecord(t, args(uploader))
	want := map[string]int{graph.StackType: 1, secrets.TypeToken: 1, tSecret: 1, tPolicy: 1}
	if got := g.CountByType(); !maps.Equal(got, want) {
		t.Errorf("resources %v, want exactly %v (no %s)", got, want, tVersion)
	}
	for _, r := range g.Resources() {
		_, str := r.Inputs.GetOk("secretString")
		_, bin := r.Inputs.GetOk("secretBinary")
		if str || bin || r.Inputs.HasSecrets() {
			t.Errorf("%s has a secret input", r.URN)
		}
	}
}

func TestResourcePolicyIsExactlySecretPolicyOfTheReadersOnThisSecretWithPublicPoliciesBlocked(t *testing.T) {
	g := mustRecord(t, args(worker, uploader))
	s := named(t, g, tSecret, "db")
	p := named(t, g, tPolicy, "db-policy")
	if got, _ := p.String("policy"); got != policyJSON(t, uploader, worker) {
		t.Errorf("policy:\n got  %s\n want %s", got, policyJSON(t, uploader, worker))
	}
	arn, _ := s.Outputs.GetOk("arn")
	if got, _ := p.String("secretArn"); got != arn.AsString() || got == "" {
		t.Errorf("secretArn %q, want the secret's arn %v", got, arn)
	}
	if b, err := p.Bool("blockPublicPolicy"); err != nil || !b {
		t.Errorf("blockPublicPolicy = %v, %v; want true", b, err)
	}
	if comp, ok := g.Component(p); !ok || comp.Type != secrets.TypeToken {
		t.Errorf("policy is not parented to the component")
	}
}

func TestWithNoReadersNobodyCanReadTheValue(t *testing.T) {
	g := mustRecord(t, args())
	p := named(t, g, tPolicy, "db-policy")
	want := `{"Version":"2012-10-17","Statement":[{"Sid":"DenyReadUntilReadersAreConfigured","Effect":"Deny","Principal":"*","Action":["secretsmanager:GetSecretValue"],"Resource":["*"]}]}`
	if got, _ := p.String("policy"); got != want || got != policyJSON(t) {
		t.Errorf("policy:\n got  %s\n want %s", got, want)
	}
}

func TestSecretPolicyAllowsOnlyReadersAndDeniesEveryoneElseWhateverTheirIAMGrants(t *testing.T) {
	doc := secrets.SecretPolicy([]string{worker, uploader, worker})
	allows := doc.Allows(secrets.GetSecretValue)
	if len(allows) != 1 || !slices.Equal(allows[0].Principal.AWS, []string{worker, uploader}) || !allows[0].CoversAction(secrets.DescribeSecret) {
		t.Errorf("allows %+v: want one statement for the two readers, sorted and deduplicated, with DescribeSecret", allows)
	}
	if allows[0].CoversAction("secretsmanager:PutSecretValue") || allows[0].CoversAction("secretsmanager:DeleteSecret") {
		t.Error("readers may do more than read")
	}
	denies := doc.Denies(secrets.GetSecretValue)
	if len(denies) != 1 || !denies[0].Principal.IsWildcard() || len(denies[0].Conditions) != 1 {
		t.Fatalf("denies %+v: want one deny to * with one condition", denies)
	}
	if got := denies[0].ConditionValues("StringNotEquals", "aws:PrincipalArn"); !slices.Equal(got, []string{worker, uploader}) { // sorted
		t.Errorf("deny exempts %v, want exactly the readers", got)
	}
	for i, s := range doc.Statements {
		if s.IsUnconditionedWildcardPrincipal() {
			t.Errorf("statement %d allows anyone", i)
		}
	}
	// Order and repeats of the readers do not change the document.
	a, _ := doc.JSON()
	b, _ := secrets.SecretPolicy([]string{uploader, worker}).JSON()
	if a != b {
		t.Errorf("reader order changes the policy:\n%s\n%s", a, b)
	}
}

func TestReaderOfAnotherAccountOrNotARoleFailsTheDeployment(t *testing.T) {
	for _, bad := range []string{"arn:aws:iam::210987654321:role/uploader", "arn:aws:iam::123456789012:user/alice", "*"} {
		_, err := recordSecret(t, args(uploader, bad))
		want := fmt.Sprintf(`secrets.NewSecret "db": readerRoleArns[1]: %q is not an IAM role of account 123456789012`, bad)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("reader %s: error %v; want it to hold %s", bad, err, want)
		}
	}
}

func TestSecretArgsReportEveryProblemAtOnceAndRegisterNothing(t *testing.T) {
	a := &secrets.SecretArgs{SecretName: "prod/db password", RecoveryWindowDays: 3, ReaderRoleArns: []pulumi.StringInput{pulumi.String(uploader), nil}, AccountID: "1234"}
	want := strings.Join([]string{
		`secretName: "prod/db password" must be 1 to 512 characters of A-Z a-z 0-9 / _ + = . @ -`,
		"kmsKeyArn: required (secrets are encrypted with the customer-managed data key)",
		"recoveryWindowDays: 3 is outside 7 to 30",
		"readerRoleArns[1]: nil",
		`accountId: "1234" must be 12 digits`,
	}, "\n")
	if err := a.Validate(); err == nil || err.Error() != want {
		t.Errorf("Validate:\n%v\nwant exactly:\n%s", err, want)
	}
	g, err := recordSecret(t, a)
	if err == nil || !strings.Contains(err.Error(), `secrets.NewSecret "db": `+want+"\n") {
		t.Errorf("NewSecret error:\n%v\nwant it to hold:\n%s", err, want)
	}
	if g.Len() != 1 {
		t.Errorf("%d resources registered, want only the stack", g.Len())
	}
	empty := &secrets.SecretArgs{RecoveryWindowDays: 31}
	wantEmpty := strings.Join([]string{
		`secretName: "" must be 1 to 512 characters of A-Z a-z 0-9 / _ + = . @ -`,
		"kmsKeyArn: required (secrets are encrypted with the customer-managed data key)",
		"recoveryWindowDays: 31 is outside 7 to 30",
		`accountId: "" must be 12 digits`,
	}, "\n")
	if err := empty.Validate(); err == nil || err.Error() != wantEmpty {
		t.Errorf("Validate:\n%v\nwant exactly:\n%s", err, wantEmpty)
	}
}

// Controls, on the recorded graph and on copies of it broken one property at a time.

// run runs a control on g as in prod, where it is strictest.
func run(t *testing.T, id string, g *graph.Graph) controls.Result {
	t.Helper()
	return runIn(t, id, g, "prod")
}

func runIn(t *testing.T, id string, g *graph.Graph, env string) controls.Result {
	t.Helper()
	c, ok := controls.Lookup(id)
	if !ok {
		t.Fatalf("no control %s", id)
	}
	return c.Run(controls.Target{Graph: g, Environment: env})
}

// mutated returns a copy of g in which the resource (typ, name) is changed by edit.
func mutated(t *testing.T, g *graph.Graph, typ, name string, edit func(r *graph.Resource)) *graph.Graph {
	t.Helper()
	out, err := g.With(named(t, g, typ, name).URN, edit)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func setInput(t *testing.T, g *graph.Graph, typ, name, path string, v property.Value) *graph.Graph {
	t.Helper()
	return mutated(t, g, typ, name, func(r *graph.Resource) {
		var err error
		if r.Inputs, err = graph.SetInput(r.Inputs, path, v); err != nil {
			t.Fatal(err)
		}
	})
}

func withPolicy(t *testing.T, g *graph.Graph, doc iampolicy.Document) *graph.Graph {
	t.Helper()
	text, err := doc.JSON()
	if err != nil {
		t.Fatal(err)
	}
	return setInput(t, g, tPolicy, "db-policy", "policy", property.New(text))
}

// The requirement line the secret controls quote, exactly as the requirements document has it.
const reqSecrets = "Secrets Management: Kubernetes Secrets used for non-sensitive config; AWS Secrets Manager recommended for high-value creds."

func TestRecordedSecretsPassEverySecretControlWithOrWithoutReaders(t *testing.T) {
	for _, readers := range [][]string{{uploader}, nil} {
		g := mustRecord(t, args(readers...))
		for _, tc := range []struct {
			id      string
			checked int
		}{
			// SEC-001 examines the secret twice outside dev: at rest, and its recovery window.
			{"SEC-001", 2},
			// SEC-002 examines the policy and the secret.
			{"SEC-002", 2},
		} {
			if r := run(t, tc.id, g); r.Status != controls.Pass || r.Checked != tc.checked {
				t.Errorf("readers %v: %s: %s, %d checked, findings %v; want pass on %d", readers, tc.id, r.Status, r.Checked, r.Findings, tc.checked)
			}
		}
		// In dev the recovery window is not examined: only the secret at rest.
		if r := runIn(t, "SEC-001", g, "dev"); r.Status != controls.Pass || r.Checked != 1 {
			t.Errorf("readers %v: SEC-001 in dev: %s, %d checked; want pass on 1", readers, r.Status, r.Checked)
		}
	}
	// SEC-001 proves the Secrets line; SEC-002 is hardening that supports it.
	for id, want := range map[string]struct {
		requirement string
		supports    []string
	}{
		"SEC-001": {reqSecrets, nil},
		"SEC-002": {"", []string{reqSecrets}},
	} {
		c, _ := controls.Lookup(id)
		if c.Section != "4. Data Protection" || c.Requirement != want.requirement || !slices.Equal(c.Supports, want.supports) {
			t.Errorf("%s: section %q, requirement %q, supports %q; want requirement %q, supports %q",
				id, c.Section, c.Requirement, c.Supports, want.requirement, want.supports)
		}
	}
}

func TestDeleteWithoutRecoverySetsAZeroWindowWhichOnlyDevAccepts(t *testing.T) {
	a := args(uploader)
	a.DeleteWithoutRecovery = true
	g := mustRecord(t, a)
	s := named(t, g, tSecret, "db")
	if d, err := s.Int("recoveryWindowInDays"); err != nil || d != 0 {
		t.Errorf("recoveryWindowInDays = %d, %v; want an explicit 0 (deleted at once)", d, err)
	}
	if r := runIn(t, "SEC-001", g, "dev"); r.Status != controls.Pass || r.Checked != 1 {
		t.Errorf("SEC-001 in dev: %s, %d checked, findings %v; want pass on 1", r.Status, r.Checked, r.Findings)
	}
	for _, env := range []string{"staging", "prod"} {
		r := runIn(t, "SEC-001", g, env)
		if r.Status != controls.Fail || r.Checked != 2 || len(r.Findings) != 1 {
			t.Fatalf("SEC-001 in %s: %s, %d checked, findings %v; want one finding after 2 checks", env, r.Status, r.Checked, r.Findings)
		}
		if f := r.Findings[0]; f.URN != s.URN || f.Path != "recoveryWindowInDays" || f.Value != "0" {
			t.Errorf("SEC-001 in %s: finding %s; want it on %s recoveryWindowInDays = 0", env, f, s.URN)
		}
	}
	// Without it, the default window of 30 days, accepted everywhere.
	g = mustRecord(t, args(uploader))
	for _, env := range []string{"dev", "staging", "prod"} {
		if r := runIn(t, "SEC-001", g, env); r.Status != controls.Pass {
			t.Errorf("SEC-001 in %s with the default window: %s, %v", env, r.Status, r.Findings)
		}
	}
}

func TestDeleteWithoutRecoveryRefusesARecoveryWindow(t *testing.T) {
	for _, tc := range []struct {
		days int
		want []string
	}{
		{7, []string{"recoveryWindowDays: 7 is set, but deleteWithoutRecovery asks for none"}},
		{3, []string{"recoveryWindowDays: 3 is outside 7 to 30", "recoveryWindowDays: 3 is set, but deleteWithoutRecovery asks for none"}},
	} {
		a := args(uploader)
		a.DeleteWithoutRecovery, a.RecoveryWindowDays = true, tc.days
		want := strings.Join(tc.want, "\n")
		if err := a.Validate(); err == nil || err.Error() != want {
			t.Errorf("days %d: Validate:\n%v\nwant exactly:\n%s", tc.days, err, want)
		}
		g, err := recordSecret(t, a)
		if err == nil || !strings.Contains(err.Error(), `secrets.NewSecret "db": `+want+"\n") {
			t.Errorf("days %d: NewSecret error:\n%v\nwant it to hold:\n%s", tc.days, err, want)
		}
		if g.Len() != 1 {
			t.Errorf("days %d: %d resources registered, want only the stack", tc.days, g.Len())
		}
	}
}

func TestEachSecretControlFailsOnTheResourceAndPropertyBroken(t *testing.T) {
	base := mustRecord(t, args(uploader))
	secretURN := named(t, base, tSecret, "db").URN
	policyURN := named(t, base, tPolicy, "db-policy").URN
	readersAllow := secrets.SecretPolicy([]string{uploader}).Statements[0]
	denyAll := secrets.SecretPolicy(nil).Statements[0]
	for _, tc := range []struct {
		name, control, urn, path, value string
		breakGraph                      func(t *testing.T) *graph.Graph
	}{
		{"AWS-managed key", "SEC-001", secretURN, "kmsKeyId", "absent", func(t *testing.T) *graph.Graph {
			return mutated(t, base, tSecret, "db", func(r *graph.Resource) { r.Inputs = r.Inputs.Delete("kmsKeyId") })
		}},
		{"force delete", "SEC-001", secretURN, "recoveryWindowInDays", "0", func(t *testing.T) *graph.Graph {
			return setInput(t, base, tSecret, "db", "recoveryWindowInDays", property.New(0.0))
		}},
		{"no resource policy", "SEC-002", secretURN, "policy", "none", func(t *testing.T) *graph.Graph {
			g, err := base.Without(policyURN)
			if err != nil {
				t.Fatal(err)
			}
			return g
		}},
		{"policy of another secret", "SEC-002", secretURN, "policy", "none", func(t *testing.T) *graph.Graph {
			return setInput(t, base, tPolicy, "db-policy", "secretArn", property.New("arn:aws:secretsmanager:eu-west-1:123456789012:secret:other-abcdef"))
		}},
		{"second resource policy", "SEC-002", policyURN + "-2", "secretArn", "", func(t *testing.T) *graph.Graph {
			p := *named(t, base, tPolicy, "db-policy")
			p.URN, p.Name = p.URN+"-2", p.Name+"-2"
			g, err := graph.New(base.Project, base.Stack, append(base.Resources(), &p))
			if err != nil {
				t.Fatal(err)
			}
			return g
		}},
		{"public policies not blocked", "SEC-002", policyURN, "blockPublicPolicy", "false", func(t *testing.T) *graph.Graph {
			return setInput(t, base, tPolicy, "db-policy", "blockPublicPolicy", property.New(false))
		}},
		{"readers allowed but nobody else denied", "SEC-002", policyURN, "policy", "[Allow ReadersMayRead]", func(t *testing.T) *graph.Graph {
			return withPolicy(t, base, iampolicy.New(readersAllow))
		}},
		{"deny only over plain HTTP", "SEC-002", policyURN, "policy", "[Allow ReadersMayRead, Deny DenyReadUntilReadersAreConfigured]", func(t *testing.T) *graph.Graph {
			conditional := denyAll
			conditional.Conditions = iampolicy.Conditions{"Bool": {"aws:SecureTransport": {"false"}}}
			return withPolicy(t, base, iampolicy.New(readersAllow, conditional))
		}},
		{"deny exempts an admin who is not a reader", "SEC-002", policyURN, "policy.Statement[1].Condition", fmt.Sprint([]string{admin}), func(t *testing.T) *graph.Graph {
			doc := secrets.SecretPolicy([]string{uploader})
			doc.Statements[1].Conditions = iampolicy.Conditions{"StringNotEquals": {"aws:PrincipalArn": {uploader, admin}}}
			return withPolicy(t, base, doc)
		}},
		{"anyone allowed without conditions", "SEC-002", policyURN, "policy.Statement[2].Principal", "AnyoneMayRead", func(t *testing.T) *graph.Graph {
			doc := secrets.SecretPolicy([]string{uploader})
			doc.Statements = append(doc.Statements, iampolicy.Statement{Sid: "AnyoneMayRead", Effect: iampolicy.Allow,
				Principal: &iampolicy.Principal{Wildcard: true}, Actions: iampolicy.StringList{"secretsmanager:*"}, Resources: iampolicy.StringList{"*"}})
			return withPolicy(t, base, doc)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			broken := tc.breakGraph(t)
			r := run(t, tc.control, broken)
			if r.Status != controls.Fail || len(r.Findings) != 1 {
				t.Fatalf("%s: %s, findings %v; want exactly one finding", tc.control, r.Status, r.Findings)
			}
			f := r.Findings[0]
			if f.URN != tc.urn || f.Path != tc.path || (tc.value != "" && f.Value != tc.value) {
				t.Errorf("finding %s\nwant %s: %s = %s", f, tc.urn, tc.path, tc.value)
			}
			other := map[string]string{"SEC-001": "SEC-002", "SEC-002": "SEC-001"}[tc.control]
			if r := run(t, other, broken); r.Status != controls.Pass {
				t.Errorf("%s fails too: %v", other, r.Findings)
			}
		})
	}
}

// The resource policy of a secret read by two IRSA roles.
func ExampleSecretPolicy() {
	text, err := secrets.SecretPolicy([]string{
		"arn:aws:iam::123456789012:role/uploader",
		"arn:aws:iam::123456789012:role/thumbnailer",
	}).JSON()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(text)
	// Output:
	// {"Version":"2012-10-17","Statement":[{"Sid":"ReadersMayRead","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::123456789012:role/thumbnailer","arn:aws:iam::123456789012:role/uploader"]},"Action":["secretsmanager:GetSecretValue","secretsmanager:DescribeSecret"],"Resource":["*"]},{"Sid":"DenyReadToAllButReaders","Effect":"Deny","Principal":"*","Action":["secretsmanager:GetSecretValue"],"Resource":["*"],"Condition":{"StringNotEquals":{"aws:PrincipalArn":["arn:aws:iam::123456789012:role/thumbnailer","arn:aws:iam::123456789012:role/uploader"]}}}]}
}
