package detection_test

import (
	"fmt"

	"github.com/securestack/platform/components/detection"
)

// ExampleFindingsPattern prints the EventBridge pattern that routes GuardDuty findings of high
// severity and above.
func ExampleFindingsPattern() {
	pattern, _ := detection.FindingsPattern("high")
	fmt.Println(pattern)
	// Output:
	// {"detail":{"severity":[{"numeric":[">=",7]}]},"detail-type":["GuardDuty Finding"],"source":["aws.guardduty"]}
}

// ExampleFeatures lists the detector features the platform turns on.
func ExampleFeatures() {
	for _, f := range detection.Features {
		fmt.Println(f.Name, f.Additional)
	}
	// Output:
	// S3_DATA_EVENTS []
	// EKS_AUDIT_LOGS []
	// EBS_MALWARE_PROTECTION []
	// RUNTIME_MONITORING [EKS_ADDON_MANAGEMENT]
}
