package cluster_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/securestack/platform/components/cluster"
	"github.com/securestack/platform/components/lib/iampolicy"
	"github.com/securestack/platform/proof/engine/graph"
)

// addonNames are the add-ons of the recorded cluster, by child name.
func addonNames(g *graph.Graph) []string {
	var out []string
	for _, r := range g.OfType(tAddon) {
		out = append(out, r.Name)
	}
	return out
}

func TestEveryAddonIsPinnedToTheDefaultVersionOfTheClusterVersion(t *testing.T) {
	for version, want := range map[string]string{"1.34": "v34.0-eksbuild.1", "1.33": "v33.0-eksbuild.1"} {
		g := record(t, func(a *cluster.ClusterArgs, _ pulumi.StringInput) { a.Version = version })
		if got := addonNames(g); !slices.Equal(got, []string{"c-coredns", "c-ebs-csi", "c-kube-proxy", "c-vpc-cni"}) {
			t.Errorf("%s: add-ons %v, want coredns, ebs-csi, kube-proxy and vpc-cni", version, got)
		}
		for _, r := range g.OfType(tAddon) {
			wantString(t, r, "addonVersion", want)
			wantString(t, r, "clusterName", "platform-dev")
			wantString(t, r, "resolveConflictsOnCreate", "OVERWRITE")
			wantString(t, r, "resolveConflictsOnUpdate", "OVERWRITE")
		}
	}
}

func TestCoreDNSAndKubeProxyAreManagedAfterTheNodesWithoutARole(t *testing.T) {
	g := record(t, nil)
	eks := named(t, g, tCluster, name)
	nodes := named(t, g, tNodeGroup, "c-system")
	for key, addon := range map[string]string{"coredns": "coredns", "kube-proxy": "kube-proxy"} {
		r := named(t, g, tAddon, "c-"+key)
		wantString(t, r, "addonName", addon)
		wantAbsent(t, r, "serviceAccountRoleArn")
		wantAbsent(t, r, "configurationValues")
		if !g.DependsOn(r, nodes.URN) || !g.DependsOn(r, eks.URN) {
			t.Errorf("%s does not wait for the cluster and the node group (CoreDNS needs nodes to become active)", r.Name)
		}
	}
	// The IRSA add-ons keep their roles and the CNI its NetworkPolicy configuration.
	for key, want := range map[string]string{"vpc-cni": "vpc-cni", "ebs-csi": "aws-ebs-csi-driver"} {
		r := named(t, g, tAddon, "c-"+key)
		wantString(t, r, "addonName", want)
		wantString(t, r, "serviceAccountRoleArn", named(t, g, tRole, "c-"+key).Outputs.Get("arn").AsString())
	}
	wantString(t, named(t, g, tAddon, "c-vpc-cni"), "configurationValues", `{"enableNetworkPolicy":"true"}`)
}

func TestEFSCSIDriverRunsOnARoleOfItsTwoServiceAccountsWithNoPermissionOfItsOwn(t *testing.T) {
	g := record(t, func(a *cluster.ClusterArgs, _ pulumi.StringInput) { a.EFSCSIDriver = true })
	eks := named(t, g, tCluster, name)
	comp := named(t, g, cluster.TypeToken, name)
	providerArn := eks.Outputs.Get("oidcProviderArn").AsString()
	issuer := eks.Outputs.Get("oidcIssuer").AsString()

	role := named(t, g, tRole, "c-efs-csi")
	if role.Parent != comp.URN {
		t.Errorf("role parent %s, want the component", role.Parent)
	}
	wantString(t, role, "description", "IRSA role of kube-system/efs-csi-controller-sa,efs-csi-node-sa in platform-dev")
	text, err := role.String("assumeRolePolicy")
	if err != nil {
		t.Fatal(err)
	}
	want, err := iampolicy.WebIdentityTrust(providerArn, issuer, "kube-system", "efs-csi-controller-sa", "efs-csi-node-sa").JSON()
	if err != nil || text != want {
		t.Errorf("trust:\n got  %s\n want %s (%v)", text, want, err)
	}
	trust, err := iampolicy.Parse(text)
	if err != nil || len(trust.Statements) != 1 {
		t.Fatalf("trust %s: %v; want one statement", text, err)
	}
	s := trust.Statements[0]
	if subs := s.ConditionValues("StringEquals", issuer+":sub"); !slices.Equal(subs, []string{
		"system:serviceaccount:kube-system:efs-csi-controller-sa", "system:serviceaccount:kube-system:efs-csi-node-sa"}) {
		t.Errorf("trusted subs %v, want exactly the controller and the node service accounts", subs)
	}
	if aud := s.ConditionValues("StringEquals", issuer+":aud"); !slices.Equal(aud, []string{"sts.amazonaws.com"}) {
		t.Errorf("audience %v, want [sts.amazonaws.com]", aud)
	}
	if !slices.Equal(s.Principal.Federated, []string{providerArn}) || s.Sid != "ServiceAccountKubeSystemEfsCsiControllerSaEfsCsiNodeSa" {
		t.Errorf("statement %s of %v, want the cluster's OIDC provider", s.Sid, s.Principal.Federated)
	}
	for _, typ := range []string{tAttachment, tRolePolicy} {
		for _, r := range g.OfType(typ) {
			if strings.HasPrefix(r.Name, "c-efs-csi") {
				t.Errorf("%s %s: the EFS CSI role holds no permission of its own (file systems grant mounts)", typ, r.Name)
			}
		}
	}

	addon := named(t, g, tAddon, "c-efs-csi")
	wantString(t, addon, "addonName", "aws-efs-csi-driver")
	wantString(t, addon, "addonVersion", "v34.0-eksbuild.1")
	wantString(t, addon, "serviceAccountRoleArn", role.Outputs.Get("arn").AsString())
	wantAbsent(t, addon, "configurationValues")
	for _, dep := range []string{eks.URN, role.URN, named(t, g, tNodeGroup, "c-system").URN} {
		if !g.DependsOn(addon, dep) {
			t.Errorf("the EFS CSI add-on does not wait for %s", dep)
		}
	}
	if got := addonNames(g); !slices.Equal(got, []string{"c-coredns", "c-ebs-csi", "c-efs-csi", "c-kube-proxy", "c-vpc-cni"}) {
		t.Errorf("add-ons %v", got)
	}
}

func TestNoEFSCSIDriverByDefault(t *testing.T) {
	g := record(t, nil)
	for _, typ := range []string{tRole, tAddon} {
		if _, err := g.Named(typ, "c-efs-csi"); err == nil {
			t.Errorf("%s c-efs-csi exists without EFSCSIDriver", typ)
		}
	}
}
