// Package plandiff compares two offline plans of the same stacks (the plan.json files that
// `go run ./cmd/plan -stack <s> -out <dir>` writes, see planner.Plan.JSON): the resources a pull
// request adds and removes, the inputs it changes (per property path, old → new) and the data it
// would lose. It is what a reviewer of a pull request from a fork sees instead of a real
// `pulumi preview`, which needs credentials.
//
// Data loss is a stateful resource (controls.StatefulTypes: keys, log groups, the cluster,
// buckets, tables, file systems, secrets, image repositories) whose URN disappears — Pulumi
// deletes it, whether or not a resource with a new URN takes its place — or whose input fixed at
// creation changes, which the provider can only apply by replacing it (FixedInputs). The gate
// fails on data loss unless the pull request carries the label OverrideLabel.
//
// Secrets stay masked: plan.json holds "[secret]" for every secret value (graph.Plain), so the
// diff can show that an input became or stopped being a secret, or appeared or disappeared as one,
// never what it holds.
// Offline every secret is a mock output or the placeholder of an undecryptable config value, so a
// change of a secret's value is not visible here; `pulumi preview` shows it.
//
// The package is pure: it parses bytes and renders Markdown; cmd/plandiff reads the folders.
package plandiff
