package tests

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/securestack/platform/infra"
	"github.com/securestack/platform/proof/controls"
	"github.com/securestack/platform/proof/engine/graph"
	"github.com/securestack/platform/proof/engine/planner"
	"github.com/securestack/platform/proof/engine/recorder"
)

// notApplicable pins, per stack, the controls that find nothing to check: any other control
// must examine at least one resource, so a control cannot pass vacuously unnoticed.
var notApplicable = map[string][]string{
	// NET-005, DDB-003, the STATE controls and EDGE-007 hold in prod only.
	"dev":     {"NET-005", "DDB-003", "STATE-001", "STATE-002", "EDGE-007", "FALCO-001"},
	"staging": {"NET-005", "DDB-003", "STATE-001", "STATE-002", "EDGE-007", "FALCO-001"},
	"prod":    nil,
}

func TestEveryControlPassesOnEveryStack(t *testing.T) {
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			p, err := planner.Make(planner.Options{Stack: stack})
			if err != nil {
				t.Fatal(err)
			}
			var na []string
			for _, r := range p.Results {
				switch r.Status {
				case controls.Fail:
					t.Errorf("%s fails on %s: %v", r.Control.ID, stack, r.Findings)
				case controls.NotApplicable:
					na = append(na, r.Control.ID)
				case controls.Waived:
					t.Errorf("%s is waived on %s; committed stacks waive nothing", r.Control.ID, stack)
				}
			}
			if len(na)+len(notApplicable[stack]) > 0 && !slices.Equal(na, notApplicable[stack]) {
				t.Errorf("not applicable on %s: got %v, want %v", stack, na, notApplicable[stack])
			}
		})
	}
}

