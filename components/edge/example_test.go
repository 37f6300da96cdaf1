package edge_test

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/securestack/platform/components/edge"
	"github.com/securestack/platform/proof/engine/recorder"
)

// ExampleControllerPolicy lists the statements of the load balancer controller's policy: reads on
// "*", writes scoped to the controller's own tagged resources or to this account's ARNs.
func ExampleControllerPolicy() {
	for _, s := range edge.ControllerPolicy("aws", "eu-west-1", "123456789012").Statements {
		fmt.Println(s.Sid, len(s.Actions), len(s.Conditions) > 0)
	}
	// Output:
	// CreateELBServiceLinkedRole 1 true
	// Describe 27 false
	// CertificatesWafShield 17 false
	// CreateSecurityGroups 1 false
	// TagSecurityGroupsAtCreation 1 true
	// RetagOwnSecurityGroups 2 true
	// ChangeOwnSecurityGroups 3 true
	// CreateTaggedLoadBalancersAndTargetGroups 2 true
	// TagAtCreation 1 true
	// RetagOwnLoadBalancersAndTargetGroups 2 true
	// TagListenersAndRules 2 false
	// ChangeOwnLoadBalancersAndTargetGroups 8 true
	// RegisterTargets 2 false
	// ListenersAndRules 10 false
}

// ExampleNewCertificate records, under mocks, a certificate issued for a domain of a Route 53
// zone: the certificate, its DNS validation record and the validation that the ARN waits for.
func ExampleNewCertificate() {
	g, err := recorder.Record(recorder.Options{Stack: "dev", Program: func(ctx *pulumi.Context) error {
		_, err := edge.NewCertificate(ctx, "platform-dev-edge", &edge.CertificateArgs{
			Domain: "app.example.com", HostedZoneID: "Z0123456789ABCDEFGHIJ",
		})
		return err
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(g.Listing())
	cert, _ := g.Named("aws:acm/certificate:Certificate", "platform-dev-edge")
	method, _ := cert.String("validationMethod")
	algorithm, _ := cert.String("keyAlgorithm")
	fmt.Println(method, algorithm)
	// Output:
	// platform-dev-edge aws:acm/certificate:Certificate
	// platform-dev-edge aws:acm/certificateValidation:CertificateValidation
	// platform-dev-edge-validation aws:route53/record:Record
	// platform-dev-edge platform:edge:Certificate
	// DNS RSA_2048
}

// ExampleNewLoadBalancerController records, under mocks, the controller on its own IRSA role:
// the role (a ServiceRole trusted by the controller's ServiceAccount only) and the pinned release.
func ExampleNewLoadBalancerController() {
	g, err := recorder.Record(recorder.Options{Stack: "dev", Program: func(ctx *pulumi.Context) error {
		_, err := edge.NewLoadBalancerController(ctx, "platform-dev-lbc", &edge.LoadBalancerControllerArgs{
			Partition: "aws", Region: "eu-west-1", AccountID: "111111111111",
			ClusterName: "platform-dev", VpcID: pulumi.String("vpc-0dev"),
			OIDCProviderArn:  pulumi.String("arn:aws:iam::111111111111:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE"),
			OIDCIssuer:       pulumi.String("oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE"),
			DefaultSSLPolicy: edge.DefaultSSLPolicy,
		})
		return err
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(g.Listing())
	release, _ := g.Named("kubernetes:helm.sh/v3:Release", "platform-dev-lbc")
	chart, _ := release.String("chart")
	version, _ := release.String("version")
	fmt.Println(chart, version)
	// Output:
	// platform-dev-lbc kubernetes:helm.sh/v3:Release
	// platform-dev-lbc aws:iam/role:Role
	// platform-dev-lbc aws:iam/rolePolicy:RolePolicy
	// platform-dev-lbc platform:identity:ServiceRole
	// platform-dev-lbc platform:edge:LoadBalancerController
	// aws-load-balancer-controller 1.13.4
}

// ExampleNewLoadBalancer records, under mocks, the ALB of the frontend with a web ACL: its own
// security group, the one rule that lets it reach the pods' port, the web ACL and the Ingress
// that asks the controller for TLS 1.3, HTTP only redirecting and invalid headers dropped.
func ExampleNewLoadBalancer() {
	g, err := recorder.Record(recorder.Options{Stack: "dev", Program: func(ctx *pulumi.Context) error {
		_, err := edge.NewLoadBalancer(ctx, "platform-dev-frontend", &edge.LoadBalancerArgs{
			Name: "frontend", Namespace: "apps", Service: "frontend", ServicePort: 8080, BackendPort: 8080,
			Host:                "app.example.com",
			CertificateArn:      pulumi.String("arn:aws:acm:eu-west-1:111111111111:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"),
			VpcID:               pulumi.String("vpc-0dev"),
			VpcCidr:             "10.10.0.0/16",
			NodeSecurityGroupID: pulumi.String("sg-0nodes"),
			PublicSubnetIDs:     []pulumi.StringInput{pulumi.String("subnet-0pa"), pulumi.String("subnet-0pb")},
			AllowedCidrs:        []string{"0.0.0.0/0"},
			LogBucket:           pulumi.String("platform-dev-alb-logs"),
			LogPrefix:           "frontend",
			WAF:                 true,
		})
		return err
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(g.Listing())
	ingress, _ := g.Named("kubernetes:networking.k8s.io/v1:Ingress", "platform-dev-frontend")
	for _, a := range []string{"ssl-policy", "ssl-redirect", "load-balancer-attributes"} {
		v, _ := ingress.String(`metadata.annotations["` + edge.AnnotationPrefix + a + `"]`)
		fmt.Println(a, v)
	}
	// Output:
	// platform-dev-frontend aws:ec2/securityGroup:SecurityGroup
	// platform-dev-frontend-to-pods aws:ec2/securityGroupRule:SecurityGroupRule
	// platform-dev-frontend aws:wafv2/webAcl:WebAcl
	// platform-dev-frontend kubernetes:networking.k8s.io/v1:Ingress
	// platform-dev-frontend platform:edge:LoadBalancer
	// ssl-policy ELBSecurityPolicy-TLS13-1-2-2021-06
	// ssl-redirect 443
	// load-balancer-attributes routing.http.drop_invalid_header_fields.enabled=true,routing.http.desync_mitigation_mode=strictest,access_logs.s3.enabled=true,access_logs.s3.bucket=platform-dev-alb-logs,access_logs.s3.prefix=frontend,deletion_protection.enabled=false
}
