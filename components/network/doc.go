// Package network provides Vpc, a multi-AZ VPC built from pulumi-aws primitives with secure
// defaults, and Plan, the pure subnet layout it is built from.
//
// Per availability zone a Vpc has one public subnet (for load balancers and NAT gateways only) and
// one private subnet (for nodes and pods); no subnet maps public IPs on launch. Private route tables
// send 0.0.0.0/0 to a NAT gateway — the one in their own zone with NatPerAz — never to the internet
// gateway. The VPC's default security group is adopted and emptied, flow logs for all traffic go to
// a KMS-encrypted, retained log group through a least-privilege role, and S3 and DynamoDB are
// reached through gateway endpoints. Child names are keyed by zone and tier, never by position, so
// adding a zone only adds resources.
package network