// TestExactResourceCountsPerStack pins what each stack asks AWS for, type by type.
func TestExactResourceCountsPerStack(t *testing.T) {
	common := map[string]int{
		"pulumi:pulumi:Stack": 1, "pulumi:providers:aws": 1,
		"platform:encryption:Keyring": 1, "aws:kms/key:Key": 3, "aws:kms/alias:Alias": 3,
		"platform:network:Vpc": 1, "aws:ec2/vpc:Vpc": 1, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": 1,
		"aws:ec2/internetGateway:InternetGateway": 1,
		"aws:ec2/flowLog:FlowLog":                 1,
		// flow-log role, node role, vpc-cni, ebs-csi and efs-csi IRSA roles, the two service roles
		// (uploader, processor: the frontend has no AWS intent), the load balancer controller's,
		// three runner project roles (deploy, preview, GitHub Actions), three push roles; flow-log,
		// EBS CSI key, two service, the controller's, three runner, the EFS mount-grant and three
		// push policies
		"aws:iam/role:Role": 14, "aws:iam/rolePolicy:RolePolicy": 12, "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 4,
		// the registry: a repository per service with its lifecycle and repository policies, and a
		// push role per service (every committed service names its push source)
		"platform:registry:Repository": 3, "aws:ecr/repository:Repository": 3, "aws:ecr/lifecyclePolicy:LifecyclePolicy": 3,
		"aws:ecr/repositoryPolicy:RepositoryPolicy": 3, "platform:registry:PushRole": 3,
		// flow logs, control plane, runner builds
		"aws:cloudwatch/logGroup:LogGroup": 3,
		"platform:cluster:Cluster":         1, "eks:index:Cluster": 1,
		// vpc-cni, kube-proxy, CoreDNS, EBS CSI, EFS CSI
		"aws:eks/addon:Addon":                   5,
		"aws:ec2/launchTemplate:LaunchTemplate": 1, "aws:eks/nodeGroup:NodeGroup": 1,
		// the runner's preview role, as a read-only previewer
		"aws:eks/accessEntry:AccessEntry": 1, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": 1,
		// the runner admitted to the API endpoint; the nodes' group admitting the ALB on the
		// frontend's port
		"aws:ec2/securityGroupRule:SecurityGroupRule": 2,
		"pulumi:providers:kubernetes":                 1, "kubernetes:storage.k8s.io/v1:StorageClass": 1,
		// the processor's scratch volume and its claim
		"kubernetes:core/v1:PersistentVolume": 1, "kubernetes:core/v1:PersistentVolumeClaim": 1,
		// one application namespace: Pod Security labels, default deny, the gitops and developer
		// Roles and their bindings
		"platform:clustersecurity:Namespace": 1, "kubernetes:core/v1:Namespace": 1,
		"kubernetes:rbac.authorization.k8s.io/v1:Role": 2, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding": 2,
		// three services, each with a ServiceAccount, Deployment, Service and disruption budget;
		// NetworkPolicies: the default deny, ingress of the frontend (load balancer) and the
		// uploader (frontend), egress of all three
		"platform:workload:Service": 3, "kubernetes:core/v1:ServiceAccount": 3, "kubernetes:apps/v1:Deployment": 3,
		"kubernetes:core/v1:Service": 3, "kubernetes:policy/v1:PodDisruptionBudget": 3,
		"kubernetes:networking.k8s.io/v1:NetworkPolicy": 6,
		// the edge: a DNS-validated certificate, the load balancer controller's Helm release, the
		// frontend's ALB as an Ingress with its own security group
		"platform:edge:Certificate": 1, "aws:acm/certificate:Certificate": 1, "aws:acm/certificateValidation:CertificateValidation": 1,
		"aws:route53/record:Record": 1, "platform:edge:LoadBalancerController": 1, "kubernetes:helm.sh/v3:Release": 1,
		"platform:edge:LoadBalancer": 1, "kubernetes:networking.k8s.io/v1:Ingress": 1,
		// the in-VPC runner: three CodeBuild projects (deploy, preview, and the GitHub Actions
		// runner the committed stacks enable) and the latter's webhook
		"platform:runner:Runner": 1, "aws:codebuild/project:Project": 3, "aws:codebuild/webhook:Webhook": 1,
		// data protection: account guardrails, three IRSA roles (two services, the controller), five
		// buckets (access logs, uploads, processed, runner sources, ALB logs) with their settings, the table, the file
		// system, three secrets (application credentials, the runner's deploy and preview tokens)
		"platform:account:Guardrails":   1,
		"platform:identity:ServiceRole": 3,
		"platform:storage:Bucket":       5, "aws:s3/bucketV2:BucketV2": 5, "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2": 5,
		"aws:s3/bucketLoggingV2:BucketLoggingV2": 4, "aws:s3/bucketOwnershipControls:BucketOwnershipControls": 5,
		"aws:s3/bucketPolicy:BucketPolicy": 5, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": 5,
		"aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2": 5,
		"aws:s3/bucketVersioningV2:BucketVersioningV2":                                               5,
		"platform:database:Table": 1, "aws:dynamodb/table:Table": 1,
		"platform:filesystem:FileSystem": 1, "aws:efs/fileSystem:FileSystem": 1, "aws:efs/accessPoint:AccessPoint": 1,
		"aws:efs/backupPolicy:BackupPolicy": 1, "aws:efs/fileSystemPolicy:FileSystemPolicy": 1,
		"platform:secrets:Secret": 3, "aws:secretsmanager/secret:Secret": 3, "aws:secretsmanager/secretPolicy:SecretPolicy": 3,
	}
	// The owner of an account's baseline manages its singletons; dev, in staging's account, only
	// references staging.
	// That includes GuardDuty (a detector with four features) and the route of its findings (a
	// rule, its target, a topic with its policy, under the alerts key); the committed owners adopt
	// the GitHub OIDC provider, so none creates one.
	owner := map[string]int{"aws:ebs/encryptionByDefault:EncryptionByDefault": 1,
		"aws:ebs/defaultKmsKey:DefaultKmsKey": 1, "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock": 1,
		"platform:detection:ThreatDetection": 1, "aws:guardduty/detector:Detector": 1, "aws:guardduty/detectorFeature:DetectorFeature": 4,
		"aws:cloudwatch/eventRule:EventRule": 1, "aws:cloudwatch/eventTarget:EventTarget": 1, "aws:sns/topic:Topic": 1,
		"aws:sns/topicPolicy:TopicPolicy": 1, "aws:kms/key:Key": 4, "aws:kms/alias:Alias": 4}
	with := func(extras ...map[string]int) map[string]int {
		m := maps.Clone(common)
		for _, extra := range extras {
			maps.Copy(m, extra)
		}
		return m
	}
	want := map[string]map[string]int{
		// 2 zones, one NAT gateway, gateway endpoints for S3 and DynamoDB.
		"dev": with(map[string]int{"aws:ec2/subnet:Subnet": 4, "aws:ec2/eip:Eip": 1, "aws:ec2/natGateway:NatGateway": 1,
			"aws:efs/mountTarget:MountTarget": 2, "aws:ec2/securityGroup:SecurityGroup": 3, "pulumi:pulumi:StackReference": 1,
			"aws:ec2/routeTable:RouteTable": 3, "aws:ec2/routeTableAssociation:RouteTableAssociation": 4, "aws:ec2/vpcEndpoint:VpcEndpoint": 2}),
		"staging": with(owner, map[string]int{"aws:ec2/subnet:Subnet": 6, "aws:ec2/eip:Eip": 1, "aws:ec2/natGateway:NatGateway": 1,
			"aws:efs/mountTarget:MountTarget": 3, "aws:ec2/securityGroup:SecurityGroup": 3,
			"aws:ec2/routeTable:RouteTable": 4, "aws:ec2/routeTableAssociation:RouteTableAssociation": 6, "aws:ec2/vpcEndpoint:VpcEndpoint": 2}),
		// 3 zones: exactly 3 NAT gateways, 3 EIPs, 6 subnets; 2 gateway + 4 interface endpoints; the
		// ALB's web ACL; the registry's enhanced scanning; Falco: its privileged namespace (with
		// the default deny and the egress its artifact download needs) and its Helm release.
		"prod": with(owner, map[string]int{"aws:ec2/subnet:Subnet": 6, "aws:ec2/eip:Eip": 3, "aws:ec2/natGateway:NatGateway": 3,
			"aws:ec2/routeTable:RouteTable": 4, "aws:ec2/routeTableAssociation:RouteTableAssociation": 6, "aws:ec2/vpcEndpoint:VpcEndpoint": 6,
			"aws:ec2/securityGroup:SecurityGroup": 4, "aws:efs/mountTarget:MountTarget": 3, "aws:wafv2/webAcl:WebAcl": 1,
			"aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration": 1,
			"platform:detection:Falco": 1, "platform:clustersecurity:Namespace": 2, "kubernetes:core/v1:Namespace": 2,
			"kubernetes:networking.k8s.io/v1:NetworkPolicy": 8, "kubernetes:helm.sh/v3:Release": 2}),
	}
	for _, stack := range Stacks {
		got := record(t, stack).CountByType()
		if !maps.Equal(got, want[stack]) {
			t.Errorf("%s counts:\n got  %v\n want %v", stack, got, want[stack])
		}
	}
}

