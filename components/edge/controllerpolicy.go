package edge

import (
	"fmt"

	"github.com/securestack/platform/components/lib/eksspec"
	"github.com/securestack/platform/components/lib/iampolicy"
)

// The AWS Load Balancer Controller's service account, as its chart creates it.
const (
	ControllerNamespace      = eksspec.LoadBalancerControllerNamespace
	ControllerServiceAccount = eksspec.LoadBalancerControllerServiceAccount
)

// The tag keys the controller puts on what it creates; the policy confines its writes to them.
const (
	clusterTag      = "elbv2.k8s.aws/cluster"
	requestTagNull  = "aws:RequestTag/" + clusterTag
	resourceTagNull = "aws:ResourceTag/" + clusterTag
)

// ControllerPolicy is the controller's IAM policy, written against upstream
// kubernetes-sigs/aws-load-balancer-controller docs/install/iam_policy.json (compared with the
// version at commit c533211514b7bba513b686575921712a2ac7166f, and the read and listener-attribute
// actions that v2.7+ controllers call: DescribeListenerAttributes, ModifyListenerAttributes,
// DescribeAvailabilityZones, DescribeRouteTables, DescribeVpcPeeringConnections, DescribeCoipPools,
// GetCoipPoolUsage, DescribeIpamPools, DescribeTrustStores). Narrower than upstream: every ARN is
// this partition, region and account instead of "*:*"; the service-linked role is the ELB one only;
// the writes on load balancers, target groups and security groups keep upstream's tag conditions,
// so the controller changes only what it created (tagged elbv2.k8s.aws/cluster). What stays on
// "*": reads (they have no resource-level permissions), creating a security group, load balancer or
// target group (the new resource has no ARN yet; creation requires the cluster tag), listeners and
// rules of its load balancers (ELB scopes them by load balancer), and WAF/Shield association.
// Unlike upstream it may not change the rules of untagged security groups (the nodes'): the
// platform opens the node group to its ALB itself, and the controller's backend-group management
// is off.
func ControllerPolicy(partition, region, account string) iampolicy.Document {
	elb := func(kind string) string {
		return fmt.Sprintf("arn:%s:elasticloadbalancing:%s:%s:%s", partition, region, account, kind)
	}
	securityGroups := fmt.Sprintf("arn:%s:ec2:%s:%s:security-group/*", partition, region, account)
	loadBalancersAndTargetGroups := iampolicy.StringList{elb("targetgroup/*/*"), elb("loadbalancer/net/*/*"), elb("loadbalancer/app/*/*")}
	allow := func(sid string, resources iampolicy.StringList, conditions iampolicy.Conditions, actions ...string) iampolicy.Statement {
		return iampolicy.Statement{Sid: sid, Effect: iampolicy.Allow, Actions: actions, Resources: resources, Conditions: conditions}
	}
	all := iampolicy.StringList{"*"}
	tagged := iampolicy.Conditions{"Null": {resourceTagNull: {"false"}}}
	return iampolicy.New(
		allow("CreateELBServiceLinkedRole", iampolicy.StringList{fmt.Sprintf("arn:%s:iam::%s:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing", partition, account)},
			iampolicy.Conditions{"StringEquals": {"iam:AWSServiceName": {"elasticloadbalancing.amazonaws.com"}}},
			"iam:CreateServiceLinkedRole"),
		allow("Describe", all, nil,
			"ec2:DescribeAccountAttributes", "ec2:DescribeAddresses", "ec2:DescribeAvailabilityZones", "ec2:DescribeCoipPools",
			"ec2:DescribeInstances", "ec2:DescribeInternetGateways", "ec2:DescribeIpamPools", "ec2:DescribeNetworkInterfaces",
			"ec2:DescribeRouteTables", "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeTags",
			"ec2:DescribeVpcPeeringConnections", "ec2:DescribeVpcs", "ec2:GetCoipPoolUsage",
			"elasticloadbalancing:DescribeListenerAttributes", "elasticloadbalancing:DescribeListenerCertificates",
			"elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeLoadBalancerAttributes",
			"elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeRules", "elasticloadbalancing:DescribeSSLPolicies",
			"elasticloadbalancing:DescribeTags", "elasticloadbalancing:DescribeTargetGroupAttributes",
			"elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetHealth", "elasticloadbalancing:DescribeTrustStores"),
		allow("CertificatesWafShield", all, nil,
			"acm:DescribeCertificate", "acm:ListCertificates", "cognito-idp:DescribeUserPoolClient",
			"iam:GetServerCertificate", "iam:ListServerCertificates",
			"shield:CreateProtection", "shield:DeleteProtection", "shield:DescribeProtection", "shield:GetSubscriptionState",
			"waf-regional:AssociateWebACL", "waf-regional:DisassociateWebACL", "waf-regional:GetWebACL", "waf-regional:GetWebACLForResource",
			"wafv2:AssociateWebACL", "wafv2:DisassociateWebACL", "wafv2:GetWebACL", "wafv2:GetWebACLForResource"),
		allow("CreateSecurityGroups", all, nil, "ec2:CreateSecurityGroup"),
		allow("TagSecurityGroupsAtCreation", iampolicy.StringList{securityGroups},
			iampolicy.Conditions{"StringEquals": {"ec2:CreateAction": {"CreateSecurityGroup"}}, "Null": {requestTagNull: {"false"}}},
			"ec2:CreateTags"),
		allow("RetagOwnSecurityGroups", iampolicy.StringList{securityGroups},
			iampolicy.Conditions{"Null": {requestTagNull: {"true"}, resourceTagNull: {"false"}}},
			"ec2:CreateTags", "ec2:DeleteTags"),
		allow("ChangeOwnSecurityGroups", iampolicy.StringList{securityGroups}, tagged,
			"ec2:AuthorizeSecurityGroupIngress", "ec2:DeleteSecurityGroup", "ec2:RevokeSecurityGroupIngress"),
		allow("CreateTaggedLoadBalancersAndTargetGroups", all, iampolicy.Conditions{"Null": {requestTagNull: {"false"}}},
			"elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"),
		allow("TagAtCreation", loadBalancersAndTargetGroups,
			iampolicy.Conditions{"StringEquals": {"elasticloadbalancing:CreateAction": {"CreateLoadBalancer", "CreateTargetGroup"}}, "Null": {requestTagNull: {"false"}}},
			"elasticloadbalancing:AddTags"),
		allow("RetagOwnLoadBalancersAndTargetGroups", loadBalancersAndTargetGroups,
			iampolicy.Conditions{"Null": {requestTagNull: {"true"}, resourceTagNull: {"false"}}},
			"elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"),
		allow("TagListenersAndRules", iampolicy.StringList{elb("listener/net/*/*/*"), elb("listener/app/*/*/*"), elb("listener-rule/net/*/*/*"), elb("listener-rule/app/*/*/*")}, nil,
			"elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"),
		allow("ChangeOwnLoadBalancersAndTargetGroups", all, tagged,
			"elasticloadbalancing:DeleteLoadBalancer", "elasticloadbalancing:DeleteTargetGroup",
			"elasticloadbalancing:ModifyLoadBalancerAttributes", "elasticloadbalancing:ModifyTargetGroup",
			"elasticloadbalancing:ModifyTargetGroupAttributes", "elasticloadbalancing:SetIpAddressType",
			"elasticloadbalancing:SetSecurityGroups", "elasticloadbalancing:SetSubnets"),
		allow("RegisterTargets", iampolicy.StringList{elb("targetgroup/*/*")}, nil,
			"elasticloadbalancing:DeregisterTargets", "elasticloadbalancing:RegisterTargets"),
		allow("ListenersAndRules", all, nil,
			"elasticloadbalancing:AddListenerCertificates", "elasticloadbalancing:CreateListener", "elasticloadbalancing:CreateRule",
			"elasticloadbalancing:DeleteListener", "elasticloadbalancing:DeleteRule", "elasticloadbalancing:ModifyListener",
			"elasticloadbalancing:ModifyListenerAttributes", "elasticloadbalancing:ModifyRule",
			"elasticloadbalancing:RemoveListenerCertificates", "elasticloadbalancing:SetWebAcl"),
	)
}
