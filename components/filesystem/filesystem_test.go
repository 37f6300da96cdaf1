package filesystem_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi/sdk/v3/go/property"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/securestack/platform/components/filesystem"
	"github.com/securestack/platform/components/lib/iampolicy"
	"github.com/securestack/platform/proof/controls"
	"github.com/securestack/platform/proof/engine/graph"
	"github.com/securestack/platform/proof/engine/recorder"
)

const (
	accountID = "123456789012"
	keyArn    = "arn:aws:kms:eu-west-1:123456789012:key/data"
	vpcID     = "vpc-0test"
	nodesSG   = "sg-0nodes"
	name      = "scratch"
)

const (
	typeFS          = "aws:efs/fileSystem:FileSystem"
	typeBackup      = "aws:efs/backupPolicy:BackupPolicy"
	typePolicy      = "aws:efs/fileSystemPolicy:FileSystemPolicy"
	typeMountTarget = "aws:efs/mountTarget:MountTarget"
	typeAccessPoint = "aws:efs/accessPoint:AccessPoint"
	typeSG          = "aws:ec2/securityGroup:SecurityGroup"
	typeSubnet      = "aws:ec2/subnet:Subnet"
)

// zones maps each zone of the test program to the logical name of its private subnet.
var zones = map[string]string{"eu-west-1a": "private-a", "eu-west-1b": "private-b"}

// recordProgram records a program that creates two private subnets (tagged internal-elb), one
// public subnet (tagged elb) and a FileSystem over the private ones, with args edited by edit.
func recordProgram(t *testing.T, edit func(a *filesystem.FileSystemArgs)) *graph.Graph {
	t.Helper()
	g, err := recorder.Record(recorder.Options{Stack: "dev", Program: program(edit)})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// program is the test program of recordProgram.
func program(edit func(a *filesystem.FileSystemArgs)) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		subnet := func(logical, az, cidr, roleTag string) (*ec2.Subnet, error) {
			return ec2.NewSubnet(ctx, logical, &ec2.SubnetArgs{
				VpcId:               pulumi.String(vpcID),
				CidrBlock:           pulumi.String(cidr),
				AvailabilityZone:    pulumi.String(az),
				MapPublicIpOnLaunch: pulumi.Bool(false),
				Tags:                pulumi.StringMap{roleTag: pulumi.String("1")},
			})
		}
		private := map[string]pulumi.StringInput{}
		for i, az := range slices.Sorted(maps.Keys(zones)) {
			s, err := subnet(zones[az], az, fmt.Sprintf("10.0.%d.0/24", i), "kubernetes.io/role/internal-elb")
			if err != nil {
				return err
			}
			private[az] = s.ID().ToStringOutput()
		}
		if _, err := subnet("public-a", "eu-west-1a", "10.0.100.0/24", "kubernetes.io/role/elb"); err != nil {
			return err
		}
		args := &filesystem.FileSystemArgs{
			AccountID:             accountID,
			KmsKeyArn:             pulumi.String(keyArn),
			VpcID:                 pulumi.String(vpcID),
			ClientSecurityGroupID: pulumi.String(nodesSG),
			PrivateSubnets:        private,
			AccessPoints:          []filesystem.AccessPoint{processorAccessPoint},
		}
		if edit != nil {
			edit(args)
		}
		_, err := filesystem.NewFileSystem(ctx, name, args)
		return err
	}
}

