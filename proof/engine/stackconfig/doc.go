// Package stackconfig reads Pulumi stack configuration the way the Pulumi CLI hands it to a
// program, so that the offline planner and the tests see exactly what `pulumi up` would:
//
//   - Load reads Pulumi.yaml and stacks/Pulumi.<stack>.yaml with the Pulumi SDK's own loaders
//     (workspace.LoadProject, workspace.LoadProjectStack); structured values become JSON strings,
//     as the CLI passes them. Encrypted (`secure:`) values cannot be decrypted without the stack's
//     secrets provider, so they are replaced by Placeholder and listed.
//   - Keys lists every config key the running program was given: from the Go context the recorder
//     sets (WithKeys), or else from the engine's PULUMI_CONFIG environment variable, the same
//     source the Pulumi Go SDK itself reads. The program needs the full list to reject unknown keys.
package stackconfig
