// Package account provides Guardrails: the account- and region-wide settings the platform relies
// on — EBS encryption by default with the customer data key, and the S3 account-level public
// access block. They are singletons of the account, so each is either managed here or explicitly
// left to the organisation (and then the matching control must be waived with a reason saying
// where it is enforced): never silently skipped.
//
// Both are always RetainOnDelete: destroying a dev stack must not switch off an account-wide
// protection that other stacks in the same account depend on.
package account