// mustJSON renders a document the test expects.
func mustJSON(t *testing.T, d iampolicy.Document) string {
	t.Helper()
	s, err := d.JSON()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func named(t *testing.T, g *graph.Graph, typ, logical string) *graph.Resource {
	t.Helper()
	r, err := g.Named(typ, logical)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestTwoZonesGiveOneEncryptedFileSystemWithBackupsPolicyGroupTwoMountTargetsAndOneAccessPoint(t *testing.T) {
	g := recordProgram(t, nil)
	counts := g.CountByType()
	for typ, want := range map[string]int{typeFS: 1, typeBackup: 1, typeSG: 1, typeMountTarget: 2, typePolicy: 1, typeAccessPoint: 1,
		filesystem.TypeToken: 1, typeSubnet: 3} {
		if counts[typ] != want {
			t.Errorf("%s: %d, want %d", typ, counts[typ], want)
		}
	}
	fs := named(t, g, typeFS, name)
	if v, err := fs.Bool("encrypted"); err != nil || !v {
		t.Errorf("encrypted = %v, %v; want true", v, err)
	}
	for path, want := range map[string]string{"kmsKeyId": keyArn, "performanceMode": "generalPurpose", "throughputMode": "elastic",
		"lifecyclePolicies[0].transitionToIa": "AFTER_30_DAYS", "tags.Name": name} {
		if got, err := fs.String(path); err != nil || got != want {
			t.Errorf("file system %s = %q, %v; want %q", path, got, err, want)
		}
	}
	if n := fs.Len("lifecyclePolicies"); n != 1 {
		t.Errorf("%d lifecycle policies, want 1", n)
	}
	if fs.Protect || fs.RetainOnDelete {
		t.Errorf("protect=%v retainOnDelete=%v with zero args, want false", fs.Protect, fs.RetainOnDelete)
	}
	backup := named(t, g, typeBackup, name+"-backup")
	if got, _ := backup.String("backupPolicy.status"); got != "ENABLED" {
		t.Errorf("backup status %q, want ENABLED", got)
	}
	if got, _ := backup.String("fileSystemId"); got != fs.ID {
		t.Errorf("backup policy of %q, want %q", got, fs.ID)
	}
	// Every child is parented to the component.
	comp := named(t, g, filesystem.TypeToken, name)
	if n := len(g.Children(comp.URN)); n != 7 {
		t.Errorf("component has %d children, want 7 (fs, backup, sg, 2 mount targets, policy, access point)", n)
	}
}

func TestMountTargetsAreOnePerZoneInThePrivateSubnetBehindTheNFSGroup(t *testing.T) {
	g := recordProgram(t, nil)
	fs := named(t, g, typeFS, name)
	sg := named(t, g, typeSG, name+"-nfs")
	for az, subnetName := range zones {
		mt := named(t, g, typeMountTarget, name+"-"+az)
		subnet := named(t, g, typeSubnet, subnetName)
		if got, _ := mt.String("subnetId"); got != subnet.ID {
			t.Errorf("mount target in %s: subnet %q, want %q", az, got, subnet.ID)
		}
		if got, err := mt.Strings("securityGroups"); err != nil || !slices.Equal(got, []string{sg.ID}) {
			t.Errorf("mount target in %s: security groups %v, %v; want [%s]", az, got, err, sg.ID)
		}
		if got, _ := mt.String("fileSystemId"); got != fs.ID {
			t.Errorf("mount target in %s: file system %q, want %q", az, got, fs.ID)
		}
	}
}

func TestNFSGroupAdmitsOnlyTCP2049FromTheClientGroupAndHasNoEgress(t *testing.T) {
	g := recordProgram(t, nil)
	sg := named(t, g, typeSG, name+"-nfs")
	if got, _ := sg.String("vpcId"); got != vpcID {
		t.Errorf("vpcId %q, want %q", got, vpcID)
	}
	if d, _ := sg.String("description"); d == "" {
		t.Error("the group has no description")
	}
	if filesystem.NFSPort != 2049 {
		t.Errorf("NFSPort %d, want 2049", filesystem.NFSPort)
	}
	if n := sg.Len("ingress"); n != 1 {
		t.Fatalf("%d ingress rules, want exactly 1", n)
	}
	if got, _ := sg.String("ingress[0].protocol"); got != "tcp" {
		t.Errorf("protocol %q, want tcp", got)
	}
	for _, p := range []string{"ingress[0].fromPort", "ingress[0].toPort"} {
		if got, err := sg.Int(p); err != nil || got != filesystem.NFSPort {
			t.Errorf("%s = %d, %v; want 2049", p, got, err)
		}
	}
	if got, err := sg.Strings("ingress[0].securityGroups"); err != nil || !slices.Equal(got, []string{nodesSG}) {
		t.Errorf("sources %v, %v; want [%s]", got, err, nodesSG)
	}
	if d, _ := sg.String("ingress[0].description"); d == "" {
		t.Error("the rule has no description")
	}
	for _, p := range []string{"ingress[0].cidrBlocks", "ingress[0].ipv6CidrBlocks", "ingress[0].prefixListIds"} {
		if sg.Len(p) != 0 {
			t.Errorf("%s is set", p)
		}
	}
	// Egress is an explicit empty list (the provider would otherwise keep AWS's allow-all rule).
	if v, err := sg.Get("egress"); err != nil || !v.IsArray() || v.AsArray().Len() != 0 {
		t.Errorf("egress = %v, %v; want []", v, err)
	}
}

func TestPolicyIsFileSystemPolicyOfTheArnAndDeniesPlainNFSAndRoot(t *testing.T) {
	g := recordProgram(t, nil)
	fs := named(t, g, typeFS, name)
	policy := named(t, g, typePolicy, name+"-policy")
	if got, _ := policy.String("fileSystemId"); got != fs.ID {
		t.Errorf("policy of %q, want %q", got, fs.ID)
	}
	if v, err := policy.Bool("bypassPolicyLockoutSafetyCheck"); err != nil || v {
		t.Errorf("bypassPolicyLockoutSafetyCheck = %v, %v; want an explicit false", v, err)
	}
	arn := fs.Outputs.Get("arn").AsString()
	want, err := filesystem.FileSystemPolicy(arn, accountID).JSON()
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := policy.String("policy"); got != want {
		t.Errorf("policy:\n got  %s\n want %s", got, want)
	}

	doc := filesystem.FileSystemPolicy(arn, accountID)
	if len(doc.Statements) != 4 {
		t.Fatalf("%d statements, want 4", len(doc.Statements))
	}
	var sids []string
	for _, s := range doc.Statements {
		sids = append(sids, s.Sid)
	}
	if want := []string{"DenyInsecureTransport", "DenyRootAccess", "DenyMountOutsideAccessPoints", "AllowMountViaMountTargetToThisAccount"}; !slices.Equal(sids, want) {
		t.Errorf("statements %v, want %v", sids, want)
	}
	tls, root, outside, allow := doc.Statements[0], doc.Statements[1], doc.Statements[2], doc.Statements[3]
	if tls.Effect != iampolicy.Deny || !tls.Principal.IsWildcard() || !tls.CoversAction("elasticfilesystem:ClientMount") ||
		!tls.CoversAction("elasticfilesystem:ClientWrite") || !tls.CoversResource(arn) ||
		!slices.Equal(tls.ConditionValues("Bool", "aws:SecureTransport"), []string{"false"}) {
		t.Errorf("statement 0 %+v does not deny everyone everything without TLS", tls)
	}
	if root.Effect != iampolicy.Deny || !root.Principal.IsWildcard() || !root.CoversAction("elasticfilesystem:ClientRootAccess") ||
		len(root.Conditions) != 0 || root.CoversAction("elasticfilesystem:ClientMount") {
		t.Errorf("statement 1 %+v does not deny root access, and only that, to everyone", root)
	}
	// Every mount goes through an access point: a mount without one is denied to everyone.
	wantOutside := iampolicy.Statement{Sid: "DenyMountOutsideAccessPoints", Effect: iampolicy.Deny, Principal: &iampolicy.Principal{Wildcard: true},
		Actions: iampolicy.StringList{"elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"}, Resources: iampolicy.StringList{arn},
		Conditions: iampolicy.Conditions{"Null": {"elasticfilesystem:AccessPointArn": {"true"}}}}
	if got, want := mustJSON(t, iampolicy.New(outside)), mustJSON(t, iampolicy.New(wantOutside)); got != want {
		t.Errorf("statement 2:\n got  %s\n want %s", got, want)
	}
	if allow.Effect != iampolicy.Allow || allow.Principal.IsWildcard() || !slices.Equal(allow.Principal.AWS, []string{"arn:aws:iam::123456789012:root"}) ||
		!slices.Equal(allow.Actions, []string{"elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"}) ||
		!slices.Equal(allow.ConditionValues("Bool", "elasticfilesystem:AccessedViaMountTarget"), []string{"true"}) {
		t.Errorf("statement 3 %+v is not mount+write for the account via mount targets", allow)
	}
	for i, s := range doc.Statements {
		if s.IsUnconditionedWildcardPrincipal() {
			t.Errorf("statement %d allows anyone without conditions", i)
		}
	}
	// The partition follows the file system's ARN.
	gov := filesystem.FileSystemPolicy("arn:aws-us-gov:elasticfilesystem:us-gov-west-1:123456789012:file-system/fs-1", accountID)
	if got := gov.Statements[3].Principal.AWS; !slices.Equal(got, []string{"arn:aws-us-gov:iam::123456789012:root"}) {
		t.Errorf("GovCloud principal %v", got)
	}
}

// processorAccessPoint is the media processor's access point as the platform writes it.
var processorAccessPoint = filesystem.AccessPoint{Name: "processor", UID: 1000, GID: 1000, Path: "/processor", Permissions: "0750"}

func TestEmptyPermissionsDefaultTo0750AndNeverTransitionDropsTheLifecyclePolicy(t *testing.T) {
	g := recordProgram(t, func(a *filesystem.FileSystemArgs) {
		a.AccessPoints = []filesystem.AccessPoint{{Name: "render", UID: 2000, GID: 3000, Path: "/render/tmp"}}
		a.TransitionToIA = filesystem.TransitionNever
	})
	ap := named(t, g, typeAccessPoint, name+"-render")
	if got, _ := ap.String("rootDirectory.creationInfo.permissions"); got != filesystem.DefaultPermissions {
		t.Errorf("permissions %q, want %q", got, filesystem.DefaultPermissions)
	}
	if fs := named(t, g, typeFS, name); fs.Len("lifecyclePolicies") != 0 {
		t.Errorf("lifecycle policies %v with TransitionNever, want none", fs.Inputs.Get("lifecyclePolicies"))
	}
}

func TestProtectAndRetainApplyToTheFileSystem(t *testing.T) {
	g := recordProgram(t, func(a *filesystem.FileSystemArgs) { a.Protect, a.RetainOnDelete = true, true })
	if fs := named(t, g, typeFS, name); !fs.Protect || !fs.RetainOnDelete {
		t.Errorf("protect=%v retainOnDelete=%v, want true", fs.Protect, fs.RetainOnDelete)
	}
}

func TestPreviewRegistersTheSameResourcesWithThePolicyUnknown(t *testing.T) {
	preview, err := recorder.Record(recorder.Options{Stack: "dev", DryRun: true, Program: program(nil)})
	if err != nil {
		t.Fatal(err)
	}
	update := recordProgram(t, nil)
	var a, b []string
	for _, r := range preview.Resources() {
		a = append(a, r.URN)
	}
	for _, r := range update.Resources() {
		b = append(b, r.URN)
	}
	if !slices.Equal(a, b) {
		t.Errorf("preview registers %v,\nupdate %v", a, b)
	}
	// The policy names the file system's ARN, which AWS assigns: it cannot be known in a preview.
	if text, err := named(t, preview, typePolicy, name+"-policy").String("policy"); err == nil {
		t.Errorf("preview policy %s, want unknown until the file system exists", text)
	}
}

func TestAddingAZoneOnlyAddsAMountTarget(t *testing.T) {
	before := recordProgram(t, nil)
	after := recordProgram(t, func(a *filesystem.FileSystemArgs) {
		a.PrivateSubnets["eu-west-1c"] = pulumi.String("subnet-0c")
	})
	var added []string
	for _, r := range after.Resources() {
		if _, ok := before.Lookup(r.URN); !ok {
			added = append(added, r.Type+" "+r.Name)
		}
	}
	for _, r := range before.Resources() {
		if _, ok := after.Lookup(r.URN); !ok {
			t.Errorf("%s disappeared", r.URN)
		}
	}
	if want := []string{typeMountTarget + " " + name + "-eu-west-1c"}; !slices.Equal(added, want) {
		t.Errorf("added %v, want %v", added, want)
	}
}

func TestFileSystemArgsReportEveryProblemAtOnceAndRegisterNothing(t *testing.T) {
	args := &filesystem.FileSystemArgs{
		VpcID:          pulumi.String(""),
		PrivateSubnets: map[string]pulumi.StringInput{"eu-west-1a": nil},
		TransitionToIA: "AFTER_2_DAYS",
		AccessPoints: []filesystem.AccessPoint{
			{Name: "Processor", UID: 0, GID: 0, Path: "/", Permissions: "0777"},
			{Name: "cache", UID: 1000, GID: -1, Path: "cache/../x"},
			{Name: "cache", UID: 1000, GID: 1000, Path: "/cache", Permissions: "750"},
		},
	}
	lines := []string{
		`accountId: "" is not a 12-digit AWS account id (required: the policy admits principals of this account only)`,
		"kmsKeyArn: required (the file system is always encrypted with the customer data key)",
		"vpcId: required (the mount targets' security group lives in it)",
		"clientSecurityGroupId: required (NFS is admitted only from the cluster nodes' security group)",
		"privateSubnets: 1 zone(s) is below the minimum of 2 (multi-AZ is required)",
		`privateSubnets["eu-west-1a"]: subnet id required`,
		`transitionToIA: "AFTER_2_DAYS" is not a period (allowed: AFTER_1_DAY, AFTER_7_DAYS, AFTER_14_DAYS, AFTER_30_DAYS, AFTER_60_DAYS, AFTER_90_DAYS, AFTER_180_DAYS, AFTER_270_DAYS, AFTER_365_DAYS or NEVER)`,
		`accessPoints[0]: name "Processor" is not a DNS label (lowercase letters, digits and "-", at most 63)`,
		"accessPoints[0] (Processor): uid 0 is root or invalid; want a positive id",
		"accessPoints[0] (Processor): gid 0 is root or invalid; want a positive id",
		`accessPoints[0] (Processor): path "/" must be absolute, clean and not "/"`,
		`accessPoints[0] (Processor): permissions "0777" must be an octal mode such as "0750", not writable by others`,
		"accessPoints[1] (cache): gid -1 is root or invalid; want a positive id",
		`accessPoints[1] (cache): path "cache/../x" must be absolute, clean and not "/"`,
		`accessPoints[2]: name "cache" is repeated`,
	}
	want := strings.Join(lines, "\n")
	if err := args.Validate(); err == nil || err.Error() != want {
		t.Errorf("Validate():\n got  %v\n want %s", err, want)
	}

	g, err := recorder.Record(recorder.Options{Stack: "dev", Program: func(ctx *pulumi.Context) error {
		_, err := filesystem.NewFileSystem(ctx, name, args)
		return err
	}})
	if err == nil {
		t.Fatal("no error")
	}
	if !strings.Contains(err.Error(), `filesystem.NewFileSystem "scratch": `+want) {
		t.Errorf("error:\n%v\nlacks the component prefix and every problem", err)
	}
	if g.Len() != 1 {
		t.Errorf("%d resources registered, want only the stack", g.Len())
	}
	// Nil args are the zero args: every required field is reported.
	if err := (&filesystem.FileSystemArgs{}).Validate(); err == nil || len(strings.Split(err.Error(), "\n")) != 5 {
		t.Errorf("zero args: %v; want 5 problems (account, key, vpc, client group, zones)", err)
	}
}

// --- controls on the recorded graph and on broken copies of it ---

// mutated returns a copy of g in which the resource (typ, logical) is changed by edit.
func mutated(t *testing.T, g *graph.Graph, typ, logical string, edit func(r *graph.Resource)) *graph.Graph {
	t.Helper()
	out, err := g.With(named(t, g, typ, logical).URN, edit)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// without returns a copy of g without the resource (typ, logical).
func without(t *testing.T, g *graph.Graph, typ, logical string) *graph.Graph {
	t.Helper()
	out, err := g.Without(named(t, g, typ, logical).URN)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// set returns inputs with the value at path replaced or added.
func set(t *testing.T, inputs property.Map, path string, v property.Value) property.Map {
	t.Helper()
	out, err := graph.SetInput(inputs, path, v)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func run(t *testing.T, id string, g *graph.Graph) controls.Result {
	t.Helper()
	c, ok := controls.Lookup(id)
	if !ok {
		t.Fatalf("no control %s in the catalog", id)
	}
	return c.Run(controls.Target{Graph: g, Environment: "dev"})
}

// wantFinding asserts that the control fails with exactly one finding, on the resource at path.
func wantFinding(t *testing.T, id string, g *graph.Graph, urn, path string) controls.Finding {
	t.Helper()
	r := run(t, id, g)
	if r.Status != controls.Fail || len(r.Findings) != 1 {
		t.Fatalf("%s: %s with findings %v; want one finding on %s %s", id, r.Status, r.Findings, urn, path)
	}
	if f := r.Findings[0]; f.URN != urn || f.Path != path {
		t.Errorf("%s: finding %s; want it on %s at %s", id, f, urn, path)
	}
	return r.Findings[0]
}

var efsControlIDs = []string{"EFS-001", "EFS-002", "EFS-003", "EFS-004", "EFS-005"}

// The requirement lines the EFS controls quote, exactly as the requirements document has them.
const (
	reqKMS = "EBS/EFS: Encrypted with KMS."
	reqTLS = "TLS: All traffic encrypted in transit using AWS ACM certificates on ALB Ingress."
)

// TestEFSControlsProveTheKMSRequirementAndPassOnTheComponent: EFS-001 proves the KMS line; the
// others are hardening controls (they prove no line), EFS-002 to EFS-004 supporting it.
func TestEFSControlsProveTheKMSRequirementAndPassOnTheComponent(t *testing.T) {
	g := recordProgram(t, nil)
	quotes := map[string]struct {
		requirement string
		supports    []string
	}{
		"EFS-001": {reqKMS, nil},
		"EFS-002": {"", []string{reqKMS, reqTLS}},
		"EFS-003": {"", []string{reqKMS}},
		"EFS-004": {"", []string{reqKMS}},
		"EFS-005": {"", nil},
	}
	for _, id := range efsControlIDs {
		r := run(t, id, g)
		q := quotes[id]
		if r.Control.Section != "4. Data Protection" || r.Control.Requirement != q.requirement || !slices.Equal(r.Control.Supports, q.supports) {
			t.Errorf("%s: section %q, requirement %q, supports %q; want requirement %q, supports %q",
				id, r.Control.Section, r.Control.Requirement, r.Control.Supports, q.requirement, q.supports)
		}
		if r.Status != controls.Pass {
			t.Errorf("%s: %s, findings %v; want pass", id, r.Status, r.Findings)
		}
	}
	// Each control examined what it is about: 1 file system, or 2 mount targets.
	for id, want := range map[string]int{"EFS-001": 1, "EFS-002": 1, "EFS-003": 2, "EFS-004": 1, "EFS-005": 1} {
		if got := run(t, id, g).Checked; got != want {
			t.Errorf("%s checked %d, want %d", id, got, want)
		}
	}
	// A stack without a file system has nothing to check.
	empty, _ := graph.New(g.Project, g.Stack, nil)
	for _, id := range efsControlIDs {
		if s := run(t, id, empty).Status; s != controls.NotApplicable {
			t.Errorf("%s on an empty graph: %s, want n/a", id, s)
		}
	}
}

func TestEFS001FailsForAnUnencryptedFileSystemOrOneWithoutACustomerKey(t *testing.T) {
	g := recordProgram(t, nil)
	fs := named(t, g, typeFS, name)
	f := wantFinding(t, "EFS-001", mutated(t, g, typeFS, name, func(r *graph.Resource) {
		r.Inputs = r.Inputs.Set("encrypted", property.New(false))
	}), fs.URN, "encrypted")
	if f.Value != "false" {
		t.Errorf("evidence %q, want false", f.Value)
	}
	f = wantFinding(t, "EFS-001", mutated(t, g, typeFS, name, func(r *graph.Resource) {
		r.Inputs = r.Inputs.Delete("kmsKeyId")
	}), fs.URN, "kmsKeyId")
	if f.Value != "absent" {
		t.Errorf("evidence %q, want absent", f.Value)
	}
	wantFinding(t, "EFS-001", mutated(t, g, typeFS, name, func(r *graph.Resource) {
		r.Inputs = r.Inputs.Set("kmsKeyId", property.New("alias/aws/elasticfilesystem"))
	}), fs.URN, "kmsKeyId")
}

func TestEFS002FailsWithoutAPolicyWithoutTheTLSDenyOrWithAnOpenAllow(t *testing.T) {
	g := recordProgram(t, nil)
	fs := named(t, g, typeFS, name)
	policy := named(t, g, typePolicy, name+"-policy")
	arn := fs.Outputs.Get("arn").AsString()

	wantFinding(t, "EFS-002", without(t, g, typePolicy, name+"-policy"), fs.URN, "fileSystemPolicy")

	edit := func(change func(d *iampolicy.Document)) *graph.Graph {
		d := filesystem.FileSystemPolicy(arn, accountID)
		change(&d)
		text, err := d.JSON()
		if err != nil {
			t.Fatal(err)
		}
		return mutated(t, g, typePolicy, name+"-policy", func(r *graph.Resource) {
			r.Inputs = r.Inputs.Set("policy", property.New(text))
		})
	}
	// The TLS deny dropped, made conditional on something else too, or aimed at another file system.
	wantFinding(t, "EFS-002", edit(func(d *iampolicy.Document) { d.Statements = d.Statements[1:] }), policy.URN, "policy")
	wantFinding(t, "EFS-002", edit(func(d *iampolicy.Document) {
		d.Statements[0].Conditions = iampolicy.Conditions{"Bool": {"aws:SecureTransport": {"false"}}, "StringEquals": {"aws:PrincipalAccount": {"999999999999"}}}
	}), policy.URN, "policy")
	wantFinding(t, "EFS-002", edit(func(d *iampolicy.Document) {
		d.Statements[0].Resources = iampolicy.StringList{"arn:aws:elasticfilesystem:eu-west-1:123456789012:file-system/fs-other"}
	}), policy.URN, "policy")
	// An unconditioned Allow for anyone, next to an intact TLS deny.
	f := wantFinding(t, "EFS-002", edit(func(d *iampolicy.Document) {
		d.Statements = append(d.Statements, iampolicy.Statement{Sid: "Open", Effect: iampolicy.Allow, Principal: &iampolicy.Principal{Wildcard: true},
			Actions: iampolicy.StringList{"elasticfilesystem:ClientMount"}, Resources: iampolicy.StringList{arn}})
	}), policy.URN, "policy.Statement[4]")
	if f.Value != `"Open"` {
		t.Errorf("evidence %q, want the statement id", f.Value)
	}
}

func TestEFS003FailsForAMountTargetInThePublicSubnet(t *testing.T) {
	g := recordProgram(t, nil)
	public := named(t, g, typeSubnet, "public-a")
	mt := named(t, g, typeMountTarget, name+"-eu-west-1a")
	f := wantFinding(t, "EFS-003", mutated(t, g, typeMountTarget, name+"-eu-west-1a", func(r *graph.Resource) {
		r.Inputs = r.Inputs.Set("subnetId", property.New(public.ID))
	}), mt.URN, "subnetId")
	if f.Value != fmt.Sprintf("%q", public.ID) {
		t.Errorf("evidence %q, want the public subnet id", f.Value)
	}
}

func TestEFS003FailsForAnyCIDRSourceOnNFS(t *testing.T) {
	g := recordProgram(t, nil)
	sg := named(t, g, typeSG, name+"-nfs")
	for _, cidr := range []string{"0.0.0.0/0", "10.0.0.0/8"} {
		f := wantFinding(t, "EFS-003", mutated(t, g, typeSG, name+"-nfs", func(r *graph.Resource) {
			r.Inputs = set(t, r.Inputs, "ingress[0].cidrBlocks", property.New([]property.Value{property.New(cidr)}))
		}), sg.URN, "ingress[0].cidrBlocks")
		if f.Value != fmt.Sprintf("[%q]", cidr) {
			t.Errorf("evidence %q, want [%q]", f.Value, cidr)
		}
	}
}

func TestEFS003FailsWhenAMountTargetCannotBePlacedOrHasNoGroup(t *testing.T) {
	g := recordProgram(t, nil)
	// Without any subnet in the graph, both mount targets are unplaceable.
	noSubnets := g
	for _, s := range g.OfType(typeSubnet) {
		noSubnets = without(t, noSubnets, typeSubnet, s.Name)
	}
	r := run(t, "EFS-003", noSubnets)
	if r.Status != controls.Fail || len(r.Findings) != 2 {
		t.Fatalf("no subnets: %s, %v; want 2 findings", r.Status, r.Findings)
	}
	for _, f := range r.Findings {
		if f.Path != "subnetId" || !strings.Contains(f.Message, "no subnets") {
			t.Errorf("finding %s", f)
		}
	}
	mt := named(t, g, typeMountTarget, name+"-eu-west-1b")
	wantFinding(t, "EFS-003", mutated(t, g, typeMountTarget, name+"-eu-west-1b", func(r *graph.Resource) {
		r.Inputs = r.Inputs.Delete("securityGroups")
	}), mt.URN, "securityGroups")
	wantFinding(t, "EFS-003", mutated(t, g, typeMountTarget, name+"-eu-west-1b", func(r *graph.Resource) {
		r.Inputs = r.Inputs.Set("securityGroups", property.New([]property.Value{property.New("sg-0unknown")}))
	}), mt.URN, "securityGroups[0]")
}

func TestEFS004FailsWithoutEnabledBackups(t *testing.T) {
	g := recordProgram(t, nil)
	fs := named(t, g, typeFS, name)
	backup := named(t, g, typeBackup, name+"-backup")
	wantFinding(t, "EFS-004", without(t, g, typeBackup, name+"-backup"), fs.URN, "backupPolicy")
	f := wantFinding(t, "EFS-004", mutated(t, g, typeBackup, name+"-backup", func(r *graph.Resource) {
		r.Inputs = set(t, r.Inputs, "backupPolicy.status", property.New("DISABLED"))
	}), backup.URN, "backupPolicy.status")
	if f.Value != `"DISABLED"` {
		t.Errorf("evidence %q", f.Value)
	}
}
