package tests

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/securestack/platform/components/account"
	"github.com/securestack/platform/components/cluster"
	"github.com/securestack/platform/components/clustersecurity"
	"github.com/securestack/platform/components/database"
	"github.com/securestack/platform/components/detection"
	"github.com/securestack/platform/components/edge"
	"github.com/securestack/platform/components/encryption"
	"github.com/securestack/platform/components/filesystem"
	"github.com/securestack/platform/components/identity"
	"github.com/securestack/platform/components/lib/eksspec"
	"github.com/securestack/platform/components/network"
	"github.com/securestack/platform/components/registry"
	"github.com/securestack/platform/components/runner"
	"github.com/securestack/platform/components/secrets"
	"github.com/securestack/platform/components/storage"
	"github.com/securestack/platform/components/workload"
	"github.com/securestack/platform/proof/engine/graph"
	"github.com/securestack/platform/proof/engine/recorder"
)

// surfacePath is the golden public surface of the component package.
var surfacePath = filepath.Join("testdata", "surface.txt")

// surfaceEntry is one public constructor of the component package, recorded with fixed,
// realistic args in the dev stack's account (111111111111, eu-west-1).
type surfaceEntry struct {
	// label keys the entry's lines: the type token it registers, and a variant in brackets when
	// the same constructor registers other children in another mode.
	label string
	// constructor, args and result are the function and zero values of its Args and result types,
	// read by reflection (nil for a variant: its first entry lists them).
	constructor, args, result any
	// name is the logical name the component is registered with.
	name string
	// build registers the component under name.
	build func(ctx *pulumi.Context, name string) error
	// stackOutputs are what the entry's StackReferences read.
	stackOutputs map[string]map[string]any
}

// The dev account's identifiers the entries use.
const (
	sAccount  = "111111111111"
	sRegion   = "eu-west-1"
	sDataKey  = "arn:aws:kms:eu-west-1:111111111111:key/data"
	sLogsKey  = "arn:aws:kms:eu-west-1:111111111111:key/logs"
	sOIDCArn  = "arn:aws:iam::111111111111:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE"
	sOIDC     = "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE"
	sNodeRole = "arn:aws:iam::111111111111:role/platform-dev-nodes"
)

func strs(ss ...string) []pulumi.StringInput {
	out := make([]pulumi.StringInput, len(ss))
	for i, s := range ss {
		out[i] = pulumi.String(s)
	}
	return out
}

