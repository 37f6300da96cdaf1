package recorder

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/securestack/platform/proof/engine/stackconfig"
)

// Identity of the mocked AWS account when the stack's config names none.
const (
	AccountID = "123456789012"
	Partition = "aws"
)

// mocks answers resource registrations and invokes with realistic, deterministic values.
type mocks struct {
	project, stack, region string
	account                string // the mocked caller's account
	dir                    string // the project directory: referenced stacks' config is read from it
	stackOutputs           map[string]map[string]any
	dryRun                 bool
	rec                    *recording
}

// hash is a short deterministic suffix derived from the logical identity of a resource.
func hash(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:])[:17]
}

// idPrefixes gives AWS-shaped ids for the types whose ids programs commonly pass on.
var idPrefixes = map[string]string{
	"aws:ec2/vpc:Vpc":                         "vpc-",
	"aws:ec2/subnet:Subnet":                   "subnet-",
	"aws:ec2/securityGroup:SecurityGroup":     "sg-",
	"aws:ec2/internetGateway:InternetGateway": "igw-",
	"aws:ec2/natGateway:NatGateway":           "nat-",
	"aws:ec2/eip:Eip":                         "eipalloc-",
	"aws:ec2/routeTable:RouteTable":           "rtb-",
	"aws:ec2/vpcEndpoint:VpcEndpoint":         "vpce-",
	"aws:ec2/flowLog:FlowLog":                 "fl-",
	"aws:ec2/launchTemplate:LaunchTemplate":   "lt-",
	"aws:efs/fileSystem:FileSystem":           "fs-",
	"aws:efs/accessPoint:AccessPoint":         "fsap-",
	"aws:efs/mountTarget:MountTarget":         "fsmt-",
}

func (m *mocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	rpcParent := ""
	if args.RegisterRPC != nil {
		rpcParent = args.RegisterRPC.GetParent()
	} else if args.ReadRPC != nil {
		rpcParent = args.ReadRPC.GetParent()
	}
	key := hash(args.TypeToken, args.Name, rpcParent)
	id := args.ID
	if id == "" {
		id = idPrefixes[args.TypeToken] + key
		if _, ok := idPrefixes[args.TypeToken]; !ok {
			id = args.Name + "-" + key[:7]
		}
	}
	if args.TypeToken == stackReferenceType {
		outputs, err := m.stackReference(args.ID)
		if err != nil {
			return "", nil, err
		}
		m.rec.add(m, args, id, outputs)
		return id, outputs, nil
	}
	outputs := args.Inputs.Copy()
	computed := resource.PropertyMap{}
	if args.Custom || args.ReadRPC != nil {
		computed["arn"] = resource.NewProperty(m.arn(args.TypeToken, args.Name, id, args.Inputs))
		if !args.Inputs.HasValue("name") && !strings.HasPrefix(args.TypeToken, "kubernetes:") {
			computed["name"] = resource.NewProperty(args.Name + "-" + key[:7])
		}
	}
	for k, v := range m.typeOutputs(args.TypeToken, args.Name, key, args.Inputs) {
		computed[k] = v
	}
	for k, v := range computed {
		if m.dryRun && args.Custom && args.ReadRPC == nil {
			// In a preview, provider-computed values are unknown until apply. Remote components'
			// plain outputs stay known: the SDK's mock monitor drops an unknown inside a secret
			// (it unmarshals without KeepUnknowns), which the real engine carries fine.
			v = resource.MakeComputed(resource.NewProperty(""))
		}
		if _, set := outputs[k]; !set || k == "arn" {
			outputs[k] = v
		}
	}
	m.rec.add(m, args, id, outputs)
	if m.dryRun && args.ReadRPC == nil && args.ID == "" {
		return "", outputs, nil
	}
	return id, outputs, nil
}

// arn builds an ARN of the shape AWS uses for the resource's service.
func (m *mocks) arn(typ, name, id string, inputs resource.PropertyMap) string {
	service, kind := serviceAndKind(typ)
	if v := inputs["name"]; v.IsString() && v.StringValue() != "" {
		name = v.StringValue()
	}
	switch service {
	case "iam":
		return fmt.Sprintf("arn:%s:iam::%s:%s/%s", Partition, m.account, kind, name)
	case "kms":
		return fmt.Sprintf("arn:%s:kms:%s:%s:key/%s", Partition, m.region, m.account, uuidLike(id))
	case "cloudwatch":
		return fmt.Sprintf("arn:%s:logs:%s:%s:log-group:%s", Partition, m.region, m.account, name)
	}
	return fmt.Sprintf("arn:%s:%s:%s:%s:%s/%s", Partition, service, m.region, m.account, kind, id)
}

