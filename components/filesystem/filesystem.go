package filesystem

import (
	"errors"
	"fmt"
	"maps"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/efs"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/securestack/platform/components/lib/iampolicy"
)

// TypeToken is the Pulumi type of the FileSystem component. It is in users' state: never change it.
const TypeToken = "platform:filesystem:FileSystem"

// NFSPort is the port EFS mount targets serve NFS on, the only port their security group opens.
const NFSPort = 2049

// Defaults and limits of FileSystemArgs.
const (
	// MinZones is the minimum number of zones with a mount target (multi-AZ is required).
	MinZones = 2
	// DefaultTransitionToIA moves files not read for 30 days to the Infrequent Access class.
	DefaultTransitionToIA = "AFTER_30_DAYS"
	// TransitionNever keeps every file in the Standard class (no lifecycle policy).
	TransitionNever = "NEVER"
	// DefaultPermissions of an access point's root directory: owner rwx, group rx, others nothing.
	DefaultPermissions = "0750"
	// BackupEnabled is the status of the automatic backup policy, always on.
	BackupEnabled = "ENABLED"
)

// TransitionPeriods are the values EFS accepts for a transition to Infrequent Access.
var TransitionPeriods = []string{"AFTER_1_DAY", "AFTER_7_DAYS", "AFTER_14_DAYS", "AFTER_30_DAYS", "AFTER_60_DAYS",
	"AFTER_90_DAYS", "AFTER_180_DAYS", "AFTER_270_DAYS", "AFTER_365_DAYS"}

// The file-system policy's actions and condition keys.
const (
	ActionClientMount      = "elasticfilesystem:ClientMount"
	ActionClientWrite      = "elasticfilesystem:ClientWrite"
	ActionClientRootAccess = "elasticfilesystem:ClientRootAccess"
	KeySecureTransport     = "aws:SecureTransport"
	KeyViaMountTarget      = "elasticfilesystem:AccessedViaMountTarget"
	KeyAccessPointArn      = "elasticfilesystem:AccessPointArn"
)

// AccessPoint is an application's entry into the file system: every NFS request through it runs
// as UID:GID, inside Path, which EFS creates owned by UID:GID with Permissions if it is missing.
type AccessPoint struct {
	// Name keys the access point (child "<component>-<Name>"); a DNS label, unique; required.
	Name string
	// UID and GID every request runs as; required and never 0 (root).
	UID, GID int
	// Path is the access point's root directory: absolute, clean, never "/"; required.
	Path string
	// Permissions of Path when EFS creates it, in octal; "" means DefaultPermissions. Never
	// writable by others.
	Permissions string
}

// MountGrant lets a role mount the file system, and write, through one access point only.
type MountGrant struct {
	// AccessPoint names one of AccessPoints; required.
	AccessPoint string
	// RoleName is the IAM role granted; required.
	RoleName pulumi.StringInput
}

// FileSystemArgs configures a FileSystem. The zero value of each optional field is the secure default.
type FileSystemArgs struct {
	// AccountID is the AWS account whose principals may mount the file system; required.
	AccountID string
	// KmsKeyArn is the customer data key the file system is encrypted with; required.
	KmsKeyArn pulumi.StringInput
	// VpcID is the VPC of the mount targets' security group; required.
	VpcID pulumi.StringInput
	// ClientSecurityGroupID is the cluster nodes' security group, the only source admitted to
	// NFS; required.
	ClientSecurityGroupID pulumi.StringInput
	// PrivateSubnets are the subnets of the mount targets, one per zone, keyed by zone name; at
	// least MinZones; required.
	PrivateSubnets map[string]pulumi.StringInput
	// AccessPoints are the access points to create; names must be unique. Nil (the default)
	// creates none, and then nobody can mount: the policy admits clients through an access point
	// only, so every client's identity and directory are pinned.
	AccessPoints []AccessPoint
	// MountGrants let IAM roles mount and write through one access point each (ClientMount and
	// ClientWrite, conditioned on that access point's ARN): for example the EFS CSI driver's role,
	// whose node plugin performs IAM-authorised mounts. Default none.
	MountGrants []MountGrant
	// TransitionToIA is one of TransitionPeriods or TransitionNever; "" means DefaultTransitionToIA
	// (30 days), which halves the cost of scratch files nobody reads again without slowing the
	// ones in use.
	TransitionToIA string
	// Protect and RetainOnDelete apply to the file system (its data); set them in prod. False (the
	// default) lets a dev stack be torn down; backups are on whatever they say.
	Protect, RetainOnDelete bool
	// Tags are added to the file system, its security group and its access points; nil adds none.
	Tags map[string]string
}

