package eksspec

import "fmt"

// Persona is a kind of human or automation access to the cluster. Its Kubernetes group is the one
// RBAC bindings name, so the cluster's access entries and the in-cluster RBAC agree by construction.
type Persona struct {
	// Name is the persona's key: "admin", "gitops", "developer" or "previewer".
	Name string
	// Group is the Kubernetes group its access entries map principals into.
	Group string
	// AccessPolicy is the EKS access policy associated with its principals, cluster-wide; "" for
	// none: the persona is authorised by in-cluster RBAC alone (Roles bound to Group in the
	// application namespaces).
	AccessPolicy string
}

// The personas, defined once.
var (
	Admin     = Persona{Name: "admin", Group: "platform:admins", AccessPolicy: "AmazonEKSClusterAdminPolicy"}
	Gitops    = Persona{Name: "gitops", Group: "platform:gitops"}
	Developer = Persona{Name: "developer", Group: "platform:developers"}
	// Previewer is the in-VPC runner's preview role: pull-request previews read the cluster's
	// objects (no Secrets), never write them.
	Previewer = Persona{Name: "previewer", Group: "platform:previewers", AccessPolicy: "AmazonEKSViewPolicy"}
	Personas  = []Persona{Admin, Gitops, Developer, Previewer}
)

// PolicyArn is the ARN of the persona's access policy in a partition.
func (p Persona) PolicyArn(partition string) string {
	return fmt.Sprintf("arn:%s:eks::aws:cluster-access-policy/%s", partition, p.AccessPolicy)
}

// LogTypes are the control-plane log types; all are enabled.
var LogTypes = []string{"api", "audit", "authenticator", "controllerManager", "scheduler"}

// NodeRolePolicies are the only managed policies of the node role: the CNI policy lives on the
// CNI's own IRSA role, not on every node.
var NodeRolePolicies = []string{"AmazonEC2ContainerRegistryReadOnly", "AmazonEKSWorkerNodePolicy"}

// Service accounts of the managed add-ons that run on IRSA roles.
const (
	CNIServiceAccountNamespace    = "kube-system"
	CNIServiceAccount             = "aws-node"
	EBSCSIServiceAccountNamespace = "kube-system"
	EBSCSIServiceAccount          = "ebs-csi-controller-sa"
	EFSCSIServiceAccountNamespace = "kube-system"
)

// EFSCSIServiceAccounts are the EFS CSI driver's controller and node service accounts: both run
// on its role, the node plugin for IAM-authorised mounts.
var EFSCSIServiceAccounts = []string{"efs-csi-controller-sa", "efs-csi-node-sa"}

// The managed add-ons of the cluster.
const (
	AddonVPCCNI    = "vpc-cni"
	AddonEBSCSI    = "aws-ebs-csi-driver"
	AddonEFSCSI    = "aws-efs-csi-driver"
	AddonCoreDNS   = "coredns"
	AddonKubeProxy = "kube-proxy"
)

// EFSCSIDriver is the CSI driver name of EFS volumes.
const EFSCSIDriver = "efs.csi.aws.com"

// ManagedPolicyArn is the ARN of an AWS managed policy.
func ManagedPolicyArn(partition, name string) string {
	return fmt.Sprintf("arn:%s:iam::aws:policy/%s", partition, name)
}
