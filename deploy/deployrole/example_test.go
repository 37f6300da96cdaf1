package deployrole_test

import (
	"fmt"

	"github.com/securestack/platform/deploy/deployrole"
)

// The managed policies of a deployer that creates a VPC with flow logs and a KMS key.
func ExamplePolicy() {
	policies, err := deployrole.Policy(deployrole.Input{
		Partition: "aws",
		Project:   "platform",
		Types:     []string{"aws:ec2/vpc:Vpc", "aws:ec2/flowLog:FlowLog", "aws:kms/key:Key", "platform:network:Vpc"},
		Invokes:   []string{"aws:index/getCallerIdentity:getCallerIdentity"},
	})
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	for _, p := range policies {
		var sids []string
		for _, s := range p.Document.Statements {
			sids = append(sids, s.Sid)
		}
		fmt.Println(p.Area, sids)
	}
	// Output:
	// network [EC2CreateTagged EC2ModifyOwned EC2RetagOwned EC2TagOnCreate NetworkRead]
	// identity [IAMPassRoleToServices]
	// keys [KMSAdministerProjectKeys KMSCreateKey KMSTagNewKeys]
}