// FileSystem is an encrypted, backed-up EFS file system with a mount target in every private
// subnet, reachable over TLS from the cluster nodes only, through access points.
type FileSystem struct {
	pulumi.ResourceState

	// ID is the file system id (fs-…): a PersistentVolume's volume handle.
	ID pulumi.IDOutput
	// Arn is the file system's ARN, for IAM policies that grant mounts.
	Arn pulumi.StringOutput
	// DNSName is its mount name.
	DNSName pulumi.StringOutput
	// SecurityGroupID is the mount targets' security group.
	SecurityGroupID pulumi.IDOutput
	// MountTargetIDs by zone.
	MountTargetIDs map[string]pulumi.IDOutput
	// AccessPointArns by access point name, for the conditions of mount grants.
	AccessPointArns map[string]pulumi.StringOutput
	// AccessPointIDs by access point name, for volume handles ("<fs id>::<access point id>").
	AccessPointIDs map[string]pulumi.IDOutput
}

var (
	accountIDPattern = regexp.MustCompile(`^[0-9]{12}$`)
	dnsLabel         = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
	octalMode        = regexp.MustCompile(`^[0-7]{3,4}$`)
)

// missing reports whether a required input is absent or a known empty string.
func missing(in pulumi.StringInput) bool {
	if in == nil {
		return true
	}
	s, ok := in.(pulumi.String)
	return ok && s == ""
}

// Validate reports every problem with the args at once.
func (a *FileSystemArgs) Validate() error {
	var errs []error
	if !accountIDPattern.MatchString(a.AccountID) {
		errs = append(errs, fmt.Errorf("accountId: %q is not a 12-digit AWS account id (required: the policy admits principals of this account only)", a.AccountID))
	}
	if missing(a.KmsKeyArn) {
		errs = append(errs, errors.New("kmsKeyArn: required (the file system is always encrypted with the customer data key)"))
	}
	if missing(a.VpcID) {
		errs = append(errs, errors.New("vpcId: required (the mount targets' security group lives in it)"))
	}
	if missing(a.ClientSecurityGroupID) {
		errs = append(errs, errors.New("clientSecurityGroupId: required (NFS is admitted only from the cluster nodes' security group)"))
	}
	if n := len(a.PrivateSubnets); n < MinZones {
		errs = append(errs, fmt.Errorf("privateSubnets: %d zone(s) is below the minimum of %d (multi-AZ is required)", n, MinZones))
	}
	for _, az := range slices.Sorted(maps.Keys(a.PrivateSubnets)) {
		if az == "" || !dnsLabel.MatchString(az) {
			errs = append(errs, fmt.Errorf("privateSubnets: zone %q is not a zone name", az))
		}
		if missing(a.PrivateSubnets[az]) {
			errs = append(errs, fmt.Errorf("privateSubnets[%q]: subnet id required", az))
		}
	}
	if t := a.TransitionToIA; t != "" && t != TransitionNever && !slices.Contains(TransitionPeriods, t) {
		errs = append(errs, fmt.Errorf("transitionToIA: %q is not a period (allowed: %s or %s)", t, strings.Join(TransitionPeriods, ", "), TransitionNever))
	}
	seen := map[string]bool{}
	for i, ap := range a.AccessPoints {
		if !dnsLabel.MatchString(ap.Name) {
			errs = append(errs, fmt.Errorf(`accessPoints[%d]: name %q is not a DNS label (lowercase letters, digits and "-", at most 63)`, i, ap.Name))
		} else if seen[ap.Name] {
			errs = append(errs, fmt.Errorf("accessPoints[%d]: name %q is repeated", i, ap.Name))
		}
		seen[ap.Name] = true
		if ap.UID <= 0 {
			errs = append(errs, fmt.Errorf("accessPoints[%d] (%s): uid %d is root or invalid; want a positive id", i, ap.Name, ap.UID))
		}
		if ap.GID <= 0 {
			errs = append(errs, fmt.Errorf("accessPoints[%d] (%s): gid %d is root or invalid; want a positive id", i, ap.Name, ap.GID))
		}
		if !strings.HasPrefix(ap.Path, "/") || ap.Path == "/" || path.Clean(ap.Path) != ap.Path {
			errs = append(errs, fmt.Errorf(`accessPoints[%d] (%s): path %q must be absolute, clean and not "/"`, i, ap.Name, ap.Path))
		}
		if p := ap.Permissions; p != "" && (!octalMode.MatchString(p) || (p[len(p)-1]-'0')&2 != 0) {
			errs = append(errs, fmt.Errorf(`accessPoints[%d] (%s): permissions %q must be an octal mode such as "0750", not writable by others`, i, ap.Name, p))
		}
	}
	granted := map[string]bool{}
	for i, g := range a.MountGrants {
		switch {
		case !seen[g.AccessPoint]:
			errs = append(errs, fmt.Errorf("mountGrants[%d].accessPoint: %q is not one of the access points", i, g.AccessPoint))
		case granted[g.AccessPoint]:
			errs = append(errs, fmt.Errorf("mountGrants[%d].accessPoint: %q is granted twice (one grant, so one role, per access point)", i, g.AccessPoint))
		}
		granted[g.AccessPoint] = true
		if missing(g.RoleName) {
			errs = append(errs, fmt.Errorf("mountGrants[%d].roleName: required", i))
		}
	}
	return errors.Join(errs...)
}

