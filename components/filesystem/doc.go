// Package filesystem provides FileSystem, a shared EFS file system built from pulumi-aws primitives
// with secure defaults: the scratch storage of the media processor, mounted by pods running as
// UID 1000 through an access point.
//
// A FileSystem is always encrypted at rest with the customer data key (KmsKeyArn) and has
// automatic backups on. It is reachable only through one mount target per private subnet, behind
// a security group that admits NFS (TCP 2049) from the cluster nodes' security group and from
// nothing else (no CIDR, no egress rules). Its file system policy denies any access that is not
// over TLS (aws:SecureTransport false) and root access over NFS (elasticfilesystem:ClientRootAccess)
// to everyone, and allows mount and write only to principals of the account that come through a
// mount target (elasticfilesystem:AccessedViaMountTarget).
//
// Because the policy names account principals, clients must mount with IAM authorization and TLS
// (the EFS CSI driver's "tls" and "iam" mount options, i.e. encryptInTransit and an IAM identity
// allowed elasticfilesystem:ClientMount and ClientWrite): an anonymous NFS client is refused.
//
// Access points pin the POSIX identity and root directory of every client: the UID and GID are
// never 0 and the root directory is never the file system's root (the platform gives each service
// that mounts the file system its own: its UID and GID, /<service>, 0750). Child names are keyed by zone and
// access-point name, never by position, so adding a zone or an access point only adds resources.
package filesystem