// serviceAndKind splits "aws:ec2/securityGroup:SecurityGroup" into "ec2" and "security-group".
func serviceAndKind(typ string) (string, string) {
	parts := strings.Split(typ, ":")
	if len(parts) != 3 {
		return "unknown", "resource"
	}
	module, _, _ := strings.Cut(parts[1], "/")
	if parts[0] != "aws" {
		module = parts[0]
	}
	var kind strings.Builder
	for i, r := range parts[2] {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				kind.WriteByte('-')
			}
			r += 'a' - 'A'
		}
		kind.WriteRune(r)
	}
	return module, kind.String()
}

func uuidLike(id string) string {
	h := hash(id) + hash(id, "2")
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// typeOutputs are the provider-computed outputs that programs read for a few types.
func (m *mocks) typeOutputs(typ, name, key string, inputs resource.PropertyMap) resource.PropertyMap {
	str := resource.NewProperty[string]
	region, account := m.region, m.account
	switch typ {
	case "aws:ec2/vpc:Vpc":
		return resource.PropertyMap{
			"defaultSecurityGroupId": str("sg-" + hash(key, "default-sg")),
			"defaultRouteTableId":    str("rtb-" + hash(key, "default-rtb")),
			"defaultNetworkAclId":    str("acl-" + hash(key, "default-acl")),
			"mainRouteTableId":       str("rtb-" + hash(key, "default-rtb")),
		}
	case "aws:kms/key:Key":
		return resource.PropertyMap{"keyId": str(uuidLike(key))}
	case "aws:ec2/launchTemplate:LaunchTemplate":
		return resource.PropertyMap{"latestVersion": resource.NewProperty(1.0), "defaultVersion": resource.NewProperty(1.0)}
	case "aws:s3/bucketV2:BucketV2":
		bucket := name + "-" + key[:7]
		if v := inputs["bucket"]; v.IsString() {
			bucket = v.StringValue()
		}
		return resource.PropertyMap{"bucket": str(bucket), "arn": str("arn:aws:s3:::" + bucket),
			"bucketRegionalDomainName": str(bucket + ".s3." + region + ".amazonaws.com")}
	case "aws:dynamodb/table:Table":
		table := name
		if v := inputs["name"]; v.IsString() {
			table = v.StringValue()
		}
		return resource.PropertyMap{"arn": str(fmt.Sprintf("arn:%s:dynamodb:%s:%s:table/%s", Partition, region, account, table))}
	case "aws:efs/fileSystem:FileSystem":
		id := "fs-" + key // the same id NewResource gives it
		return resource.PropertyMap{"arn": str(fmt.Sprintf("arn:%s:elasticfilesystem:%s:%s:file-system/%s", Partition, region, account, id)),
			"dnsName": str(id + ".efs." + region + ".amazonaws.com")}
	case "aws:efs/accessPoint:AccessPoint":
		id := "fsap-" + key // the same id NewResource gives it
		return resource.PropertyMap{"arn": str(fmt.Sprintf("arn:%s:elasticfilesystem:%s:%s:access-point/%s", Partition, region, account, id))}
	case "aws:secretsmanager/secret:Secret":
		secret := name
		if v := inputs["name"]; v.IsString() {
			secret = v.StringValue()
		}
		return resource.PropertyMap{"arn": str(fmt.Sprintf("arn:%s:secretsmanager:%s:%s:secret:%s-%s", Partition, region, account, secret, key[:6]))}
	case "aws:codebuild/project:Project":
		return resource.PropertyMap{"arn": str(fmt.Sprintf("arn:%s:codebuild:%s:%s:project/%s", Partition, region, account, inputs["name"].StringValue()))}
	case "aws:acm/certificate:Certificate":
		// One DNS validation record per domain, shaped as ACM returns it.
		domain := "example.com"
		if v := inputs["domainName"]; v.IsString() {
			domain = v.StringValue()
		}
		return resource.PropertyMap{
			"arn": str(fmt.Sprintf("arn:%s:acm:%s:%s:certificate/%s", Partition, region, account, uuidLike(key))),
			"domainValidationOptions": resource.NewProperty([]resource.PropertyValue{resource.NewProperty(resource.PropertyMap{
				"domainName":          str(domain),
				"resourceRecordName":  str("_" + key[:8] + "." + domain + "."),
				"resourceRecordType":  str("CNAME"),
				"resourceRecordValue": str("_" + key[8:16] + ".acm-validations.aws."),
			})}),
			"status": str("ISSUED"),
		}
	case "aws:route53/record:Record":
		if v := inputs["name"]; v.IsString() {
			return resource.PropertyMap{"fqdn": str(strings.TrimSuffix(v.StringValue(), "."))}
		}
		return nil
	case "aws:wafv2/webAcl:WebAcl":
		return resource.PropertyMap{"arn": str(fmt.Sprintf("arn:%s:wafv2:%s:%s:regional/webacl/%s/%s", Partition, region, account, name, uuidLike(key)))}
	case "aws:ecr/repository:Repository":
		repo := inputs["name"].StringValue()
		return resource.PropertyMap{"arn": str(fmt.Sprintf("arn:%s:ecr:%s:%s:repository/%s", Partition, region, account, repo)),
			"repositoryUrl": str(fmt.Sprintf("%s.dkr.ecr.%s.amazonaws.com/%s", account, region, repo)), "registryId": str(account)}
	case "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
		// IAM names a provider by its URL without the scheme.
		return resource.PropertyMap{"arn": str(fmt.Sprintf("arn:%s:iam::%s:oidc-provider/%s", Partition, account, strings.TrimPrefix(inputs["url"].StringValue(), "https://")))}
	case "aws:sns/topic:Topic":
		return resource.PropertyMap{"arn": str(fmt.Sprintf("arn:%s:sns:%s:%s:%s", Partition, region, account, inputs["name"].StringValue()))}
	case "aws:cloudwatch/eventRule:EventRule":
		rule := name + "-" + key[:7]
		return resource.PropertyMap{"name": str(rule), "arn": str(fmt.Sprintf("arn:%s:events:%s:%s:rule/%s", Partition, region, account, rule))}
	case "aws:ec2/eip:Eip":
		return resource.PropertyMap{"allocationId": str("eipalloc-" + key), "publicIp": str("203.0.113.10")}
	case "eks:index:Cluster":
		// A remote component: only plain outputs are returned, never resource references.
		issuer := fmt.Sprintf("https://oidc.eks.%s.amazonaws.com/id/%s", region, strings.ToUpper(key))
		return resource.PropertyMap{
			"kubeconfigJson":         str(`{"apiVersion":"v1","kind":"Config","clusters":[],"contexts":[],"users":[]}`),
			"oidcProviderArn":        str(fmt.Sprintf("arn:%s:iam::%s:oidc-provider/%s", Partition, account, strings.TrimPrefix(issuer, "https://"))),
			"oidcProviderUrl":        str(strings.TrimPrefix(issuer, "https://")),
			"oidcIssuer":             str(strings.TrimPrefix(issuer, "https://")),
			"clusterSecurityGroupId": str("sg-" + hash(key, "cluster")),
			"nodeSecurityGroupId":    str("sg-" + hash(key, "node")),
		}
	}
	return nil
}

// Call answers invokes (data sources). Unknown invokes are errors on purpose.
func (m *mocks) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	m.rec.invoke(args.Token)
	str := resource.NewProperty[string]
	switch args.Token {
	case "aws:index/getCallerIdentity:getCallerIdentity":
		return resource.PropertyMap{
			"accountId": str(m.account),
			"arn":       str(fmt.Sprintf("arn:%s:iam::%s:user/offline-planner", Partition, m.account)),
			"userId":    str("AIDAOFFLINEPLANNER"),
			"id":        str(m.account),
		}, nil
	case "aws:index/getRegion:getRegion":
		return resource.PropertyMap{"name": str(m.region), "region": str(m.region), "id": str(m.region),
			"endpoint": str("ec2." + m.region + ".amazonaws.com"), "description": str(m.region)}, nil
	case "aws:index/getPartition:getPartition":
		return resource.PropertyMap{"partition": str(Partition), "id": str(Partition),
			"dnsSuffix": str("amazonaws.com"), "reverseDnsPrefix": str("com.amazonaws")}, nil
	case "aws:index/getAvailabilityZones:getAvailabilityZones":
		var names, ids []resource.PropertyValue
		for i, suffix := range []string{"a", "b", "c", "d"} {
			names = append(names, str(m.region+suffix))
			ids = append(ids, str(fmt.Sprintf("%s-az%d", regionShort(m.region), i+1)))
		}
		return resource.PropertyMap{"names": resource.NewProperty(names), "zoneIds": resource.NewProperty(ids),
			"id": str(m.region), "state": str("available")}, nil
	case "aws:elb/getServiceAccount:getServiceAccount":
		// The Elastic Load Balancing account of the region's access-log delivery (AWS documents
		// one per region opened before August 2022; the newer ones use a service principal).
		accounts := map[string]string{"eu-west-1": "156460612806", "us-east-1": "127311923021", "eu-central-1": "054676820928"}
		id, ok := accounts[m.region]
		if !ok {
			return nil, fmt.Errorf("recorder: no Elastic Load Balancing account mocked for %s", m.region)
		}
		return resource.PropertyMap{"id": str(id), "arn": str(fmt.Sprintf("arn:%s:iam::%s:root", Partition, id)), "region": str(m.region)}, nil
	case "aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider":
		// An adopted provider: the one GitHub's issuer has in every account that created it.
		url := args.Args["url"].StringValue()
		return resource.PropertyMap{"arn": str(fmt.Sprintf("arn:%s:iam::%s:oidc-provider/%s", Partition, m.account, strings.TrimPrefix(url, "https://"))),
			"url": str(strings.TrimPrefix(url, "https://")), "id": str(url),
			"clientIdLists": resource.NewProperty([]resource.PropertyValue{str("sts.amazonaws.com")})}, nil
	case "aws:guardduty/getDetector:getDetector":
		id := args.Args["id"].StringValue()
		return resource.PropertyMap{"id": str(id), "status": str("ENABLED"), "findingPublishingFrequency": str("SIX_HOURS"),
			"arn": str(fmt.Sprintf("arn:%s:guardduty:%s:%s:detector/%s", Partition, m.region, m.account, id))}, nil
	case "aws:eks/getAddonVersion:getAddonVersion":
		// A deterministic version per add-on and Kubernetes version, shaped like EKS's.
		addon, k8s := args.Args["addonName"].StringValue(), args.Args["kubernetesVersion"].StringValue()
		return resource.PropertyMap{"addonName": str(addon), "kubernetesVersion": str(k8s), "id": str(addon),
			"version": str(fmt.Sprintf("v%s.0-eksbuild.1", strings.TrimPrefix(k8s, "1."))), "mostRecent": resource.NewProperty(false)}, nil
	}
	return nil, fmt.Errorf("recorder: no mock for invoke %s: add it to recorder/mocks.go", args.Token)
}

