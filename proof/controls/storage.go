package controls

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

const typeStorageClass = "kubernetes:storage.k8s.io/v1:StorageClass"

var storageControls = []*Control{
	{ID: "STO-001", Title: "EBS StorageClasses encrypt with a customer key, and the cluster's default class is one of them",
		Section: section4, Requirement: reqKMS, Severity: High,
		Types: []string{typeStorageClass}, Resource: checkStorageClass, Graph: checkDefaultStorageClass},
}

func checkStorageClass(_ string, props property.Map) []Violation {
	if p, _ := str(props, "provisioner"); p != "ebs.csi.aws.com" {
		return nil
	}
	var vs []Violation
	if v, _ := str(props, `parameters["encrypted"]`); v != "true" {
		vs = append(vs, Violation{Path: "parameters.encrypted", Value: describe(props, `parameters["encrypted"]`), Message: `EBS volumes must be encrypted ("true")`})
	}
	if k, _ := str(props, `parameters["kmsKeyId"]`); k == "" {
		vs = append(vs, Violation{Path: "parameters.kmsKeyId", Value: describe(props, `parameters["kmsKeyId"]`), Message: "encrypt with the customer data key, not the AWS-managed key"})
	}
	return vs
}

func checkDefaultStorageClass(t Target) (int, []Finding) {
	clusters := t.Graph.OfType(typeEKSCluster)
	if len(clusters) == 0 {
		return 0, nil
	}
	var defaults []string
	var fs []Finding
	for _, sc := range t.Graph.OfType(typeStorageClass) {
		if v, _ := sc.String(`metadata.annotations["storageclass.kubernetes.io/is-default-class"]`); v == "true" {
			defaults = append(defaults, sc.URN)
			if len(checkStorageClass(sc.Type, sc.Inputs)) > 0 {
				fs = append(fs, Finding{URN: sc.URN, Violation: Violation{Path: "parameters", Value: describe(sc.Inputs, "parameters"), Message: "the default StorageClass must be encrypted with the customer key"}})
			}
		}
	}
	if len(defaults) != 1 {
		fs = append(fs, Finding{URN: clusters[0].URN, Violation: Violation{Path: "defaultStorageClass", Value: fmt.Sprint(defaults),
			Message: "exactly one default StorageClass, encrypted, must exist (claims without a class would otherwise get an unencrypted one)"}})
	}
	return len(clusters), fs
}
