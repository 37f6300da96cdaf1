package filesystem_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/securestack/platform/components/filesystem"
	"github.com/securestack/platform/components/lib/iampolicy"
	"github.com/securestack/platform/proof/controls"
	"github.com/securestack/platform/proof/engine/graph"
	"github.com/securestack/platform/proof/engine/recorder"
)

const (
	typeRolePolicy = "aws:iam/rolePolicy:RolePolicy"
	csiRole        = "efs-csi-driver"
	renderRole     = "render-jobs"
)

// render is a second access point, for grants that must stay apart.
var render = filesystem.AccessPoint{Name: "render", UID: 2000, GID: 2000, Path: "/render"}

// withGrants adds the render access point and the grants: the CSI driver's role through
// processor, the render jobs' role through render.
func withGrants(a *filesystem.FileSystemArgs) {
	a.AccessPoints = append(a.AccessPoints, render)
	a.MountGrants = []filesystem.MountGrant{
		{AccessPoint: "processor", RoleName: pulumi.String(csiRole)},
		{AccessPoint: "render", RoleName: pulumi.String(renderRole)},
	}
}

// mountPolicyJSON is MountPolicy written out literally: mount and write on the file system, only
// through the one access point.
func mountPolicyJSON(fsArn, apArn string) string {
	return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":"MountThroughAccessPoint","Effect":"Allow",`+
		`"Action":["elasticfilesystem:ClientMount","elasticfilesystem:ClientWrite"],"Resource":[%q],`+
		`"Condition":{"StringEquals":{"elasticfilesystem:AccessPointArn":[%q]}}}]}`, fsArn, apArn)
}

func TestMountGrantsAreOneRolePolicyPerGrantNamingItsOwnAccessPoint(t *testing.T) {
	g := recordProgram(t, withGrants)
	fs := named(t, g, typeFS, name)
	fsArn := fs.Outputs.Get("arn").AsString()
	comp := named(t, g, filesystem.TypeToken, name)
	if n := len(g.OfType(typeRolePolicy)); n != 2 {
		t.Errorf("%d role policies, want 2 (one per grant)", n)
	}
	for _, tc := range []struct{ accessPoint, role string }{{"processor", csiRole}, {"render", renderRole}} {
		ap := named(t, g, typeAccessPoint, name+"-"+tc.accessPoint)
		apArn := ap.Outputs.Get("arn").AsString()
		if !strings.HasPrefix(apArn, "arn:aws:elasticfilesystem:eu-west-1:111111111111:access-point/fsap-") {
			t.Errorf("access point ARN %s, want one of the dev account", apArn)
		}
		p := named(t, g, typeRolePolicy, name+"-"+tc.accessPoint+"-mount")
		if p.Parent != comp.URN {
			t.Errorf("%s parent %s, want the component", p.Name, p.Parent)
		}
		if got, err := p.String("role"); err != nil || got != tc.role {
			t.Errorf("%s role = %q, %v; want %q", p.Name, got, err, tc.role)
		}
		if got, _ := p.String("policy"); got != mountPolicyJSON(fsArn, apArn) {
			t.Errorf("%s policy:\n got  %s\n want %s", p.Name, got, mountPolicyJSON(fsArn, apArn))
		}
		if got, err := filesystem.MountPolicy(fsArn, apArn).JSON(); err != nil || got != mountPolicyJSON(fsArn, apArn) {
			t.Errorf("MountPolicy = %s, %v", got, err)
		}
	}
	// fs, backup, sg, 2 mount targets, policy, 2 access points, 2 grants.
	if n := len(g.Children(comp.URN)); n != 10 {
		t.Errorf("component has %d children, want 10", n)
	}
}

func TestMountPolicyNeverGrantsRootAccess(t *testing.T) {
	doc := filesystem.MountPolicy("arn:aws:elasticfilesystem:eu-west-1:123456789012:file-system/fs-1",
		"arn:aws:elasticfilesystem:eu-west-1:123456789012:access-point/fsap-1")
	if len(doc.Statements) != 1 {
		t.Fatalf("%d statements, want 1", len(doc.Statements))
	}
	s := doc.Statements[0]
	if s.CoversAction(filesystem.ActionClientRootAccess) || s.Principal != nil || s.Effect != iampolicy.Allow {
		t.Errorf("mount grant %+v: want an Allow without principal and without root access", s)
	}
}

func TestNoMountGrantsNoRolePolicies(t *testing.T) {
	if n := len(recordProgram(t, nil).OfType(typeRolePolicy)); n != 0 {
		t.Errorf("%d role policies without grants, want none", n)
	}
}

