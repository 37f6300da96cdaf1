package controls

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/securestack/platform/components/lib/eksspec"
	"github.com/securestack/platform/components/lib/iampolicy"
	"github.com/securestack/platform/proof/engine/graph"
)

// Resource types the EFS controls inspect. All names in this file carry an efs prefix: other
// capabilities add files to this package in parallel.
const (
	typeEFSFileSystem  = "aws:efs/fileSystem:FileSystem"
	typeEFSPolicy      = "aws:efs/fileSystemPolicy:FileSystemPolicy"
	typeEFSMountTarget = "aws:efs/mountTarget:MountTarget"
	typeEFSBackup      = "aws:efs/backupPolicy:BackupPolicy"
)

// efsNFSPort is the NFS port of mount targets (filesystem.NFSPort; controls import no component).
const efsNFSPort = 2049

// efsControls are the controls of EFS file systems (components/filesystem).
var efsControls = []*Control{
	{
		ID: "EFS-001", Title: "Every EFS file system is encrypted with a customer-managed KMS key",
		Section: section4, Requirement: reqKMS, Severity: High,
		Types: []string{typeEFSFileSystem}, Resource: checkEFSEncrypted,
	},
	{
		ID: "EFS-002", Title: "Every EFS file system has a policy that denies access without TLS and allows no one unconditionally",
		Section: section4, Supports: []string{reqKMS, reqTLS}, Severity: High, Graph: checkEFSPolicies,
	},
	{
		ID: "EFS-003", Title: "EFS mount targets are in private subnets and admit NFS from security groups only",
		Section: section4, Supports: []string{reqKMS}, Severity: High, Graph: checkEFSMountTargets,
	},
	{
		ID: "EFS-004", Title: "Every EFS file system has automatic backups enabled",
		Section: section4, Supports: []string{reqKMS}, Severity: Medium, Graph: checkEFSBackups,
	},
	{
		ID: "EFS-005", Title: "EFS is mounted only through access points: the file system denies other mounts, every mount grant names one access point, and the CSI driver has one",
		Section: section4, Severity: High, Graph: checkEFSAccessPointMounts,
	},
}

// efsKeyAccessPointArn is the condition key of a mount through an access point.
const efsKeyAccessPointArn = "elasticfilesystem:AccessPointArn"

// checkEFSAccessPointMounts: an access point fixes the POSIX user and the directory of every
// request, so a mount through one cannot reach the rest of the file system or act as root.
func checkEFSAccessPointMounts(t Target) (int, []Finding) {
	policies := efsByFileSystem(t, typeEFSPolicy)
	var fs []Finding
	systems := t.Graph.OfType(typeEFSFileSystem)
	for _, sys := range systems {
		denied := false
		for _, p := range policies[sys.URN] {
			if t.deferrable(p, "policy") {
				denied = true // a preview: the policy names the file system's ARN, known at apply
				continue
			}
			text, _ := p.String("policy")
			doc, err := iampolicy.Parse(text)
			if err != nil {
				continue
			}
			for _, s := range doc.Denies("elasticfilesystem:ClientMount") {
				if s.Principal.IsWildcard() && slices.Equal(s.ConditionValues("Null", efsKeyAccessPointArn), []string{"true"}) {
					denied = true
				}
			}
		}
		if !denied {
			fs = append(fs, Finding{URN: sys.URN, Violation: Violation{Path: "fileSystemPolicy", Value: "no deny",
				Message: "deny every mount that does not come through an access point (Null elasticfilesystem:AccessPointArn)"}})
		}
	}
	granted := map[*graph.Resource]bool{} // role → has a mount grant
	for _, p := range t.Graph.OfType(typeRolePolicy) {
		role, known := t.refOne(p, "role", byRoleName, typeRole)
		if t.deferrable(p, "policy") {
			// a preview: the grant names the access point's ARN, known at apply
			granted[role] = granted[role] || known
			continue
		}
		text, _ := p.String("policy")
		doc, err := iampolicy.Parse(text)
		if err != nil {
			continue
		}
		for i, s := range doc.Allows("elasticfilesystem:ClientMount") {
			if len(s.ConditionValues("StringEquals", efsKeyAccessPointArn)) != 1 {
				fs = append(fs, Finding{URN: p.URN, Violation: Violation{Path: fmt.Sprintf("policy.Statement[%d].Condition", i), Value: fmt.Sprint(s.Conditions),
					Message: "a mount grant names exactly one access point (StringEquals elasticfilesystem:AccessPointArn)"}})
				continue
			}
			if known {
				granted[role] = true
			}
		}
	}
	for _, a := range t.Graph.OfType(typeAddon) {
		if name, _ := a.String("addonName"); name != eksspec.AddonEFSCSI || len(systems) == 0 {
			continue
		}
		role, ok := t.refOne(a, "serviceAccountRoleArn", byArn, typeRole)
		if !ok || !granted[role] {
			fs = append(fs, Finding{URN: a.URN, Violation: Violation{Path: "serviceAccountRoleArn", Value: describe(a.Inputs, "serviceAccountRoleArn"),
				Message: "the EFS CSI driver's role has no mount grant: pods could not mount the file system"}})
		}
	}
	return len(systems), fs
}

