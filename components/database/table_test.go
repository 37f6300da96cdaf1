package database_test

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/securestack/platform/components/database"
	"github.com/securestack/platform/proof/controls"
	"github.com/securestack/platform/proof/engine/graph"
	"github.com/securestack/platform/proof/engine/recorder"
)

const (
	tTable  = "aws:dynamodb/table:Table"
	dataKey = "arn:aws:kms:eu-west-1:123456789012:key/0000-data"
)

// recordTable records a program that builds only one Table named "orders" with args.
func recordTable(t *testing.T, args *database.TableArgs) (*graph.Graph, error) {
	t.Helper()
	return recorder.Record(recorder.Options{Stack: "dev", Program: func(ctx *pulumi.Context) error {
		_, err := database.NewTable(ctx, "orders", args)
		return err
	}})
}

func mustRecordTable(t *testing.T, args *database.TableArgs) *graph.Graph {
	t.Helper()
	g, err := recordTable(t, args)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func table(t *testing.T, g *graph.Graph) *graph.Resource {
	t.Helper()
	r, err := g.Named(tTable, "orders")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func defaults() *database.TableArgs {
	return &database.TableArgs{HashKey: database.Attribute{Name: "id", Type: "S"}, KmsKeyArn: pulumi.String(dataKey)}
}

func wantString(t *testing.T, r *graph.Resource, path, want string) {
	t.Helper()
	if got, err := r.String(path); err != nil || got != want {
		t.Errorf("%s = %q, %v; want %q", path, got, err, want)
	}
}

func wantBool(t *testing.T, r *graph.Resource, path string, want bool) {
	t.Helper()
	if got, err := r.Bool(path); err != nil || got != want {
		t.Errorf("%s = %v, %v; want an explicit %v", path, got, err, want)
	}
}

func wantInt(t *testing.T, r *graph.Resource, path string, want int) {
	t.Helper()
	if got, err := r.Int(path); err != nil || got != want {
		t.Errorf("%s = %d, %v; want %d", path, got, err, want)
	}
}

// The ARNs AWS assigns in a recorded dev stack name the dev account, 111111111111: the first of
// the stack's aws:allowedAccountIds, which the mocked caller is in.

func TestDefaultTableIsOnDemandWithPITRAndTheCustomerKey(t *testing.T) {
	g := mustRecordTable(t, defaults())
	if n := g.Len(); n != 3 {
		t.Errorf("%d resources, want 3 (stack, component, table)", n)
	}
	r := table(t, g)
	wantString(t, r, "hashKey", "id")
	if n := r.Len("attributes"); n != 1 {
		t.Errorf("%d attributes, want 1 (the hash key only)", n)
	}
	wantString(t, r, "attributes[0].name", "id")
	wantString(t, r, "attributes[0].type", "S")
	wantString(t, r, "billingMode", "PAY_PER_REQUEST")
	wantBool(t, r, "pointInTimeRecovery.enabled", true)
	wantBool(t, r, "serverSideEncryption.enabled", true)
	wantString(t, r, "serverSideEncryption.kmsKeyArn", dataKey)
	wantBool(t, r, "deletionProtectionEnabled", false)
	for _, absent := range []string{"name", "rangeKey", "readCapacity", "writeCapacity"} {
		if r.Has(absent) {
			t.Errorf("%s is set; want it absent", absent)
		}
	}
	if r.Protect || r.RetainOnDelete {
		t.Errorf("protect %v, retainOnDelete %v: want both off unless asked", r.Protect, r.RetainOnDelete)
	}
	comp, ok := g.Component(r)
	if !ok || comp.Type != database.TypeToken || comp.Name != "orders" {
		t.Errorf("table is not parented to the platform:database:Table component (got %+v)", comp)
	}
	if arn, _ := r.Outputs.GetOk("arn"); arn.AsString() != "arn:aws:dynamodb:eu-west-1:111111111111:table/orders" {
		t.Errorf("arn %v", arn)
	}
}

func TestFixedNameRangeKeyTagsAndProtectionAreExactlyAsAsked(t *testing.T) {
	args := defaults()
	args.RangeKey = &database.Attribute{Name: "createdAt", Type: "N"}
	args.TableName = "prod.orders_v1"
	args.DeletionProtection = true
	args.Protect, args.RetainOnDelete = true, true
	args.Tags = map[string]string{"team": "payments"}
	r := table(t, mustRecordTable(t, args))
	wantString(t, r, "name", "prod.orders_v1")
	wantString(t, r, "rangeKey", "createdAt")
	if n := r.Len("attributes"); n != 2 {
		t.Errorf("%d attributes, want 2", n)
	}
	wantString(t, r, "attributes[1].name", "createdAt")
	wantString(t, r, "attributes[1].type", "N")
	wantBool(t, r, "deletionProtectionEnabled", true)
	wantString(t, r, `tags["team"]`, "payments")
	if !r.Protect || !r.RetainOnDelete {
		t.Errorf("protect %v, retainOnDelete %v: want both on", r.Protect, r.RetainOnDelete)
	}
	if arn, _ := r.Outputs.GetOk("arn"); arn.AsString() != "arn:aws:dynamodb:eu-west-1:111111111111:table/prod.orders_v1" {
		t.Errorf("arn %v", arn)
	}
}

func TestAWSOwnedKeyOptOutSetsSSEDisabledWithNoKeyAndPITRStaysOn(t *testing.T) {
	r := table(t, mustRecordTable(t, &database.TableArgs{HashKey: database.Attribute{Name: "id", Type: "S"}, Encryption: database.AWSOwnedKey}))
	wantBool(t, r, "serverSideEncryption.enabled", false)
	if r.Has("serverSideEncryption.kmsKeyArn") {
		t.Error("serverSideEncryption.kmsKeyArn is set with the AWS-owned key")
	}
	wantBool(t, r, "pointInTimeRecovery.enabled", true)
}

func TestProvisionedCapacityIsBilledAsProvisioned(t *testing.T) {
	args := defaults()
	args.Provisioned = &database.Capacity{Read: 5, Write: 2}
	r := table(t, mustRecordTable(t, args))
	wantString(t, r, "billingMode", "PROVISIONED")
	wantInt(t, r, "readCapacity", 5)
	wantInt(t, r, "writeCapacity", 2)
}

func TestTableArgsReportEveryProblemAtOnceAndRegisterNothing(t *testing.T) {
	for _, tc := range []struct {
		name string
		args *database.TableArgs
		want []string
	}{
		{"nil args", nil, []string{
			"hashKey: name is required",
			`hashKey: type "" is not S, N or B`,
			"kmsKeyArn: required with CustomerKey, the default (pass the data key, or opt out with AWSOwnedKey)",
		}},
		{"everything else wrong", &database.TableArgs{
			HashKey:     database.Attribute{Name: "pk", Type: "string"},
			RangeKey:    &database.Attribute{Name: "pk", Type: "S"},
			TableName:   "ab",
			Provisioned: &database.Capacity{Read: 0, Write: -1},
		}, []string{
			`hashKey: type "string" is not S, N or B`,
			`rangeKey: "pk" is also the hash key; use another attribute or no range key`,
			`tableName: "ab" must be 3 to 255 characters of A-Z a-z 0-9 _ . -`,
			"kmsKeyArn: required with CustomerKey, the default (pass the data key, or opt out with AWSOwnedKey)",
			"provisioned.read: 0 must be at least 1",
			"provisioned.write: -1 must be at least 1",
		}},
		{"contradictory encryption", &database.TableArgs{
			HashKey:    database.Attribute{Name: "id", Type: "B"},
			RangeKey:   &database.Attribute{Type: "N"},
			TableName:  "orders/v1",
			Encryption: database.AWSOwnedKey, KmsKeyArn: pulumi.String(dataKey),
		}, []string{
			"rangeKey: name is required",
			`tableName: "orders/v1" must be 3 to 255 characters of A-Z a-z 0-9 _ . -`,
			"kmsKeyArn: must be nil with AWSOwnedKey (the AWS-owned key takes no ARN)",
		}},
		{"unknown encryption", &database.TableArgs{HashKey: database.Attribute{Name: "id", Type: "S"}, Encryption: "sse-s3"}, []string{
			`encryption: "sse-s3" is not an option (allowed: customerKey, awsOwnedKey)`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := strings.Join(tc.want, "\n")
			if tc.args != nil {
				if err := tc.args.Validate(); err == nil || err.Error() != want {
					t.Errorf("Validate:\n%v\nwant exactly:\n%s", err, want)
				}
			}
			// The program's error (wrapped by the Pulumi runtime) carries the same lines, named.
			g, err := recordTable(t, tc.args)
			if err == nil || !strings.Contains(err.Error(), `database.NewTable "orders": `+want+"\n") {
				t.Errorf("NewTable error:\n%v\nwant it to hold:\n%s", err, want)
			}
			if g.Len() != 1 {
				t.Errorf("%d resources registered, want only the stack", g.Len())
			}
		})
	}
}

// Controls, on the recorded graph and on copies of it broken one property at a time.

func run(t *testing.T, id string, g *graph.Graph, env string) controls.Result {
	t.Helper()
	c, ok := controls.Lookup(id)
	if !ok {
		t.Fatalf("no control %s", id)
	}
	return c.Run(controls.Target{Graph: g, Environment: env})
}

// setInput returns a copy of g in which the input at path of the resource (typ, name) is v.
func setInput(t *testing.T, g *graph.Graph, typ, name, path string, v property.Value) *graph.Graph {
	t.Helper()
	return edit(t, g, typ, name, func(in property.Map) property.Map {
		out, err := graph.SetInput(in, path, v)
		if err != nil {
			t.Fatal(err)
		}
		return out
	})
}

// edit returns a copy of g in which the inputs of the resource (typ, name) are replaced by change.
func edit(t *testing.T, g *graph.Graph, typ, name string, change func(property.Map) property.Map) *graph.Graph {
	t.Helper()
	target, err := g.Named(typ, name)
	if err == nil {
		g, err = g.With(target.URN, func(r *graph.Resource) { r.Inputs = change(r.Inputs) })
	}
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestProdTableWithDeletionProtectionPassesEveryDynamoDBControl(t *testing.T) {
	args := defaults()
	args.DeletionProtection = true
	g := mustRecordTable(t, args)
	for _, id := range []string{"DDB-001", "DDB-002", "DDB-003"} {
		if r := run(t, id, g, "prod"); r.Status != controls.Pass || r.Checked != 1 {
			t.Errorf("%s: %s, %d checked, findings %v; want pass on 1 table", id, r.Status, r.Checked, r.Findings)
		}
	}
	c, _ := controls.Lookup("DDB-001")
	if c.Section != "4. Data Protection" || c.Requirement != "DynamoDB: Server-side encryption enabled." {
		t.Errorf("DDB-001 proves %q / %q", c.Section, c.Requirement)
	}
}

func TestDeletionProtectionIsRequiredInProdOnlyAndNotApplicableElsewhere(t *testing.T) {
	g := mustRecordTable(t, defaults()) // deletion protection off, as in dev
	for _, env := range []string{"dev", "staging"} {
		if r := run(t, "DDB-003", g, env); r.Status != controls.NotApplicable || r.Checked != 0 {
			t.Errorf("DDB-003 on %s: %s, %d checked; want n/a", env, r.Status, r.Checked)
		}
	}
	r := run(t, "DDB-003", g, "prod")
	if r.Status != controls.Fail || len(r.Findings) != 1 {
		t.Fatalf("DDB-003 on prod: %s, %v; want one finding", r.Status, r.Findings)
	}
	f := r.Findings[0]
	if f.URN != table(t, g).URN || f.Path != "deletionProtectionEnabled" || f.Value != "false" {
		t.Errorf("finding %s", f)
	}
}

func TestEachDynamoDBControlFailsOnTheTableItsPropertyIsBrokenOn(t *testing.T) {
	args := defaults()
	args.DeletionProtection = true
	base := mustRecordTable(t, args)
	withoutKey := func(t *testing.T, g *graph.Graph) *graph.Graph {
		return edit(t, g, tTable, "orders", func(in property.Map) property.Map {
			sse := in.Get("serverSideEncryption").AsMap().Delete("kmsKeyArn")
			return in.Set("serverSideEncryption", property.New(sse))
		})
	}
	for _, tc := range []struct {
		name, control, path, value string
		breakGraph                 func(t *testing.T, g *graph.Graph) *graph.Graph
	}{
		{"AWS-owned key", "DDB-001", "serverSideEncryption.enabled", "false", func(t *testing.T, g *graph.Graph) *graph.Graph {
			return setInput(t, g, tTable, "orders", "serverSideEncryption.enabled", property.New(false))
		}},
		{"no encryption block at all", "DDB-001", "serverSideEncryption.enabled", "absent", func(t *testing.T, g *graph.Graph) *graph.Graph {
			return edit(t, g, tTable, "orders", func(in property.Map) property.Map { return in.Delete("serverSideEncryption") })
		}},
		{"AWS-managed key (enabled, no ARN)", "DDB-001", "serverSideEncryption.kmsKeyArn", "absent", withoutKey},
		{"AWS-managed key by alias", "DDB-001", "serverSideEncryption.kmsKeyArn", `"arn:aws:kms:eu-west-1:123456789012:alias/aws/dynamodb"`,
			func(t *testing.T, g *graph.Graph) *graph.Graph {
				return setInput(t, g, tTable, "orders", "serverSideEncryption.kmsKeyArn", property.New("arn:aws:kms:eu-west-1:123456789012:alias/aws/dynamodb"))
			}},
		{"point-in-time recovery off", "DDB-002", "pointInTimeRecovery.enabled", "false", func(t *testing.T, g *graph.Graph) *graph.Graph {
			return setInput(t, g, tTable, "orders", "pointInTimeRecovery.enabled", property.New(false))
		}},
		{"deletion protection off in prod", "DDB-003", "deletionProtectionEnabled", "false", func(t *testing.T, g *graph.Graph) *graph.Graph {
			return setInput(t, g, tTable, "orders", "deletionProtectionEnabled", property.New(false))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			broken := tc.breakGraph(t, base)
			r := run(t, tc.control, broken, "prod")
			if r.Status != controls.Fail || len(r.Findings) != 1 {
				t.Fatalf("%s: %s, findings %v; want exactly one finding", tc.control, r.Status, r.Findings)
			}
			f := r.Findings[0]
			if f.URN != table(t, broken).URN || f.Path != tc.path || f.Value != tc.value {
				t.Errorf("finding %s; want %s = %s on the table", f, tc.path, tc.value)
			}
			// Only the broken control fails.
			for _, id := range []string{"DDB-001", "DDB-002", "DDB-003"} {
				if id != tc.control && run(t, id, broken, "prod").Status != controls.Pass {
					t.Errorf("%s fails too", id)
				}
			}
		})
	}
}

func TestAWSOwnedKeyTableFailsDDB001UnlessWaivedAndTheReportShowsTheReason(t *testing.T) {
	g := mustRecordTable(t, &database.TableArgs{HashKey: database.Attribute{Name: "id", Type: "S"}, Encryption: database.AWSOwnedKey})
	r := run(t, "DDB-001", g, "dev")
	if r.Status != controls.Fail || len(r.Findings) != 1 || !strings.Contains(r.Findings[0].Message, "AWS-owned key") {
		t.Fatalf("DDB-001: %s, %v; want one finding naming the AWS-owned key", r.Status, r.Findings)
	}
	const reason = "orders-cache holds only public catalogue data (RISK-42)"
	for _, res := range controls.Evaluate(controls.Target{Graph: g, Environment: "dev"}, map[string]string{"DDB-001": reason}) {
		if res.Control.ID != "DDB-001" {
			continue
		}
		if res.Status != controls.Waived || res.Waiver != reason || len(res.Findings) != 1 {
			t.Errorf("waived DDB-001: %s, waiver %q, %d findings; want waived with the reason and the finding kept as evidence", res.Status, res.Waiver, len(res.Findings))
		}
	}
}
