// Package database provides Table, a DynamoDB table with secure defaults.
//
// A Table is encrypted at rest with a customer-managed KMS key (the platform's data key) unless the
// caller opts out explicitly with AWSOwnedKey, has point-in-time recovery always on, bills per
// request unless provisioned capacity is asked for, and carries deletion protection when the
// caller sets it (infra does in prod). Args are validated, every problem at once, before anything
// is registered.
//
// # Which key encrypts a table
//
// DynamoDB always encrypts tables at rest; the serverSideEncryption block only chooses the key, and
// its "enabled" flag is easy to misread:
//
//   - enabled = true with kmsKeyArn: a customer-managed key. Its key policy, rotation and CloudTrail
//     record are ours. This is CustomerKey, the default.
//   - enabled = true without kmsKeyArn: the AWS-managed key alias/aws/dynamodb. A Table never asks
//     for this.
//   - enabled = false (or the block left out): the AWS-owned key, which is not in the account and
//     cannot be audited or revoked. The table is still encrypted; "false" does not mean plaintext.
//     This is AWSOwnedKey, an explicit opt-out: control DDB-001 fails on such a table unless it is
//     waived with a reason, and the report shows the waiver.
package database