func (a *FileSystemArgs) withDefaults() FileSystemArgs {
	out := *a
	if out.TransitionToIA == "" {
		out.TransitionToIA = DefaultTransitionToIA
	}
	out.AccessPoints = slices.Clone(a.AccessPoints)
	for i := range out.AccessPoints {
		if out.AccessPoints[i].Permissions == "" {
			out.AccessPoints[i].Permissions = DefaultPermissions
		}
	}
	return out
}

// FileSystemPolicy is the file system's resource policy: TLS only, no root over NFS and no mount
// outside an access point for anyone, and mount and write for principals of the account that come
// through a mount target (what they may do is then up to their IAM policies: MountGrants).
func FileSystemPolicy(fsArn, accountID string) iampolicy.Document {
	partition := "aws"
	if parts := strings.SplitN(fsArn, ":", 3); len(parts) == 3 && parts[0] == "arn" && parts[1] != "" {
		partition = parts[1]
	}
	anyone := &iampolicy.Principal{Wildcard: true}
	return iampolicy.New(
		iampolicy.Statement{
			Sid:        "DenyInsecureTransport",
			Effect:     iampolicy.Deny,
			Principal:  anyone,
			Actions:    iampolicy.StringList{"*"},
			Resources:  iampolicy.StringList{fsArn},
			Conditions: iampolicy.Conditions{"Bool": {KeySecureTransport: {"false"}}},
		},
		iampolicy.Statement{
			Sid:       "DenyRootAccess",
			Effect:    iampolicy.Deny,
			Principal: anyone,
			Actions:   iampolicy.StringList{ActionClientRootAccess},
			Resources: iampolicy.StringList{fsArn},
		},
		iampolicy.Statement{
			// Every mount goes through an access point, which fixes the user and the directory:
			// no client reaches the file system's root, whatever it is granted.
			Sid:        "DenyMountOutsideAccessPoints",
			Effect:     iampolicy.Deny,
			Principal:  anyone,
			Actions:    iampolicy.StringList{ActionClientMount, ActionClientWrite},
			Resources:  iampolicy.StringList{fsArn},
			Conditions: iampolicy.Conditions{"Null": {KeyAccessPointArn: {"true"}}},
		},
		iampolicy.Statement{
			Sid:        "AllowMountViaMountTargetToThisAccount",
			Effect:     iampolicy.Allow,
			Principal:  &iampolicy.Principal{AWS: iampolicy.StringList{fmt.Sprintf("arn:%s:iam::%s:root", partition, accountID)}},
			Actions:    iampolicy.StringList{ActionClientMount, ActionClientWrite},
			Resources:  iampolicy.StringList{fsArn},
			Conditions: iampolicy.Conditions{"Bool": {KeyViaMountTarget: {"true"}}},
		},
	)
}

