// Package deployrole computes the least-privilege IAM permission policy of the
// role CI assumes to run `pulumi up` for this project (the "deployer").
//
// The policy is derived from the Pulumi type tokens the stacks register and
// the invoke tokens the program calls: each token maps, in a table in
// deployrole.go, to the IAM actions the pulumi-aws provider (or pulumi-eks)
// calls to create, read, update and delete it. [Policy] refuses every token
// the table does not know, so registering a new resource type without its
// permissions fails a test instead of a deployment:
//
//	managed, err := deployrole.Policy(deployrole.Input{
//		Partition: "aws",
//		Project:   "platform",
//		Types:     recordedTypes,   // e.g. "aws:ec2/vpc:Vpc", "eks:index:Cluster"
//		Invokes:   recordedInvokes, // e.g. "aws:eks/getAddonVersion:getAddonVersion"
//	})
//
// # Shape of the policy
//
// Statements are defined once, by Sid, with their resources and conditions
// and a one-line reason; the token table only says which actions (and, for
// tag-on-create statements, which resource types and create actions) each
// token adds to which Sid. Statements are merged per Sid, and actions,
// resources and condition values are sorted, so the output is deterministic.
//
// Scoping follows three rules:
//
//   - Named resources are scoped by name: everything the stacks name starts
//     with "<project>-" (buckets, roles, tables, clusters, CodeBuild
//     projects, aliases alias/<project>-*, log groups /aws/vpc/<project>-*,
//     /aws/eks/<project>-*, /aws/codebuild/<project>-*), secrets with
//     "<project>/".
//   - Resources with generated IDs (EC2, KMS keys, EFS) are scoped by the tag
//     Project=<project> the provider puts on every taggable resource:
//     aws:RequestTag/Project on create (with ec2:CreateTags allowed only
//     together with the create actions used, via ec2:CreateAction) and
//     aws:ResourceTag/Project on every later change and delete.
//   - Resource "*" appears only where AWS offers no resource-level
//     permission: read/list/describe actions, kms:CreateKey (conditioned on
//     the request tag) and the account-level singletons (EBS encryption by
//     default and its key, the S3 account public access block).
//
// No action is a wildcard, not even a prefix wildcard such as ec2:Describe*:
// each action is listed by name.
//
// # One managed policy per area
//
// The whole policy does not fit the 6,144-character limit of one customer
// managed policy, so [Policy] returns one document per area (network,
// cluster, identity, keys, data, ci), each checked against [MaxPolicySize];
// attach them all to the deployer role (six of the ten managed policies a
// role may have by default). The area of every statement is fixed, so the
// set of policies does not change shape with the input.
//
// # What this does not cover
//
// The permissions are what the providers call as documented or as read
// from their source; each table entry's reason names the assumptions that
// could not be verified. Only a real `pulumi up` with the role proves the
// list complete. The deployer can create roles named <project>-*, put inline
// policies on them and pass them to CodeBuild: it is as powerful as any role
// it can create, as every deployer that manages IAM is. A statement denies it
// changing its own role; name the deployer roles outside <project>-* (or give
// every role a permissions boundary) so sibling deployer roles cannot change
// each other.
package deployrole
