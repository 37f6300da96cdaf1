// Package infra is the composition root of the platform: it reads the stack config once
// (LoadConfig, the only reader of Pulumi config), builds the explicit AWS provider, and wires the
// components in dependency order — keys, network, runner, cluster, data stores and account baseline,
// then the in-cluster layer. The service catalog (platform:services) is compiled here into each
// service's IAM role and policy (from its intents), bucket and secret grants, EFS access point and
// workload; components never see the config. The same Run executes under the Pulumi engine, the
// test mocks and the offline planner.
package infra