// checkEFSEncrypted: encrypted is true and kmsKeyId names a customer key. A kmsKeyId unknown until
// apply (the key is created in the same update) is accepted: it is an output of a key resource.
func checkEFSEncrypted(_ string, props property.Map) []Violation {
	var vs []Violation
	if v, err := graph.Lookup(props, "encrypted", ""); err != nil || !v.IsBool() || !v.AsBool() {
		vs = append(vs, Violation{Path: "encrypted", Value: describe(props, "encrypted"), Message: "EFS file systems must be encrypted at rest (encrypted: true)"})
	}
	k, err := graph.Lookup(props, "kmsKeyId", "")
	switch {
	case err == nil && k.IsComputed():
	case err != nil || !k.IsString() || k.AsString() == "":
		vs = append(vs, Violation{Path: "kmsKeyId", Value: describe(props, "kmsKeyId"),
			Message: "encrypt with the customer data key: without kmsKeyId EFS uses the AWS-managed key aws/elasticfilesystem"})
	case strings.HasPrefix(k.AsString(), "alias/aws/") || strings.Contains(k.AsString(), ":alias/aws/"):
		vs = append(vs, Violation{Path: "kmsKeyId", Value: describe(props, "kmsKeyId"),
			Message: "alias/aws/… is an AWS-managed key; encrypt with the customer data key"})
	}
	return vs
}

// efsByFileSystem groups the resources of a type by the URN of the file system their fileSystemId
// input names.
func efsByFileSystem(t Target, typ string) map[string][]*graph.Resource {
	return t.byRef(typ, "fileSystemId", byID, typeEFSFileSystem)
}

func checkEFSPolicies(t Target) (int, []Finding) {
	policies := efsByFileSystem(t, typeEFSPolicy)
	var fs []Finding
	systems := t.Graph.OfType(typeEFSFileSystem)
	for _, sys := range systems {
		ps := policies[sys.URN]
		if len(ps) == 0 {
			fs = append(fs, Finding{URN: sys.URN, Violation: Violation{Path: "fileSystemPolicy", Value: "none",
				Message: "a file system needs a policy denying every principal access without TLS (aws:SecureTransport false)"}})
			continue
		}
		arn := ""
		if v, ok := sys.Outputs.GetOk("arn"); ok && v.IsString() {
			arn = v.AsString()
		}
		for _, p := range ps {
			fs = append(fs, efsPolicyFindings(p, arn)...)
		}
	}
	return len(systems), fs
}

