// Package planner is the offline plan: it records a stack under mocks (package recorder),
// evaluates every security control (package controls) and writes what a reviewer needs — a
// resource tree grouped by component, plan.json (every resource with inputs, parent, dependencies
// and options), report.md (the controls table with evidence and the diagrams, ready as a
// pull-request comment) and the Mermaid diagrams, each also as a file: components.mmd (the
// component graph), reachability.mmd (what the recorded NetworkPolicies allow, evaluated by
// cyclonus), supplychain.mmd (who pushes and pulls each image repository) and detection.mmd (where
// GuardDuty findings go). No cloud account and no Pulumi CLI.
package planner
