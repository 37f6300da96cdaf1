// Package cluster provides Cluster: an EKS cluster built with pulumi-eks, with every
// security-relevant field set explicitly because pulumi-eks's own defaults are not secure (public
// endpoint, no logs, no KMS, no OIDC, a self-managed default node group with public IPs):
//
//   - API endpoint private; public access only with an allow-list (never in prod, by config);
//   - all five control-plane log types, into a log group created first, KMS-encrypted and retained,
//     so that EKS never creates an unencrypted, never-expiring one;
//   - Kubernetes Secrets envelope-encrypted with the cluster key; OIDC provider for IRSA;
//   - authentication mode API, with access entries for the admin, gitops and developer personas
//     (Personas: the Kubernetes group names are defined here once, for RBAC to bind);
//   - no default node group; managed node groups in private subnets, from a launch template that
//     requires IMDSv2 with hop limit 1, encrypts the root volume with the data key and has no SSH;
//     a node role with only the worker-node and ECR read-only policies;
//   - the VPC CNI as a managed add-on with NetworkPolicy enforcement on, under its own IRSA role, and
//     the EBS CSI driver on its own IRSA role.
//
// Ordering, and why: the CNI's IRSA role trusts the cluster's OIDC provider, which exists only once
// the cluster does, so the vpc-cni add-on cannot be configured through the cluster's own inputs; it
// is a separate aws.eks.Addon created after the cluster (it adopts the default aws-node with
// OVERWRITE), and every node group depends on it, so that no node starts without a working,
// policy-enforcing CNI. The EBS CSI add-on waits for the node groups, as its controller needs nodes.
//
// pulumi-eks always creates the cluster with bootstrapClusterCreatorAdminPermissions=true (not
// overridable in v3; pulumi/pulumi-eks#2373): the principal that runs `pulumi up` gets a
// cluster-admin access entry outside this component's control. Deploy with a dedicated CI role,
// do not also list that role among the admins (a duplicate entry fails), and treat the deploy role
// as a cluster admin in reviews.
package cluster
