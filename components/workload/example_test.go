package workload_test

import (
	"fmt"

	"github.com/securestack/platform/components/workload"
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