// efsPolicyFindings checks one file system policy; fsArn, if known, must be covered by the TLS deny.
func efsPolicyFindings(p *graph.Resource, fsArn string) []Finding {
	at := func(path, value, msg string) Finding {
		return Finding{URN: p.URN, Violation: Violation{Path: path, Value: value, Message: msg}}
	}
	text, ok := str(p.Inputs, "policy")
	if !ok {
		return []Finding{at("policy", describe(p.Inputs, "policy"), "the policy document must be known at plan time to be checked")}
	}
	doc, err := iampolicy.Parse(text)
	if err != nil {
		return []Finding{at("policy", "unparseable", err.Error())}
	}
	var fs []Finding
	tlsOnly := false
	for i, s := range doc.Statements {
		if efsIsTLSDeny(s) && (fsArn == "" || s.CoversResource(fsArn)) {
			tlsOnly = true
		}
		if s.IsUnconditionedWildcardPrincipal() {
			fs = append(fs, at(fmt.Sprintf("policy.Statement[%d]", i), fmt.Sprintf("%q", s.Sid), "a statement allows any principal without conditions"))
		}
	}
	if !tlsOnly {
		fs = append(fs, at("policy", "no TLS deny",
			"the policy must deny every principal (*) elasticfilesystem:ClientMount on this file system when aws:SecureTransport is false, with no other condition"))
	}
	return fs
}

// efsIsTLSDeny: Deny, principal *, covers ClientMount, and the only condition is aws:SecureTransport false.
func efsIsTLSDeny(s iampolicy.Statement) bool {
	if s.Effect != iampolicy.Deny || !s.Principal.IsWildcard() || !s.CoversAction("elasticfilesystem:ClientMount") {
		return false
	}
	keys := 0
	for _, byKey := range s.Conditions {
		keys += len(byKey)
	}
	return keys == 1 && slices.Equal(s.ConditionValues("Bool", "aws:SecureTransport"), []string{"false"})
}

func checkEFSMountTargets(t Target) (int, []Finding) {
	all := subnets(t.Graph)
	byURN := map[string]subnetInfo{}
	for _, s := range all {
		byURN[s.res.URN] = s
	}
	checkedGroup := map[string]bool{}
	var fs []Finding
	mts := t.Graph.OfType(typeEFSMountTarget)
	for _, mt := range mts {
		at := func(path, value, msg string) Finding {
			return Finding{URN: mt.URN, Violation: Violation{Path: path, Value: value, Message: msg}}
		}
		var s subnetInfo
		known := false
		if sub, ok := t.refOne(mt, "subnetId", byID, typeSubnet); ok {
			s, known = byURN[sub.URN]
		}
		switch {
		case len(all) == 0:
			fs = append(fs, at("subnetId", describe(mt.Inputs, "subnetId"), "the stack has no subnets: the mount target cannot be shown to be in a private subnet"))
		case !known:
			fs = append(fs, at("subnetId", describe(mt.Inputs, "subnetId"), "not a subnet of this stack: the mount target cannot be shown to be in a private subnet"))
		case s.tier != "private":
			tier := s.tier
			if tier == "" {
				tier = "untagged"
			}
			fs = append(fs, at("subnetId", describe(mt.Inputs, "subnetId"),
				fmt.Sprintf("mount targets belong in private subnets (tagged %s); this subnet is %s", tagPrivateRole, tier)))
		}
		if mt.Len("securityGroups") == 0 {
			fs = append(fs, at("securityGroups", describe(mt.Inputs, "securityGroups"),
				"a mount target without security groups gets the VPC's default group; attach a group admitting NFS from the clients' group"))
		}
		for i := range mt.Len("securityGroups") {
			path := fmt.Sprintf("securityGroups[%d]", i)
			sg, ok := t.refOne(mt, path, byID, typeSG)
			if !ok {
				fs = append(fs, at(path, describe(mt.Inputs, path), "not a security group of this stack: its rules cannot be checked"))
				continue
			}
			if !checkedGroup[sg.URN] {
				checkedGroup[sg.URN] = true
				fs = append(fs, efsGroupFindings(t, sg)...)
			}
		}
	}
	return len(mts), fs
}