// NewFileSystem builds the file system. The args are validated before anything is registered.
func NewFileSystem(ctx *pulumi.Context, name string, args *FileSystemArgs, opts ...pulumi.ResourceOption) (*FileSystem, error) {
	if args == nil {
		args = &FileSystemArgs{}
	}
	if err := args.Validate(); err != nil {
		return nil, fmt.Errorf("filesystem.NewFileSystem %q: %w", name, err)
	}
	a := args.withDefaults()
	f := &FileSystem{
		MountTargetIDs:  map[string]pulumi.IDOutput{},
		AccessPointArns: map[string]pulumi.StringOutput{},
		AccessPointIDs:  map[string]pulumi.IDOutput{},
	}
	if err := ctx.RegisterComponentResource(TypeToken, name, f, opts...); err != nil {
		return nil, err
	}
	b := &builder{ctx: ctx, name: name, args: a, f: f, parent: pulumi.Parent(f)}
	for _, step := range []func() error{b.fileSystem, b.network, b.policy, b.accessPoints, b.mountGrants} {
		if err := step(); err != nil {
			return nil, err
		}
	}
	outputs := pulumi.Map{
		"fileSystemId":    f.ID,
		"arn":             f.Arn,
		"dnsName":         f.DNSName,
		"securityGroupId": f.SecurityGroupID,
	}
	for apName, arn := range f.AccessPointArns {
		outputs[apName+"AccessPointArn"] = arn
		outputs[apName+"AccessPointId"] = f.AccessPointIDs[apName]
	}
	if err := ctx.RegisterResourceOutputs(f, outputs); err != nil {
		return nil, err
	}
	return f, nil
}

// builder registers the children of one FileSystem; each method is one group of resources.
type builder struct {
	ctx    *pulumi.Context
	name   string
	args   FileSystemArgs
	f      *FileSystem
	parent pulumi.ResourceOption

	fs *efs.FileSystem
}

func (b *builder) child(key string) string { return b.name + "-" + key }

func (b *builder) tags(name string) pulumi.StringMap {
	t := pulumi.ToStringMap(maps.Clone(b.args.Tags))
	t["Name"] = pulumi.String(name)
	return t
}

func (b *builder) fileSystem() error {
	var lifecycle efs.FileSystemLifecyclePolicyArray
	if b.args.TransitionToIA != TransitionNever {
		lifecycle = efs.FileSystemLifecyclePolicyArray{
			&efs.FileSystemLifecyclePolicyArgs{TransitionToIa: pulumi.String(b.args.TransitionToIA)},
		}
	}
	var err error
	b.fs, err = efs.NewFileSystem(b.ctx, b.name, &efs.FileSystemArgs{
		Encrypted:         pulumi.Bool(true),
		KmsKeyId:          b.args.KmsKeyArn,
		PerformanceMode:   pulumi.String("generalPurpose"),
		ThroughputMode:    pulumi.String("elastic"),
		LifecyclePolicies: lifecycle,
		Tags:              b.tags(b.name),
	}, b.parent, pulumi.Protect(b.args.Protect), pulumi.RetainOnDelete(b.args.RetainOnDelete))
	if err != nil {
		return err
	}
	b.f.ID, b.f.Arn, b.f.DNSName = b.fs.ID(), b.fs.Arn, b.fs.DnsName
	_, err = efs.NewBackupPolicy(b.ctx, b.child("backup"), &efs.BackupPolicyArgs{
		FileSystemId: b.fs.ID(),
		BackupPolicy: &efs.BackupPolicyBackupPolicyArgs{Status: pulumi.String(BackupEnabled)},
	}, b.parent)
	return err
}

