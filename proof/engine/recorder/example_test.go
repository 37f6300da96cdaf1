package recorder_test

import (
	"fmt"

	"github.com/securestack/platform/proof/engine/recorder"
)

// ExampleRecord records the prod stack offline and inspects what it asks AWS for.
func ExampleRecord() {
	g, err := recorder.Record(recorder.Options{Stack: "prod"})
	if err != nil {
		fmt.Println(err)
		return
	}
	counts := g.CountByType()
	fmt.Println("NAT gateways:", counts["aws:ec2/natGateway:NatGateway"])
	fmt.Println("subnets:", counts["aws:ec2/subnet:Subnet"])
	key, _ := g.Named("aws:kms/key:Key", "platform-prod-data")
	rotates, _ := key.Bool("enableKeyRotation")
	fmt.Println("data key rotates:", rotates, "protected:", key.Protect)
	// Output:
	// NAT gateways: 3
	// subnets: 6
	// data key rotates: true protected: true
}
