package kube

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Object is a Kubernetes object registered with the Pulumi Kubernetes provider.
type Object struct {
	pulumi.CustomResourceState
}

// Typed is any k8s.io/api object: it carries its apiVersion and kind.
type Typed interface {
	GetObjectKind() schema.ObjectKind
}

// TypeToken is the Pulumi type of a Kubernetes kind: the core group is "core".
func TypeToken(apiVersion, kind string) string {
	if !strings.Contains(apiVersion, "/") {
		apiVersion = "core/" + apiVersion
	}
	return fmt.Sprintf("kubernetes:%s:%s", apiVersion, kind)
}

// Inputs turns an object into the provider's inputs: its JSON fields, without status and without
// the nulls the Go types write for unset fields.
func Inputs(obj Typed) (map[string]any, error) {
	b, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	delete(m, "status")
	return dropNulls(m).(map[string]any), nil
}

func dropNulls(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			if e == nil {
				delete(t, k)
				continue
			}
			t[k] = dropNulls(e)
		}
	case []any:
		for i, e := range t {
			t[i] = dropNulls(e)
		}
	}
	return v
}

// Annotations are metadata annotations whose values are known only at deploy time (an IAM role's
// ARN, for example).
type Annotations map[string]pulumi.StringInput

// Register registers obj under the logical name. The object must name its apiVersion and kind.
// late, if any, are merged into metadata.annotations.
func Register(ctx *pulumi.Context, name string, obj Typed, late Annotations, opts ...pulumi.ResourceOption) (*Object, error) {
	gvk := obj.GetObjectKind().GroupVersionKind()
	if gvk.Kind == "" || gvk.Version == "" {
		return nil, fmt.Errorf("kube: %s: the object has no apiVersion and kind", name)
	}
	inputs, err := Inputs(obj)
	if err != nil {
		return nil, fmt.Errorf("kube: %s: %w", name, err)
	}
	args := pulumi.Map{}
	for k, v := range inputs {
		args[k] = pulumi.Any(v)
	}
	if len(late) > 0 {
		meta, _ := inputs["metadata"].(map[string]any)
		annotations := pulumi.StringMap{}
		if known, ok := meta["annotations"].(map[string]any); ok {
			for k, v := range known {
				annotations[k] = pulumi.String(fmt.Sprint(v))
			}
		}
		for k, v := range late {
			annotations[k] = v
		}
		metadata := pulumi.Map{}
		for k, v := range meta {
			metadata[k] = pulumi.Any(v)
		}
		metadata["annotations"] = annotations
		args["metadata"] = metadata
	}
	apiVersion, kind := gvk.ToAPIVersionAndKind()
	var out Object
	if err := ctx.RegisterResource(TypeToken(apiVersion, kind), name, args, &out, opts...); err != nil {
		return nil, err
	}
	return &out, nil
}