func TestMountGrantsNeedAKnownAccessPointAndARole(t *testing.T) {
	args := &filesystem.FileSystemArgs{
		AccountID:             accountID,
		KmsKeyArn:             pulumi.String(keyArn),
		VpcID:                 pulumi.String(vpcID),
		ClientSecurityGroupID: pulumi.String(nodesSG),
		PrivateSubnets:        map[string]pulumi.StringInput{"eu-west-1a": pulumi.String("subnet-0a"), "eu-west-1b": pulumi.String("subnet-0b")},
		AccessPoints:          []filesystem.AccessPoint{processorAccessPoint},
		MountGrants: []filesystem.MountGrant{
			{AccessPoint: "cache", RoleName: pulumi.String(csiRole)},
			{AccessPoint: "processor"},
			{AccessPoint: "processor", RoleName: pulumi.String("")},
			{AccessPoint: "", RoleName: pulumi.String(csiRole)},
		},
	}
	want := strings.Join([]string{
		`mountGrants[0].accessPoint: "cache" is not one of the access points`,
		"mountGrants[1].roleName: required",
		`mountGrants[2].accessPoint: "processor" is granted twice (one grant, so one role, per access point)`,
		"mountGrants[2].roleName: required",
		`mountGrants[3].accessPoint: "" is not one of the access points`,
	}, "\n")
	if err := args.Validate(); err == nil || err.Error() != want {
		t.Errorf("Validate():\n got  %v\n want %s", err, want)
	}
	g, err := recorder.Record(recorder.Options{Stack: "dev", Program: func(ctx *pulumi.Context) error {
		_, err := filesystem.NewFileSystem(ctx, name, args)
		return err
	}})
	if err == nil || !strings.Contains(err.Error(), `filesystem.NewFileSystem "scratch": `+want) {
		t.Errorf("error:\n%v\nlacks the component prefix and every problem", err)
	}
	if g.Len() != 1 {
		t.Errorf("%d resources registered, want only the stack", g.Len())
	}
	// The same grants are valid once the access points and roles exist.
	args.AccessPoints = append(args.AccessPoints, filesystem.AccessPoint{Name: "cache", UID: 1000, GID: 1000, Path: "/cache"})
	args.MountGrants = args.MountGrants[:1]
	if err := args.Validate(); err != nil {
		t.Errorf("valid grant rejected: %v", err)
	}
}

func TestEFS005FailsWithoutTheAccessPointDenyOrWithAGrantNotPinnedToOneAccessPoint(t *testing.T) {
	g := recordProgram(t, withGrants)
	fs := named(t, g, typeFS, name)
	fsArn := fs.Outputs.Get("arn").AsString()
	if r := run(t, "EFS-005", g); r.Status != controls.Pass || r.Checked != 1 {
		t.Fatalf("EFS-005 with grants: %s on %d, findings %v; want pass on the file system", r.Status, r.Checked, r.Findings)
	}

	// The file system policy without DenyMountOutsideAccessPoints.
	doc := filesystem.FileSystemPolicy(fsArn, accountID)
	doc.Statements = append(doc.Statements[:2:2], doc.Statements[3:]...)
	f := wantFinding(t, "EFS-005", mutated(t, g, typePolicy, name+"-policy", func(r *graph.Resource) {
		r.Inputs = r.Inputs.Set("policy", property.New(mustJSON(t, doc)))
	}), fs.URN, "fileSystemPolicy")
	if f.Value != "no deny" {
		t.Errorf("evidence %q, want no deny", f.Value)
	}

	// A grant through any access point (no condition), or through two.
	grant := named(t, g, typeRolePolicy, name+"-processor-mount")
	for _, conditions := range []iampolicy.Conditions{
		nil,
		{"StringEquals": {"elasticfilesystem:AccessPointArn": {"arn:aws:elasticfilesystem:eu-west-1:111111111111:access-point/fsap-a", "arn:aws:elasticfilesystem:eu-west-1:111111111111:access-point/fsap-b"}}},
	} {
		open := iampolicy.New(iampolicy.Statement{Sid: "MountThroughAccessPoint", Effect: iampolicy.Allow,
			Actions:   iampolicy.StringList{"elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"},
			Resources: iampolicy.StringList{fsArn}, Conditions: conditions})
		wantFinding(t, "EFS-005", mutated(t, g, typeRolePolicy, grant.Name, func(r *graph.Resource) {
			r.Inputs = r.Inputs.Set("policy", property.New(mustJSON(t, open)))
		}), grant.URN, "policy.Statement[0].Condition")
	}
}
