package kube_test

import (
	"fmt"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/securestack/platform/components/kube"
)

// ExampleTypeToken: the Pulumi Kubernetes provider names the core group "core".
func ExampleTypeToken() {
	fmt.Println(kube.TypeToken("v1", "ServiceAccount"))
	fmt.Println(kube.TypeToken("networking.k8s.io/v1", "NetworkPolicy"))
	// Output:
	// kubernetes:core/v1:ServiceAccount
	// kubernetes:networking.k8s.io/v1:NetworkPolicy
}

// TestInputsDropStatusAndNullsButKeepEmptyObjects: an emptyDir ({}) and an empty pod selector mean
// something; a null or a status does not.
func TestInputsDropStatusAndNullsButKeepEmptyObjects(t *testing.T) {
	pod := &corev1.Pod{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: metav1.ObjectMeta{Name: "p"},
		Spec:       corev1.PodSpec{Volumes: []corev1.Volume{{Name: "tmp", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}}},
	}
	in, err := kube.Inputs(pod)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(in); got != "map[apiVersion:v1 kind:Pod metadata:map[name:p] spec:map[containers:<nil> volumes:[map[emptyDir:map[] name:tmp]]]]" &&
		got != "map[apiVersion:v1 kind:Pod metadata:map[name:p] spec:map[volumes:[map[emptyDir:map[] name:tmp]]]]" {
		t.Errorf("inputs %s", got)
	}
	if _, ok := in["status"]; ok {
		t.Error("status kept")
	}
}
