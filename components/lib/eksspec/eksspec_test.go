package eksspec_test

import (
	"slices"
	"testing"

	"github.com/securestack/platform/components/lib/eksspec"
)

// These facts are what the requirements ask for; the component and the controls both read them,
// so a change here would pass both silently. The literals below make any change a reviewed diff.

func TestAllFiveControlPlaneLogTypes(t *testing.T) {
	want := []string{"api", "audit", "authenticator", "controllerManager", "scheduler"}
	if !slices.Equal(eksspec.LogTypes, want) {
		t.Errorf("LogTypes = %v, want %v", eksspec.LogTypes, want)
	}
}

func TestNodeRoleHasOnlyWorkerAndECRReadOnly(t *testing.T) {
	want := []string{"AmazonEC2ContainerRegistryReadOnly", "AmazonEKSWorkerNodePolicy"}
	if !slices.Equal(eksspec.NodeRolePolicies, want) {
		t.Errorf("NodeRolePolicies = %v, want %v", eksspec.NodeRolePolicies, want)
	}
}

func TestPersonasAreAdminGitopsDeveloperPreviewerWithLeastPrivilege(t *testing.T) {
	want := []eksspec.Persona{
		{Name: "admin", Group: "platform:admins", AccessPolicy: "AmazonEKSClusterAdminPolicy"},
		// gitops and developers: no EKS access policy; their Roles in the application namespaces
		// are all they hold.
		{Name: "gitops", Group: "platform:gitops"},
		{Name: "developer", Group: "platform:developers"},
		{Name: "previewer", Group: "platform:previewers", AccessPolicy: "AmazonEKSViewPolicy"},
	}
	if !slices.Equal(eksspec.Personas, want) {
		t.Errorf("Personas = %+v, want %+v", eksspec.Personas, want)
	}
	for i, p := range []eksspec.Persona{eksspec.Admin, eksspec.Gitops, eksspec.Developer, eksspec.Previewer} {
		if p != want[i] {
			t.Errorf("persona variable %d = %+v, want %+v", i, p, want[i])
		}
	}
	if got := eksspec.Admin.PolicyArn("aws"); got != "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy" {
		t.Errorf("admin policy ARN %s", got)
	}
}

// The preview role runs pull-request code: it reads the whole cluster (a preview diffs every
// namespace) and can never write, whatever else changes.
func TestPreviewerIsClusterScopedButReadOnly(t *testing.T) {
	p := eksspec.Previewer
	if got := p.PolicyArn("aws"); got != "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy" {
		t.Errorf("previewer policy ARN %s, want the view policy", got)
	}
	for _, write := range []string{"AmazonEKSClusterAdminPolicy", "AmazonEKSAdminPolicy", "AmazonEKSEditPolicy"} {
		if p.AccessPolicy == write {
			t.Errorf("previewer holds the writing policy %s", write)
		}
	}
	groups := map[string]string{}
	for _, q := range eksspec.Personas {
		if other, dup := groups[q.Group]; dup {
			t.Errorf("personas %s and %s share the group %s: RBAC could not tell them apart", other, q.Name, q.Group)
		}
		groups[q.Group] = q.Name
	}
}

func TestAddonNamesAndServiceAccounts(t *testing.T) {
	for _, c := range []struct{ name, got, want string }{
		{"AddonVPCCNI", eksspec.AddonVPCCNI, "vpc-cni"},
		{"AddonEBSCSI", eksspec.AddonEBSCSI, "aws-ebs-csi-driver"},
		{"AddonEFSCSI", eksspec.AddonEFSCSI, "aws-efs-csi-driver"},
		{"AddonCoreDNS", eksspec.AddonCoreDNS, "coredns"},
		{"AddonKubeProxy", eksspec.AddonKubeProxy, "kube-proxy"},
		{"EFSCSIDriver", eksspec.EFSCSIDriver, "efs.csi.aws.com"},
		{"CNIServiceAccountNamespace", eksspec.CNIServiceAccountNamespace, "kube-system"},
		{"CNIServiceAccount", eksspec.CNIServiceAccount, "aws-node"},
		{"EBSCSIServiceAccountNamespace", eksspec.EBSCSIServiceAccountNamespace, "kube-system"},
		{"EBSCSIServiceAccount", eksspec.EBSCSIServiceAccount, "ebs-csi-controller-sa"},
		{"EFSCSIServiceAccountNamespace", eksspec.EFSCSIServiceAccountNamespace, "kube-system"},
	} {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	// Both the controller and the node plugin (which performs IAM-authorised mounts): no more.
	if want := []string{"efs-csi-controller-sa", "efs-csi-node-sa"}; !slices.Equal(eksspec.EFSCSIServiceAccounts, want) {
		t.Errorf("EFSCSIServiceAccounts = %v, want %v", eksspec.EFSCSIServiceAccounts, want)
	}
	if got := eksspec.ManagedPolicyArn("aws", "service-role/AmazonEBSCSIDriverPolicy"); got != "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy" {
		t.Errorf("ManagedPolicyArn = %s", got)
	}
}
