// Package planner is the offline plan: it records a stack under mocks (package recorder),
// evaluates every security control (package controls) and writes what a reviewer needs — a
// resource tree grouped by component, plan.json (every resource with inputs, parent, dependencies
// and options), report.md (the controls table with evidence, ready as a pull-request comment) and
// components.mmd (a Mermaid diagram of the component graph). No cloud account and no Pulumi CLI.
package planner
