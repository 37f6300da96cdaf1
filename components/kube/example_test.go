package kube_test

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/securestack/platform/components/kube"
	"github.com/securestack/platform/proof/engine/recorder"
)

// ExampleRegister records, under mocks, a ServiceAccount written as the upstream type, with an
// annotation known only at deploy time (an IRSA role's ARN) merged into its metadata.
func ExampleRegister() {
	g, err := recorder.Record(recorder.Options{Stack: "dev", Program: func(ctx *pulumi.Context) error {
		sa := &corev1.ServiceAccount{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"},
			ObjectMeta: metav1.ObjectMeta{Name: "uploader", Namespace: "apps"},
		}
		_, err := kube.Register(ctx, "platform-dev-uploader", sa, kube.Annotations{
			"eks.amazonaws.com/role-arn": pulumi.String("arn:aws:iam::111111111111:role/platform-dev-uploader"),
		})
		return err
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	sa, _ := g.Named("kubernetes:core/v1:ServiceAccount", "platform-dev-uploader")
	namespace, _ := sa.String("metadata.namespace")
	role, _ := sa.String(`metadata.annotations["eks.amazonaws.com/role-arn"]`)
	fmt.Println(sa.Type, namespace, role)
	// Output:
	// kubernetes:core/v1:ServiceAccount apps arn:aws:iam::111111111111:role/platform-dev-uploader
}