// network creates the NFS security group and a mount target in every zone's private subnet.
func (b *builder) network() error {
	key := "nfs"
	sg, err := ec2.NewSecurityGroup(b.ctx, b.child(key), &ec2.SecurityGroupArgs{
		VpcId:       b.args.VpcID,
		Description: pulumi.Sprintf("NFS to the EFS mount targets of %s, from the cluster nodes only", b.name),
		Ingress: ec2.SecurityGroupIngressArray{&ec2.SecurityGroupIngressArgs{
			Description:    pulumi.String("NFS from the cluster nodes' security group"),
			Protocol:       pulumi.String("tcp"),
			FromPort:       pulumi.Int(NFSPort),
			ToPort:         pulumi.Int(NFSPort),
			SecurityGroups: pulumi.StringArray{b.args.ClientSecurityGroupID},
		}},
		Egress: ec2.SecurityGroupEgressArray{},
		Tags:   b.tags(b.child(key)),
	}, b.parent)
	if err != nil {
		return err
	}
	b.f.SecurityGroupID = sg.ID()
	for _, az := range slices.Sorted(maps.Keys(b.args.PrivateSubnets)) {
		mt, err := efs.NewMountTarget(b.ctx, b.child(az), &efs.MountTargetArgs{
			FileSystemId:   b.fs.ID(),
			SubnetId:       b.args.PrivateSubnets[az],
			SecurityGroups: pulumi.StringArray{sg.ID().ToStringOutput()},
		}, b.parent)
		if err != nil {
			return err
		}
		b.f.MountTargetIDs[az] = mt.ID()
	}
	return nil
}

func (b *builder) policy() error {
	accountID := b.args.AccountID
	doc := b.fs.Arn.ApplyT(func(arn string) (string, error) { return FileSystemPolicy(arn, accountID).JSON() }).(pulumi.StringOutput)
	_, err := efs.NewFileSystemPolicy(b.ctx, b.child("policy"), &efs.FileSystemPolicyArgs{
		FileSystemId:                   b.fs.ID(),
		Policy:                         doc,
		BypassPolicyLockoutSafetyCheck: pulumi.Bool(false),
	}, b.parent)
	return err
}

func (b *builder) accessPoints() error {
	for _, ap := range b.args.AccessPoints {
		res, err := efs.NewAccessPoint(b.ctx, b.child(ap.Name), &efs.AccessPointArgs{
			FileSystemId: b.fs.ID(),
			PosixUser:    &efs.AccessPointPosixUserArgs{Uid: pulumi.Int(ap.UID), Gid: pulumi.Int(ap.GID)},
			RootDirectory: &efs.AccessPointRootDirectoryArgs{
				Path: pulumi.String(ap.Path),
				CreationInfo: &efs.AccessPointRootDirectoryCreationInfoArgs{
					OwnerUid:    pulumi.Int(ap.UID),
					OwnerGid:    pulumi.Int(ap.GID),
					Permissions: pulumi.String(ap.Permissions),
				},
			},
			Tags: b.tags(b.child(ap.Name)),
		}, b.parent)
		if err != nil {
			return err
		}
		b.f.AccessPointArns[ap.Name] = res.Arn
		b.f.AccessPointIDs[ap.Name] = res.ID()
	}
	return nil
}

// MountPolicy lets a role mount a file system and write to it through one access point only.
func MountPolicy(fsArn, accessPointArn string) iampolicy.Document {
	return iampolicy.New(iampolicy.Statement{
		Sid:        "MountThroughAccessPoint",
		Effect:     iampolicy.Allow,
		Actions:    iampolicy.StringList{ActionClientMount, ActionClientWrite},
		Resources:  iampolicy.StringList{fsArn},
		Conditions: iampolicy.Conditions{"StringEquals": {KeyAccessPointArn: {accessPointArn}}},
	})
}

func (b *builder) mountGrants() error {
	for _, g := range b.args.MountGrants {
		doc := pulumi.All(b.fs.Arn, b.f.AccessPointArns[g.AccessPoint]).ApplyT(func(v []any) (string, error) {
			return MountPolicy(v[0].(string), v[1].(string)).JSON()
		}).(pulumi.StringOutput)
		if _, err := iam.NewRolePolicy(b.ctx, b.child(g.AccessPoint+"-mount"), &iam.RolePolicyArgs{
			Role:   g.RoleName,
			Policy: doc,
		}, b.parent); err != nil {
			return err
		}
	}
	return nil
}
