// Package infra is the composition root of the platform: it reads the stack config once
// (LoadConfig, the only reader of Pulumi config), builds the explicit AWS provider, and wires the
// components in dependency order — keys, then network, then (as capabilities land) the cluster and
// what runs in it. The same Run executes under the Pulumi engine, the test mocks and the offline
// planner.
package infra
