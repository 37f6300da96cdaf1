package cluster_test

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/securestack/platform/components/cluster"
	"github.com/securestack/platform/components/lib/eksspec"
	"github.com/securestack/platform/proof/engine/recorder"
)

// ExampleNewCluster records, under mocks, a cluster with one node group and an admin: what it
// registers (pulumi-eks's cluster is a remote component, recorded with its inputs only) and the
// endpoint settings it asks pulumi-eks for — private only, since no public access was asked for.
func ExampleNewCluster() {
	g, err := recorder.Record(recorder.Options{Stack: "dev", Program: func(ctx *pulumi.Context) error {
		_, err := cluster.NewCluster(ctx, "platform-dev", &cluster.ClusterArgs{
			Account:               cluster.Account{ID: "111111111111", Region: "eu-west-1", Partition: "aws"},
			ClusterName:           "platform-dev",
			Version:               "1.34",
			VpcID:                 pulumi.String("vpc-0dev"),
			ControlPlaneSubnetIDs: pulumi.ToStringArray([]string{"subnet-0a", "subnet-0b"}),
			NodeSubnetIDs:         pulumi.ToStringArray([]string{"subnet-0a", "subnet-0b"}),
			SecretsKeyArn:         pulumi.String("arn:aws:kms:eu-west-1:111111111111:key/cluster"),
			LogsKeyArn:            pulumi.String("arn:aws:kms:eu-west-1:111111111111:key/logs"),
			DataKeyArn:            pulumi.String("arn:aws:kms:eu-west-1:111111111111:key/data"),
			NodeGroups: []cluster.NodeGroup{{Name: "system", InstanceTypes: []string{"m7i.large"},
				MinSize: 2, MaxSize: 4, DesiredSize: 2}},
			Access: []cluster.AccessPrincipal{{Persona: eksspec.Admin, PrincipalArn: "arn:aws:iam::111111111111:role/platform-admins"}},
		})
		return err
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(g.Listing())
	eks, _ := g.Named("eks:index:Cluster", "platform-dev")
	private, _ := eks.Bool("endpointPrivateAccess")
	public, _ := eks.Bool("endpointPublicAccess")
	fmt.Println("endpoint private:", private, "public:", public)
	// Output:
	// platform-dev-control-plane aws:cloudwatch/logGroup:LogGroup
	// platform-dev-system aws:ec2/launchTemplate:LaunchTemplate
	// platform-dev-admin-platform-admins-13f24b aws:eks/accessEntry:AccessEntry
	// platform-dev-admin-platform-admins-13f24b aws:eks/accessPolicyAssociation:AccessPolicyAssociation
	// platform-dev-coredns aws:eks/addon:Addon
	// platform-dev-ebs-csi aws:eks/addon:Addon
	// platform-dev-kube-proxy aws:eks/addon:Addon
	// platform-dev-vpc-cni aws:eks/addon:Addon
	// platform-dev-system aws:eks/nodeGroup:NodeGroup
	// platform-dev-ebs-csi aws:iam/role:Role
	// platform-dev-node aws:iam/role:Role
	// platform-dev-vpc-cni aws:iam/role:Role
	// platform-dev-ebs-csi-kms aws:iam/rolePolicy:RolePolicy
	// platform-dev-ebs-csi-AmazonEBSCSIDriverPolicy aws:iam/rolePolicyAttachment:RolePolicyAttachment
	// platform-dev-node-AmazonEC2ContainerRegistryReadOnly aws:iam/rolePolicyAttachment:RolePolicyAttachment
	// platform-dev-node-AmazonEKSWorkerNodePolicy aws:iam/rolePolicyAttachment:RolePolicyAttachment
	// platform-dev-vpc-cni-AmazonEKS_CNI_Policy aws:iam/rolePolicyAttachment:RolePolicyAttachment
	// platform-dev eks:index:Cluster
	// platform-dev platform:cluster:Cluster
	// endpoint private: true public: false
}

// Bad args are reported all at once, each with its field, before anything is registered.
func ExampleClusterArgs_Validate() {
	args := &cluster.ClusterArgs{
		Account: cluster.Account{ID: "111111111111", Region: "eu-west-1", Partition: "aws"}, ClusterName: "platform-dev",
		Version: "1.34", VpcID: pulumi.String("vpc-0dev"),
		ControlPlaneSubnetIDs: pulumi.ToStringArray([]string{"subnet-0a", "subnet-0b"}),
		NodeSubnetIDs:         pulumi.ToStringArray([]string{"subnet-0a", "subnet-0b"}),
		SecretsKeyArn:         pulumi.String("arn:aws:kms:eu-west-1:111111111111:key/cluster"),
		LogsKeyArn:            pulumi.String("arn:aws:kms:eu-west-1:111111111111:key/logs"),
		DataKeyArn:            pulumi.String("arn:aws:kms:eu-west-1:111111111111:key/data"),
		EndpointPublicAccess:  true,
		PublicAccessCidrs:     []string{"0.0.0.0/0"},
	}
	fmt.Println(args.Validate())
	// Output:
	// publicAccessCidrs[0]: "0.0.0.0/0" opens the API endpoint to the whole internet
	// nodeGroups: at least one is required (there is no default node group)
}