// TestAddingAZOnlyAddsResources: growing from 2 to 3 zones must not rename or change anything
// that exists, so `pulumi up` only creates.
func TestAddingAZOnlyAddsResources(t *testing.T) {
	two := recordWith(t, "dev", func(c map[string]string) {
		c["platform:network"] = `{"cidr":"10.10.0.0/16","azCount":2,"natGateways":"perAz"}`
	})
	three := recordWith(t, "dev", func(c map[string]string) {
		c["platform:network"] = `{"cidr":"10.10.0.0/16","azCount":3,"natGateways":"perAz"}`
	})
	for _, r := range two.Resources() {
		r3, ok := three.Lookup(r.URN)
		if !ok {
			t.Errorf("%s disappears when a zone is added", r.URN)
			continue
		}
		if r.Type == "aws:ec2/subnet:Subnet" || r.Type == "aws:ec2/natGateway:NatGateway" {
			if a, b := graph.Describe(propertyOf(r)), graph.Describe(propertyOf(r3)); a != b {
				t.Errorf("%s inputs change when a zone is added:\n before %s\n after  %s", r.URN, a, b)
			}
		}
	}
	// EKS refuses control-plane subnets outside the zones a cluster was created with: the
	// cluster's subnets stay those of the first two zones, while the node groups take the new one.
	for _, check := range []struct {
		typ, name, path string
		changes         bool
	}{
		{"eks:index:Cluster", "platform-dev", "subnetIds", false},
		{"aws:eks/nodeGroup:NodeGroup", "platform-dev-system", "subnetIds", true},
	} {
		before, _ := named(t, two, check.typ, check.name).Strings(check.path)
		after, _ := named(t, three, check.typ, check.name).Strings(check.path)
		if slices.Equal(before, after) == check.changes {
			t.Errorf("%s %s: %v → %v; want changed=%v", check.name, check.path, before, after, check.changes)
		}
	}
	if ids, _ := named(t, three, "eks:index:Cluster", "platform-dev").Strings("subnetIds"); len(ids) != 2 {
		t.Errorf("control-plane subnets %v, want the 2 of the creation zones", ids)
	}
	// A zone adds 2 subnets, 1 private route table, 2 associations, 1 EIP, 1 NAT gateway and an
	// EFS mount target.
	if added := three.Len() - two.Len(); added != 8 {
		t.Errorf("adding a zone added %d resources, want 8", added)
	}
}

func TestPlanIsDeterministic(t *testing.T) {
	for _, stack := range Stacks {
		var outs [][]byte
		for range 2 {
			p, err := planner.Make(planner.Options{Stack: stack})
			if err != nil {
				t.Fatal(err)
			}
			b, err := p.JSON()
			if err != nil {
				t.Fatal(err)
			}
			outs = append(outs, b)
		}
		if !bytes.Equal(outs[0], outs[1]) {
			t.Errorf("%s: two runs give different plan.json", stack)
		}
	}
}