// regionShort turns "eu-west-1" into "euw1" as zone ids do.
func regionShort(region string) string {
	parts := strings.Split(region, "-")
	if len(parts) != 3 || parts[1] == "" {
		return region
	}
	return parts[0] + parts[1][:1] + parts[2]
}

const stackReferenceType = "pulumi:pulumi:StackReference"

// stackReference answers a StackReference: the outputs the test gave for that stack, else those
// its stack file implies. An owner of its account baseline exports it (account.BaselineOutput), so
// a reference to the owner is checked against the owner's real config, offline.
func (m *mocks) stackReference(name string) (resource.PropertyMap, error) {
	stack := name[strings.LastIndex(name, "/")+1:]
	outputs, given := m.stackOutputs[stack]
	if !given && stack != m.stack {
		st, err := stackconfig.Load(m.dir, stack)
		if err != nil {
			return nil, fmt.Errorf("recorder: StackReference %s: %w", name, err)
		}
		var acct struct {
			BaselineOwner string `json:"baselineOwner"`
		}
		_ = json.Unmarshal([]byte(st.Config["platform:account"]), &acct)
		if acct.BaselineOwner == "" || acct.BaselineOwner == stack {
			outputs = map[string]any{"accountBaseline": map[string]any{"accountId": accountOf(st.Config), "region": st.Config["aws:region"]}}
		}
	}
	if outputs == nil {
		outputs = map[string]any{} // the stack exists but has no outputs yet (its first deploy)
	}
	return resource.PropertyMap{
		"name":              resource.NewProperty(name),
		"outputs":           resource.NewPropertyValue(outputs),
		"secretOutputNames": resource.NewProperty([]resource.PropertyValue{}),
	}, nil
}