// surfaceEntries are every public constructor of components/ that registers resources. kube.Register
// is left out: it registers whatever object it is given, under the name it is given.
func surfaceEntries() []surfaceEntry {
	return []surfaceEntry{
		{label: "platform:account:Guardrails", constructor: account.NewGuardrails, args: account.GuardrailsArgs{}, result: account.Guardrails{},
			name: "platform-staging-baseline", build: func(ctx *pulumi.Context, name string) error {
				_, err := account.NewGuardrails(ctx, name, &account.GuardrailsArgs{
					EBSDefaultKeyArn: pulumi.String(sDataKey), GitHubOIDCProvider: true, EnhancedScanning: true,
				})
				return err
			}},
		{label: "platform:account:Guardrails[ownerStack]", name: "platform-dev-baseline",
			stackOutputs: map[string]map[string]any{"staging": {account.BaselineOutput: map[string]any{"accountId": sAccount, "region": sRegion}}},
			build: func(ctx *pulumi.Context, name string) error {
				_, err := account.NewGuardrails(ctx, name, &account.GuardrailsArgs{
					OwnerStack: "organization/platform/staging", Account: account.Baseline{AccountID: sAccount, Region: sRegion},
				})
				return err
			}},
		{label: "platform:cluster:Cluster", constructor: cluster.NewCluster, args: cluster.ClusterArgs{}, result: cluster.Cluster{},
			name: "platform-dev", build: func(ctx *pulumi.Context, name string) error {
				_, err := cluster.NewCluster(ctx, name, &cluster.ClusterArgs{
					Account:     cluster.Account{ID: sAccount, Region: sRegion, Partition: "aws"},
					ClusterName: "platform-dev", Version: "1.34", VpcID: pulumi.String("vpc-0dev"),
					ControlPlaneSubnetIDs: pulumi.ToStringArray([]string{"subnet-0a", "subnet-0b"}),
					NodeSubnetIDs:         pulumi.ToStringArray([]string{"subnet-0a", "subnet-0b"}),
					APIAccess:             []cluster.APIAccessSource{{Key: "runner", Description: "the in-VPC runner", Cidr: "10.10.0.0/19"}},
					EFSCSIDriver:          true,
					SecretsKeyArn:         pulumi.String("arn:aws:kms:eu-west-1:111111111111:key/cluster"),
					LogsKeyArn:            pulumi.String(sLogsKey), DataKeyArn: pulumi.String(sDataKey),
					NodeGroups: []cluster.NodeGroup{{Name: "system", InstanceTypes: []string{"m7i.large"}, MinSize: 2, MaxSize: 4, DesiredSize: 2}},
					Access: []cluster.AccessPrincipal{
						{Persona: eksspec.Admin, PrincipalArn: "arn:aws:iam::111111111111:role/platform-admins"},
						{Persona: eksspec.Developer, PrincipalArn: "arn:aws:iam::111111111111:role/developers"},
					},
				})
				return err
			}},
		{label: "platform:clustersecurity:Namespace", constructor: clustersecurity.NewNamespace, args: clustersecurity.NamespaceArgs{},
			result: clustersecurity.Namespace{}, name: "platform-dev-apps", build: func(ctx *pulumi.Context, name string) error {
				_, err := clustersecurity.NewNamespace(ctx, name, &clustersecurity.NamespaceArgs{
					Name: "apps", PodSecurityVersion: "v1.34", Roles: []clustersecurity.Role{
						{Name: "gitops", Group: eksspec.Gitops.Group, Rules: clustersecurity.GitopsRules()},
						{Name: "developer", Group: eksspec.Developer.Group, Rules: clustersecurity.DeveloperRules()},
					}})
				return err
			}},
		{label: "platform:database:Table", constructor: database.NewTable, args: database.TableArgs{}, result: database.Table{},
			name: "platform-dev-metadata", build: func(ctx *pulumi.Context, name string) error {
				_, err := database.NewTable(ctx, name, &database.TableArgs{
					HashKey: database.Attribute{Name: "id", Type: "S"}, TableName: "platform-dev-metadata",
					KmsKeyArn: pulumi.String(sDataKey),
				})
				return err
			}},
		{label: "platform:detection:Falco", constructor: detection.NewFalco, args: detection.FalcoArgs{}, result: detection.Falco{},
			name: "platform-dev-falco", build: func(ctx *pulumi.Context, name string) error {
				_, err := detection.NewFalco(ctx, name, &detection.FalcoArgs{PodSecurityVersion: "v1.34"})
				return err
			}},
		{label: "platform:detection:ThreatDetection", constructor: detection.NewThreatDetection, args: detection.ThreatDetectionArgs{},
			result: detection.ThreatDetection{}, name: "platform-staging-detection", build: func(ctx *pulumi.Context, name string) error {
				_, err := detection.NewThreatDetection(ctx, name, &detection.ThreatDetectionArgs{
					Mode: detection.Create, Partition: "aws", AccountID: sAccount, TopicName: "platform-staging-security-findings",
					TopicKeyArn:   pulumi.String("arn:aws:kms:eu-west-1:111111111111:key/alerts"),
					Subscriptions: []detection.Subscription{{Protocol: "email", Endpoint: "security@example.com"}},
				})
				return err
			}},
		{label: "platform:edge:Certificate", constructor: edge.NewCertificate, args: edge.CertificateArgs{}, result: edge.Certificate{},
			name: "platform-dev-edge", build: func(ctx *pulumi.Context, name string) error {
				_, err := edge.NewCertificate(ctx, name, &edge.CertificateArgs{Domain: "app.example.com", HostedZoneID: "Z0123456789ABCDEFGHIJ"})
				return err
			}},
		{label: "platform:edge:LoadBalancer", constructor: edge.NewLoadBalancer, args: edge.LoadBalancerArgs{}, result: edge.LoadBalancer{},
			name: "platform-dev-frontend", build: func(ctx *pulumi.Context, name string) error {
				_, err := edge.NewLoadBalancer(ctx, name, &edge.LoadBalancerArgs{
					Name: "frontend", Namespace: "apps", Service: "frontend", ServicePort: 8080, BackendPort: 8080,
					Host: "app.example.com", CertificateArn: pulumi.String("arn:aws:acm:eu-west-1:111111111111:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"),
					VpcID: pulumi.String("vpc-0dev"), VpcCidr: "10.10.0.0/16", NodeSecurityGroupID: pulumi.String("sg-0nodes"),
					PublicSubnetIDs: strs("subnet-0pa", "subnet-0pb"), AllowedCidrs: []string{"0.0.0.0/0"},
					LogBucket: pulumi.String("platform-dev-alb-logs"), LogPrefix: "frontend", WAF: true,
				})
				return err
			}},
		{label: "platform:edge:LoadBalancerController", constructor: edge.NewLoadBalancerController, args: edge.LoadBalancerControllerArgs{},
			result: edge.LoadBalancerController{}, name: "platform-dev-lbc", build: func(ctx *pulumi.Context, name string) error {
				_, err := edge.NewLoadBalancerController(ctx, name, &edge.LoadBalancerControllerArgs{
					Partition: "aws", Region: sRegion, AccountID: sAccount, ClusterName: "platform-dev", VpcID: pulumi.String("vpc-0dev"),
					OIDCProviderArn: pulumi.String(sOIDCArn), OIDCIssuer: pulumi.String(sOIDC), DefaultSSLPolicy: edge.DefaultSSLPolicy,
				})
				return err
			}},
		{label: "platform:encryption:Keyring", constructor: encryption.NewKeyring, args: encryption.KeyringArgs{}, result: encryption.Keyring{},
			name: "platform-dev", build: func(ctx *pulumi.Context, name string) error {
				_, err := encryption.NewKeyring(ctx, name, &encryption.KeyringArgs{
					Account:     encryption.Account{ID: sAccount, Region: sRegion, Partition: "aws"},
					AliasPrefix: "alias/platform-dev", Purposes: encryption.AllPurposes,
				})
				return err
			}},
		{label: "platform:filesystem:FileSystem", constructor: filesystem.NewFileSystem, args: filesystem.FileSystemArgs{},
			result: filesystem.FileSystem{}, name: "platform-dev-scratch", build: func(ctx *pulumi.Context, name string) error {
				_, err := filesystem.NewFileSystem(ctx, name, &filesystem.FileSystemArgs{
					AccountID: sAccount, KmsKeyArn: pulumi.String(sDataKey), VpcID: pulumi.String("vpc-0dev"),
					ClientSecurityGroupID: pulumi.String("sg-0nodes"),
					PrivateSubnets:        map[string]pulumi.StringInput{"eu-west-1a": pulumi.String("subnet-0a"), "eu-west-1b": pulumi.String("subnet-0b")},
					AccessPoints:          []filesystem.AccessPoint{{Name: "processor", UID: 1000, GID: 1000, Path: "/processor"}},
					MountGrants:           []filesystem.MountGrant{{AccessPoint: "processor", RoleName: pulumi.String("platform-dev-efs-csi")}},
				})
				return err
			}},
		{label: "platform:identity:ServiceRole", constructor: identity.NewServiceRole, args: identity.ServiceRoleArgs{}, result: identity.ServiceRole{},
			name: "platform-dev-uploader", build: func(ctx *pulumi.Context, name string) error {
				_, err := identity.NewServiceRole(ctx, name, &identity.ServiceRoleArgs{
					OIDCProviderArn: pulumi.String(sOIDCArn), OIDCIssuer: pulumi.String(sOIDC), Namespace: "apps", ServiceAccount: "uploader",
					Policy: pulumi.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:PutObject"],"Resource":["arn:aws:s3:::platform-dev-uploads/*"]}]}`),
				})
				return err
			}},
		{label: "platform:network:Vpc", constructor: network.NewVpc, args: network.VpcArgs{}, result: network.Vpc{},
			name: "platform-dev", build: func(ctx *pulumi.Context, name string) error {
				_, err := network.NewVpc(ctx, name, &network.VpcArgs{
					Account: network.Account{ID: sAccount, Region: sRegion, Partition: "aws"}, CidrBlock: "10.10.0.0/16",
					AvailabilityZones: []string{"eu-west-1a", "eu-west-1b"}, FlowLogKmsKeyArn: pulumi.String(sLogsKey),
					InterfaceEndpoints: []string{"sts"}, ClusterName: "platform-dev",
				})
				return err
			}},
		{label: "platform:registry:PushRole", constructor: registry.NewPushRole, args: registry.PushRoleArgs{}, result: registry.PushRole{},
			name: "platform-dev-uploader-push", build: func(ctx *pulumi.Context, name string) error {
				_, err := registry.NewPushRole(ctx, name, &registry.PushRoleArgs{
					ProviderArn:   pulumi.String(registry.GitHubProviderArn("aws", sAccount)),
					Source:        registry.Source{Repository: "example-org/uploader", Ref: "refs/heads/main"},
					RepositoryArn: pulumi.String("arn:aws:ecr:eu-west-1:111111111111:repository/platform/dev/uploader"),
				})
				return err
			}},
		{label: "platform:registry:Repository", constructor: registry.NewRepository, args: registry.RepositoryArgs{}, result: registry.Repository{},
			name: "platform-dev-uploader", build: func(ctx *pulumi.Context, name string) error {
				_, err := registry.NewRepository(ctx, name, &registry.RepositoryArgs{
					Name: "platform/dev/uploader", Partition: "aws", AccountID: sAccount, KmsKeyArn: pulumi.String(sDataKey),
					PullerRoleArns: strs(sNodeRole), PusherRoleArn: pulumi.String("arn:aws:iam::111111111111:role/platform-dev-uploader-push"),
				})
				return err
			}},
		{label: "platform:runner:Runner", constructor: runner.NewRunner, args: runner.RunnerArgs{}, result: runner.Runner{},
			name: "platform-dev-runner", build: func(ctx *pulumi.Context, name string) error {
				_, err := runner.NewRunner(ctx, name, surfaceRunnerArgs(nil))
				return err
			}},
		{label: "platform:runner:Runner[gitHubActions]", name: "platform-dev-runner", build: func(ctx *pulumi.Context, name string) error {
			_, err := runner.NewRunner(ctx, name, surfaceRunnerArgs(&runner.GitHubActionsArgs{Repository: "https://github.com/example-org/platform",
				ConnectionArn: "arn:aws:codeconnections:eu-west-1:111111111111:connection/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"}))
			return err
		}},
		{label: "platform:secrets:Secret", constructor: secrets.NewSecret, args: secrets.SecretArgs{}, result: secrets.Secret{},
			name: "platform-dev-app", build: func(ctx *pulumi.Context, name string) error {
				_, err := secrets.NewSecret(ctx, name, &secrets.SecretArgs{
					SecretName: "platform/dev/app", KmsKeyArn: pulumi.String(sDataKey), AccountID: sAccount,
					ReaderRoleArns: strs("arn:aws:iam::111111111111:role/platform-dev-uploader"),
				})
				return err
			}},
		{label: "platform:storage:Bucket", constructor: storage.NewBucket, args: storage.BucketArgs{}, result: storage.Bucket{},
			name: "platform-dev-uploads", build: func(ctx *pulumi.Context, name string) error {
				_, err := storage.NewBucket(ctx, name, &storage.BucketArgs{
					AccountID: sAccount, AccessLogBucket: pulumi.String("platform-dev-access-logs"),
					DenyDeleteTo: strs("arn:aws:iam::111111111111:role/platform-dev-uploader"), NoncurrentVersionExpirationDays: 30,
				})
				return err
			}},
		{label: "platform:storage:Bucket[isLogBucket]", name: "platform-dev-access-logs", build: func(ctx *pulumi.Context, name string) error {
			_, err := storage.NewBucket(ctx, name, &storage.BucketArgs{AccountID: sAccount, IsLogBucket: true, ExpirationDays: 365, NoncurrentVersionExpirationDays: 30})
			return err
		}},
		{label: "kubernetes:storage.k8s.io/v1:StorageClass", constructor: storage.NewEncryptedStorageClass, args: storage.EncryptedStorageClassArgs{},
			name: "platform-dev-encrypted-gp3", build: func(ctx *pulumi.Context, name string) error {
				_, err := storage.NewEncryptedStorageClass(ctx, name, &storage.EncryptedStorageClassArgs{KmsKeyArn: pulumi.String(sDataKey)})
				return err
			}},
		{label: "platform:workload:Service", constructor: workload.NewService, args: workload.ServiceArgs{}, result: workload.Service{},
			name: "platform-dev-processor", build: func(ctx *pulumi.Context, name string) error {
				_, err := workload.NewService(ctx, name, &workload.ServiceArgs{
					Name: "processor", Namespace: "apps", Port: 8080,
					Image:     "111111111111.dkr.ecr.eu-west-1.amazonaws.com/platform/dev/processor:1.0.0",
					Resources: workload.Resources{CPU: "250m", Memory: "256Mi", CPULimit: "1", MemoryLimit: "512Mi"},
					Callers:   []workload.Peer{{Service: "uploader", Namespace: "apps"}},
					AWSAPIs:   true, RoleArn: pulumi.String("arn:aws:iam::111111111111:role/platform-dev-processor"),
					NFSCIDRs: []string{"10.10.0.0/19", "10.10.32.0/19"},
					Volumes: []workload.Volume{{Name: "scratch", Claim: "processor-scratch", VolumeName: "platform-dev-processor-scratch",
						Size: "5Gi", MountPath: "/scratch"}},
				})
				return err
			}},
	}
}

// moduleStruct returns the struct a field type holds (through pointers, slices and maps) when it
// is one of this module's, and the path suffix that says how it is held.
func moduleStruct(t reflect.Type) (reflect.Type, string) {
	suffix := ""
	for {
		switch t.Kind() {
		case reflect.Pointer:
			t = t.Elem()
			continue
		case reflect.Slice, reflect.Array:
			t, suffix = t.Elem(), suffix+"[]"
			continue
		case reflect.Map:
			t, suffix = t.Elem(), suffix+"{}"
			continue
		}
		break
	}
	if t.Kind() == reflect.Struct && strings.HasPrefix(t.PkgPath(), strings.TrimSuffix(module, "/")) {
		return t, suffix
	}
	return nil, ""
}

// fieldLines lists the exported fields of a struct, each "<path> <Go type>", descending into the
// module's own struct types (a NodeGroup's fields are as much the surface as the ClusterArgs').
// Embedded fields (pulumi.ResourceState) are the SDK's, not ours.
func fieldLines(prefix string, t reflect.Type, seen map[reflect.Type]bool) []string {
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() || f.Anonymous {
			continue
		}
		path := prefix + f.Name
		out = append(out, path+" "+f.Type.String())
		if inner, suffix := moduleStruct(f.Type); inner != nil && !seen[inner] {
			seen[inner] = true
			out = append(out, fieldLines(path+suffix+".", inner, seen)...)
			delete(seen, inner)
		}
	}
	return out
}

// childName is a logical name with the component's own name replaced by <name>: what a user's
// resource of that child is called whatever they named the component.
func childName(component, logical string) string {
	switch {
	case logical == component:
		return "<name>"
	case strings.HasPrefix(logical, component+"-"):
		return "<name>" + strings.TrimPrefix(logical, component)
	}
	return logical
}

// entryLines are the surface lines of one entry: its constructor's signature, its Args fields,
// its outputs and the children it registered in g (the component itself included), each line
// prefixed by the entry's label so that a diff names the component.
func entryLines(e surfaceEntry, g *graph.Graph) ([]string, error) {
	var out []string
	add := func(kind, s string) { out = append(out, e.label+" "+kind+" "+s) }
	if e.constructor != nil {
		add("constructor", reflect.TypeOf(e.constructor).String())
		for _, l := range fieldLines("", reflect.TypeOf(e.args), map[reflect.Type]bool{}) {
			add("arg", l)
		}
	}
	if e.result != nil {
		for _, l := range fieldLines("", reflect.TypeOf(e.result), map[reflect.Type]bool{}) {
			add("output", l)
		}
	}
	var root *graph.Resource
	for _, r := range g.Resources() {
		if r.Name == e.name && len(g.Ancestors(r)) == 1 {
			root = r
		}
	}
	if root == nil {
		return nil, fmt.Errorf("%s: no top-level resource named %q was registered", e.label, e.name)
	}
	for _, r := range g.Resources() {
		if r == root || slices.Contains(g.Ancestors(r), root) {
			add("child", childName(e.name, r.Name)+" "+r.Type)
		}
	}
	return out, nil
}

// recordEntry records one entry under mocks in the dev stack.
func recordEntry(e surfaceEntry) (*graph.Graph, error) {
	g, err := recorder.Record(recorder.Options{Stack: "dev", StackOutputs: e.stackOutputs,
		Program: func(ctx *pulumi.Context) error { return e.build(ctx, e.name) }})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", e.label, err)
	}
	return g, nil
}

// surfaceText joins the entries' lines, sorted, one per line.
func surfaceText(lines []string) string {
	slices.Sort(lines)
	return strings.Join(lines, "\n") + "\n"
}

// surfaceChangeHelp is what a failing comparison says, before the diff.
const surfaceChangeHelp = `the public surface of components/ changed (tests/testdata/surface.txt).
A changed type token or child logical name is a new URN: every user's existing resource of it is
deleted and created anew on their next update (a bucket, table, key or file system with its data)
unless the change carries an alias — pulumi.Aliases([]pulumi.Alias{{Name: pulumi.String(old)}}) on
the child, or {Type: pulumi.String(oldToken)} on the component. A removed or renamed Args or output
field breaks users' builds. Both are breaking changes: a major version (README, Versioning).
If the change is intended: add the aliases, note it in CHANGELOG.md, then rewrite the golden with
  go test ./tests -run TestPublicSurfaceMatchesTheGolden -update
and commit the reviewed diff.
`

// compareSurface returns "" when got is the golden want, or the help and the diff.
func compareSurface(want, got string) string {
	if want == got {
		return ""
	}
	return surfaceChangeHelp + lineDiff(want, got)
}

// TestPublicSurfaceMatchesTheGolden: every component's type token, constructor signature, Args
// fields (name and Go type), output fields and the logical names and types of the children it
// registers are pinned in testdata/surface.txt, so that a change that would replace users'
// resources or break their builds shows as a reviewed diff.
func TestPublicSurfaceMatchesTheGolden(t *testing.T) {
	var lines []string
	for _, e := range surfaceEntries() {
		g, err := recordEntry(e)
		if err != nil {
			t.Fatal(err)
		}
		l, err := entryLines(e, g)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, l...)
	}
	got := surfaceText(lines)
	if *update {
		if err := os.WriteFile(surfacePath, []byte(got), 0o600); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(surfacePath)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if msg := compareSurface(string(want), got); msg != "" {
		t.Error(msg)
	}
}

// TestSurfaceComparisonCatchesARenamedChild: a Bucket recorded as it is, then with its versioning
// child renamed in the recording (what a changed child name in NewBucket would register), is
// compared with the golden file: the comparison reports exactly that child, old and new, and says
// how to keep users' resources.
func TestSurfaceComparisonCatchesARenamedChild(t *testing.T) {
	var bucket surfaceEntry
	for _, e := range surfaceEntries() {
		if e.label == "platform:storage:Bucket" {
			bucket = e
		}
	}
	g, err := recordEntry(bucket)
	if err != nil {
		t.Fatal(err)
	}
	renamed, err := g.With(named(t, g, "aws:s3/bucketVersioningV2:BucketVersioningV2", "platform-dev-uploads-versioning").URN,
		func(r *graph.Resource) { r.Name = "platform-dev-uploads-versions" })
	if err != nil {
		t.Fatal(err)
	}
	golden, err := os.ReadFile(surfacePath)
	if err != nil {
		t.Fatal(err)
	}
	// The golden's lines of the other entries, with the renamed recording's lines of this one.
	var lines []string
	for _, l := range strings.Split(strings.TrimSuffix(string(golden), "\n"), "\n") {
		if !strings.HasPrefix(l, bucket.label+" ") {
			lines = append(lines, l)
		}
	}
	bucketLines, err := entryLines(bucket, renamed)
	if err != nil {
		t.Fatal(err)
	}
	msg := compareSurface(string(golden), surfaceText(append(lines, bucketLines...)))
	want := surfaceChangeHelp +
		"- platform:storage:Bucket child <name>-versioning aws:s3/bucketVersioningV2:BucketVersioningV2\n" +
		"+ platform:storage:Bucket child <name>-versions aws:s3/bucketVersioningV2:BucketVersioningV2\n"
	if msg != want {
		t.Errorf("a renamed child was reported as\n%s\nwant\n%s", msg, want)
	}
}

// surfaceRunnerArgs are the runner's recorded args, with or without the GitHub Actions project.
func surfaceRunnerArgs(actions *runner.GitHubActionsArgs) *runner.RunnerArgs {
	return &runner.RunnerArgs{
		Account:       runner.Account{ID: sAccount, Region: sRegion, Partition: "aws"},
		ProjectPrefix: "platform-dev-runner", Stack: "dev", VpcID: pulumi.String("vpc-0dev"), SubnetIDs: strs("subnet-0a", "subnet-0b"),
		SourceBucketName: pulumi.String("platform-dev-runner-src"), SourceBucketArn: pulumi.String("arn:aws:s3:::platform-dev-runner-src"),
		AssumeRoleArns: map[runner.Kind]string{
			runner.Deploy: "arn:aws:iam::111111111111:role/platform-deploy", runner.Preview: "arn:aws:iam::111111111111:role/platform-preview",
		},
		TokenSecretNames: map[runner.Kind]string{runner.Deploy: "platform/pulumi-access-token", runner.Preview: "platform/pulumi-preview-token"},
		LogsKeyArn:       pulumi.String(sLogsKey), PulumiVersion: "3.274.1",
		GitHubActions: actions,
	}
}