// TestPreviewModeRecordsTheSameResources runs every stack as `pulumi preview` would: outputs
// computed by providers are unknown. Nothing may hang or crash, and the same resources register.
func TestPreviewModeRecordsTheSameResources(t *testing.T) {
	for _, stack := range Stacks {
		g, err := recorder.Record(recorder.Options{Stack: stack, DryRun: true})
		if err != nil {
			t.Fatalf("%s preview: %v", stack, err)
		}
		full := record(t, stack)
		var a, b []string
		for _, r := range g.Resources() {
			a = append(a, r.URN)
		}
		for _, r := range full.Resources() {
			b = append(b, r.URN)
		}
		if !slices.Equal(a, b) {
			t.Errorf("%s: preview registers %d resources, update %d", stack, len(a), len(b))
		}
	}
}

// TestEveryResourceBelongsToAComponent: only the provider hangs off the stack; all else is a
// component or a child of one (children are parented).
func TestEveryResourceBelongsToAComponent(t *testing.T) {
	for _, stack := range Stacks {
		g := record(t, stack)
		for _, r := range g.Resources() {
			if r.Type == graph.StackType || strings.HasPrefix(r.Type, "pulumi:providers:") {
				continue
			}
			if !r.Custom {
				continue
			}
			if _, ok := g.Component(r); !ok {
				t.Errorf("%s: %s is not inside a component", stack, r.URN)
			}
		}
	}
}

// TestProdProtectsStatefulResourcesAndDevCanTearDown: in prod every stateful resource is
// protected and retained; in dev none is, so `pulumi destroy` works.
func TestProdProtectsStatefulResourcesAndDevCanTearDown(t *testing.T) {
	for _, stack := range Stacks {
		g := record(t, stack)
		n := 0
		for _, r := range g.Resources() {
			if !slices.Contains(controls.StatefulTypes, r.Type) {
				continue
			}
			n++
			wantKept := stack == "prod"
			if r.Protect != wantKept || r.RetainOnDelete != wantKept {
				t.Errorf("%s: %s protect=%v retainOnDelete=%v, want %v", stack, r.URN, r.Protect, r.RetainOnDelete, wantKept)
			}
		}
		// 3 keys (4 in the baseline owners, staging and prod: the alerts key), the flow-log,
		// control-plane and runner log groups, the cluster, 5 buckets (with the ALB's access
		// logs), the table, the file system, 3 secrets and 3 image repositories
		want := map[string]int{"dev": 20, "staging": 21, "prod": 21}[stack]
		if n != want {
			t.Errorf("%s: %d stateful resources, want %d", stack, n, want)
		}
		for _, b := range g.OfType("aws:s3/bucketV2:BucketV2") {
			if force, _ := b.Bool("forceDestroy"); force != (stack == "dev") {
				t.Errorf("%s: %s forceDestroy=%v; only dev may empty buckets on destroy", stack, b.Name, force)
			}
		}
		for _, r := range g.OfType("aws:ecr/repository:Repository") {
			if force, _ := r.Bool("forceDelete"); force != (stack == "dev") {
				t.Errorf("%s: %s forceDelete=%v; only dev may delete repositories with their images", stack, r.Name, force)
			}
		}
	}
}

// TestBadConfigRegistersNothing: validation runs before any resource is registered.
func TestBadConfigRegistersNothing(t *testing.T) {
	g, err := recorder.Record(recorder.Options{Stack: "prod", Edit: func(c map[string]string) {
		c["platform:network"] = `{"azCount":1,"natGateways":"single"}`
		c["platform:bogus"] = "1"
	}})
	var ce *infra.ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("want a *infra.ConfigError, got %v", err)
	}
	want := []string{
		`platform:bogus: unknown key (allowed: access, account, bootstrap, cluster, detection, edge, environment, images, keys, network, registry, runner, services, stateful, storage, tags, waivers)`,
		`platform:network.azCount: 1 is below the minimum of 2 (multi-AZ is required)`,
		`platform:network.natGateways: "single" is not allowed in prod: one NAT gateway makes every zone depend on one (allowed in prod: perAz)`,
	}
	if !slices.Equal(ce.Problems, want) {
		t.Errorf("problems:\n got  %q\n want %q", ce.Problems, want)
	}
	if g.Len() != 1 {
		t.Errorf("%d resources registered before validation failed, want only the stack: %v", g.Len(), g.CountByType())
	}
}

func TestStackOutputsNameTheNetworkAndKeys(t *testing.T) {
	g := record(t, "dev")
	vpc := named(t, g, "aws:ec2/vpc:Vpc", "platform-dev")
	if cidr, err := vpc.String("cidrBlock"); err != nil || cidr != "10.10.0.0/16" {
		t.Errorf("dev VPC cidr = %q, %v; want 10.10.0.0/16", cidr, err)
	}
	for _, az := range []string{"eu-west-1a", "eu-west-1b"} {
		for _, tier := range []string{"public", "private"} {
			named(t, g, "aws:ec2/subnet:Subnet", fmt.Sprintf("platform-dev-%s-%s", tier, az))
		}
	}
}
