// Package recorder runs the platform program for a named stack under Pulumi mocks and records
// every registered resource into a graph.Graph: the engine the tests and the offline planner share.
//
// Stack config is read from stacks/Pulumi.<stack>.yaml with the Pulumi SDK's own loaders (package
// stackconfig) and reaches the program through pulumi.RunInfo, exactly as the CLI would pass it.
// The mocks return realistic, deterministic outputs (ids, ARNs, the plain outputs of remote
// components such as eks:index:Cluster) and answer the invokes the program uses; an invoke without
// a mock is an error, so a new data-source call cannot slip by untested. With DryRun the mocks leave
// provider-computed outputs of custom resources unknown, as a `pulumi preview` does (the plain
// outputs of remote components stay known: the SDK's mock monitor cannot carry an unknown inside a
// secret, which the kubeconfig is).
package recorder
