// Package graph is the recorded resource graph of one Pulumi program run: every registered
// resource with its type token, logical name, URN, parent, dependencies, options and inputs.
//
// The recorder (package recorder) fills it from a run under Pulumi mocks; the security controls
// (package controls), the offline planner and the tests read it. Property access goes through
// paths such as "tags.Name" or "ingress[0].cidrBlocks[1]" and reports a missing path as an error
// that names the resource and the path, never as a panic.
package graph
