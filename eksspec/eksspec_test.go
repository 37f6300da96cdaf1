package eksspec_test

import (
	"slices"
	"testing"

	"github.com/securestack/platform/eksspec"
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

func TestPersonasAreAdminGitopsDeveloperWithLeastPrivilege(t *testing.T) {
	want := []eksspec.Persona{
		{Name: "admin", Group: "platform:admins", AccessPolicy: "AmazonEKSClusterAdminPolicy"},
		{Name: "gitops", Group: "platform:gitops", AccessPolicy: "AmazonEKSEditPolicy", NamespaceScoped: true},
		{Name: "developer", Group: "platform:developers", AccessPolicy: "AmazonEKSViewPolicy", NamespaceScoped: true},
	}
	if !slices.Equal(eksspec.Personas, want) {
		t.Errorf("Personas = %+v, want %+v", eksspec.Personas, want)
	}
	if got := eksspec.Admin.PolicyArn("aws"); got != "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy" {
		t.Errorf("admin policy ARN %s", got)
	}
}
