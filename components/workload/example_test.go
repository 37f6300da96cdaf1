package workload_test

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/securestack/platform/components/workload"
	"github.com/securestack/platform/proof/engine/recorder"
)

// ExampleBuild shows what a service declared as "the frontend calls it on 8000, it uses AWS" is
// made of.
func ExampleBuild() {
	o := workload.Build(&workload.ServiceArgs{
		Name: "uploader", Namespace: "apps", Port: 8000, Replicas: 2, UID: 1000, GID: 1000,
		Image:     "123456789012.dkr.ecr.eu-west-1.amazonaws.com/platform/uploader:1.0.0",
		Resources: workload.Resources{CPU: "100m", Memory: "128Mi", CPULimit: "500m", MemoryLimit: "256Mi"},
		Callers:   []workload.Peer{{Service: "frontend", Namespace: "apps"}},
		AWSAPIs:   true,
	})
	fmt.Println(o.ServiceAccount.Name, o.Deployment.Name, o.Service.Name, o.Disruption.Name)
	for _, np := range o.NetworkPolicies {
		fmt.Println(np.Name, len(np.Spec.Ingress), "ingress rule(s),", len(np.Spec.Egress), "egress rule(s)")
	}
	// Output:
	// uploader uploader uploader uploader
	// uploader-ingress 1 ingress rule(s), 0 egress rule(s)
	// uploader-egress 0 ingress rule(s), 2 egress rule(s)
}

// ExampleNewService records, under mocks, the processor: its ServiceAccount (annotated with its
// IRSA role), Deployment, Service and PodDisruptionBudget share its name; its NetworkPolicies and
// its volume's claim are "<name>-<role>".
func ExampleNewService() {
	g, err := recorder.Record(recorder.Options{Stack: "dev", Program: func(ctx *pulumi.Context) error {
		_, err := workload.NewService(ctx, "platform-dev-processor", &workload.ServiceArgs{
			Name: "processor", Namespace: "apps", Port: 8080,
			Image:     "111111111111.dkr.ecr.eu-west-1.amazonaws.com/platform/dev/processor:1.0.0",
			Resources: workload.Resources{CPU: "250m", Memory: "256Mi", CPULimit: "1", MemoryLimit: "512Mi"},
			Callers:   []workload.Peer{{Service: "uploader", Namespace: "apps"}},
			AWSAPIs:   true,
			RoleArn:   pulumi.String("arn:aws:iam::111111111111:role/platform-dev-processor"),
			NFSCIDRs:  []string{"10.10.0.0/19", "10.10.32.0/19"},
			Volumes: []workload.Volume{{Name: "scratch", Claim: "processor-scratch",
				VolumeName: "platform-dev-processor-scratch", Size: "5Gi", MountPath: "/scratch"}},
		})
		return err
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(g.Listing())
	d, _ := g.Named("kubernetes:apps/v1:Deployment", "platform-dev-processor")
	replicas, _ := d.Int("spec.replicas")
	uid, _ := d.Int("spec.template.spec.securityContext.runAsUser")
	readOnly, _ := d.Bool("spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem")
	fmt.Println("replicas:", replicas, "uid:", uid, "read-only root:", readOnly)
	// Output:
	// platform-dev-processor kubernetes:apps/v1:Deployment
	// platform-dev-processor-scratch kubernetes:core/v1:PersistentVolumeClaim
	// platform-dev-processor kubernetes:core/v1:Service
	// platform-dev-processor kubernetes:core/v1:ServiceAccount
	// platform-dev-processor-egress kubernetes:networking.k8s.io/v1:NetworkPolicy
	// platform-dev-processor-ingress kubernetes:networking.k8s.io/v1:NetworkPolicy
	// platform-dev-processor kubernetes:policy/v1:PodDisruptionBudget
	// platform-dev-processor platform:workload:Service
	// replicas: 2 uid: 1000 read-only root: true
}
