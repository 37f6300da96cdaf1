// Package detection provides threat detection: ThreatDetection, the account's GuardDuty detector
// (created, or adopted by id with its features still managed, or left to the organisation's
// GuardDuty administrator) with S3 data events, EKS audit logs, EBS malware protection and runtime
// monitoring with the EKS add-on managed, and its findings at or above a severity routed by an
// EventBridge rule to an SNS topic encrypted with a customer key; and Falco, the runtime sensor as
// a pinned Helm release in the one privileged namespace, eksspec.FalcoNamespace.
//
// The documents (the event pattern, the topic policy) are pure functions, so the controls judge
// exactly what is registered and tests need no mocks.
package detection
