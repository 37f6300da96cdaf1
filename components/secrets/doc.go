// Package secrets provides Secret, an AWS Secrets Manager secret for high-value credentials
// (database passwords, API keys of third parties, signing keys). Kubernetes Secrets remain for
// non-sensitive configuration only; anything whose disclosure matters lives here, where every read
// is authorised by IAM and recorded by CloudTrail.
//
// A Secret is encrypted with the customer-managed data key, has a recovery window of 7 to 30 days
// (never a force delete), and a resource policy (see SecretPolicy) that
//
//   - allows its reader roles (the IRSA roles of the workloads that use it) to read and describe it;
//   - denies secretsmanager:GetSecretValue to every other principal, whatever their IAM policies
//     grant: an account administrator with secretsmanager:* cannot read the value without being
//     made a reader (an explicit deny in a resource policy beats any allow);
//   - with no readers, denies GetSecretValue to everyone, so that nobody can read the value until
//     readers are configured.
//
// The policy is put with BlockPublicPolicy, so Secrets Manager refuses it if it would grant access
// outside the account.
//
// # Values never pass through Pulumi
//
// A Secret creates the container only: no secretsmanager.SecretVersion is ever registered, so no
// secret value is in the program, its config, a preview or the Pulumi state. The owner of the
// credential writes the value out of band (aws secretsmanager put-secret-value, or a rotation
// function, whose role must then be a reader), and the workloads read it at run time.
//
// What the resource policy does not stop: a principal allowed to change the policy itself
// (secretsmanager:PutResourcePolicy / DeleteResourcePolicy) can make itself a reader. That is an
// administrator's action and is visible in CloudTrail; keep it to break-glass roles.
package secrets
