// Package encryption provides Keyring, the customer-managed KMS keys of the platform: one key per
// purpose (cluster secrets, logs, data at rest), each with rotation on, a deletion window, an
// alias, and an explicit key policy built as a typed document (package iampolicy).
//
// Every key policy lets the account root administer the key, so that it can never become
// unmanageable, and grants the AWS services that must use it no more than they need: the logs key
// only to CloudWatch Logs for this account's log groups (an encryption-context condition), the data
// key to principals of this account only when they call through the named AWS services
// (kms:CallerAccount and kms:ViaService conditions). No statement has an unconditioned `*` principal.
package encryption