// efsGroupFindings checks every ingress rule of a mount target's security group, inline or
// standalone: NFS only from security groups, and nothing from the whole internet.
func efsGroupFindings(t Target, sg *graph.Resource) []Finding {
	var fs []Finding
	check := func(r *graph.Resource, prefix string, rule property.Map) {
		for _, key := range []string{"cidrBlocks", "ipv6CidrBlocks", "cidrIpv4", "cidrIpv6", "prefixListIds", "prefixListId"} {
			v, err := graph.Lookup(rule, key, "")
			if err != nil || v.IsNull() || (v.IsArray() && v.AsArray().Len() == 0) || (v.IsString() && v.AsString() == "") {
				continue
			}
			switch {
			case efsCoversNFS(rule):
				fs = append(fs, Finding{URN: r.URN, Violation: Violation{Path: prefix + key, Value: graph.Describe(v),
					Message: fmt.Sprintf("a mount target's security group must admit NFS (%d) from security groups only, never from address ranges", efsNFSPort)}})
			case len(worldOpen(v)) > 0:
				fs = append(fs, Finding{URN: r.URN, Violation: Violation{Path: prefix + key, Value: graph.Describe(v),
					Message: "a mount target's security group must not admit the whole internet"}})
			}
		}
	}
	if v, err := sg.Get("ingress"); err == nil && v.IsArray() {
		for i, rule := range v.AsArray().All {
			if rule.IsMap() {
				check(sg, fmt.Sprintf("ingress[%d].", i), rule.AsMap())
			}
		}
	}
	for _, typ := range []string{typeSGRule, typeIngressRule} {
		for _, r := range t.Graph.OfType(typ) {
			if group, ok := t.refOne(r, "securityGroupId", byID, typeSG); !ok || group != sg {
				continue
			}
			if kind, _ := r.String("type"); typ == typeSGRule && kind != "ingress" {
				continue
			}
			check(r, "", r.Inputs)
		}
	}
	return fs
}

// efsCoversNFS reports whether an ingress rule (any of the three shapes) admits TCP 2049.
func efsCoversNFS(rule property.Map) bool {
	proto, ok := str(rule, "protocol")
	if !ok {
		proto, _ = str(rule, "ipProtocol")
	}
	switch strings.ToLower(proto) {
	case "-1", "all":
		return true
	case "tcp", "6":
	default:
		return false
	}
	port := func(key string) (float64, bool) {
		v, err := graph.Lookup(rule, key, "")
		if err != nil || !v.IsNumber() {
			return 0, false
		}
		return v.AsNumber(), true
	}
	from, okFrom := port("fromPort")
	to, okTo := port("toPort")
	return !okFrom || !okTo || (from <= efsNFSPort && efsNFSPort <= to)
}

func checkEFSBackups(t Target) (int, []Finding) {
	backups := efsByFileSystem(t, typeEFSBackup)
	var fs []Finding
	systems := t.Graph.OfType(typeEFSFileSystem)
	for _, sys := range systems {
		bs := backups[sys.URN]
		if len(bs) == 0 {
			fs = append(fs, Finding{URN: sys.URN, Violation: Violation{Path: "backupPolicy", Value: "none",
				Message: "automatic backups must be on: add an aws.efs.BackupPolicy with status ENABLED"}})
		}
		for _, b := range bs {
			if status, _ := b.String("backupPolicy.status"); status != "ENABLED" {
				fs = append(fs, Finding{URN: b.URN, Violation: Violation{Path: "backupPolicy.status", Value: describe(b.Inputs, "backupPolicy.status"),
					Message: "automatic backups must be ENABLED"}})
			}
		}
	}
	return len(systems), fs
}
