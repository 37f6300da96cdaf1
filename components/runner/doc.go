// Package runner provides Runner: the in-VPC deploy runner. A private-only API endpoint can be
// reached only from inside the VPC, and the very first deploy has no VPC to run in; so the
// platform builds, in its cloud layer, two CodeBuild projects in the private subnets — "preview"
// and "deploy" — that run `pulumi preview` and `pulumi up` from there. CI uploads the source to the
// runner's bucket (under preview/ or deploy/, SourceKey) and starts a build naming that object;
// for these two projects nothing in the AWS account needs a credential of GitHub.
//
// Each project has its own service role, which may read only its own source prefix, read the
// Pulumi access token secret, write its own log streams, manage the build's network interfaces in
// the runner's subnets, and assume exactly one role: the deploy or the preview role, created out of
// band (deploy/iam), so that the stack never manages the permissions of what deploys it, and
// pull-request code (previews) never holds deploy rights. The runner's security group admits
// nothing and may reach HTTPS only; the cluster admits it to the API endpoint.
//
// Optionally (RunnerArgs.GitHubActions) a third project, "actions", is a CodeBuild-hosted GitHub
// Actions runner in the same subnets behind the same security group: a GitHub source reached
// through a CodeConnections connection, and a repository webhook that starts a build only for a
// queued workflow job (WORKFLOW_JOB_QUEUED) of one workflow whose runs-on label names the project
// (RunsOnLabel). That connection is a credential of GitHub which AWS holds, and the one exception
// to the sentence above; it is off unless configured. Its role may assume only the preview role.
package runner
