package infra

import (
	"strings"
	"testing"
)

func TestDeployerPrincipalOfAnAssumedRoleSessionIsTheRole(t *testing.T) {
	arn, name := deployerPrincipal("arn:aws:sts::123456789012:assumed-role/ci-deploy/run-42")
	if arn != "arn:aws:iam::123456789012:role/ci-deploy" || name != "ci-deploy" {
		t.Errorf("got %s %s", arn, name)
	}
	if arn, name := deployerPrincipal("arn:aws:iam::123456789012:user/alice"); arn != "arn:aws:iam::123456789012:user/alice" || name != "" {
		t.Errorf("user: got %s %s", arn, name)
	}
}

func TestAnAccessEntryForTheDeployerIsRefused(t *testing.T) {
	cfg := Defaults(Dev)
	cfg.Stack = "dev"
	cfg.Access.Admins = []string{"arn:aws:iam::123456789012:role/platform-admins"}
	cfg.Access.Gitops = []string{"arn:aws:iam::123456789012:role/cicd/ci-deploy"}
	err := checkDeployerNotMapped(&cfg, "arn:aws:sts::123456789012:assumed-role/ci-deploy/run-42")
	if err == nil || !strings.Contains(err.Error(), `platform:access.gitops[0]: "arn:aws:iam::123456789012:role/cicd/ci-deploy" is the principal running this deployment`) {
		t.Errorf("got %v", err)
	}
	if strings.Contains(err.Error(), "admins[0]") {
		t.Errorf("another role was refused: %v", err)
	}
	if err := checkDeployerNotMapped(&cfg, "arn:aws:sts::123456789012:assumed-role/other/x"); err != nil {
		t.Errorf("unrelated deployer: %v", err)
	}
}
