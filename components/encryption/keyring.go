package encryption

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// TypeToken is the Pulumi type of the Keyring component. It is in users' state: never change it.
const TypeToken = "platform:encryption:Keyring"

// Deletion windows KMS accepts, in days.
const (
	MinDeletionWindowDays     = 7
	DefaultDeletionWindowDays = 30
)

// KeyringArgs configures a Keyring. The zero value of each field is the secure default.
type KeyringArgs struct {
	// Account is where the keys live; required (its policies name the account and region).
	Account Account
	// AliasPrefix names the aliases "<AliasPrefix>-<purpose>"; required, e.g. "alias/platform-prod".
	AliasPrefix string
	// Purposes are the keys to create (of AllPurposes); nil means Purposes (cluster, logs, data),
	// the keys every stack needs. Alerts is asked for only by the stack that routes the account's
	// findings.
	Purposes []Purpose
	// DeletionWindowDays before a scheduled deletion takes effect: 7 to 30; 0 means 30, the
	// longest KMS allows, so a mistaken deletion has the most time to be cancelled.
	DeletionWindowDays int
	// Protect and RetainOnDelete keep the keys from being deleted with the stack (set them in prod):
	// data encrypted under a deleted key is lost for good. False (the default) lets a dev stack be
	// torn down; the deletion window still applies.
	Protect, RetainOnDelete bool
	// Tags are added to each key; nil adds none.
	Tags map[string]string
}

// Keyring is a set of customer-managed KMS keys, one per purpose.
type Keyring struct {
	pulumi.ResourceState

	// Keys by purpose.
	Keys map[Purpose]*kms.Key
	// Arns are the key ARNs by purpose.
	Arns map[Purpose]pulumi.StringOutput
}

// Arn returns the ARN of the key of a purpose; an error if the keyring has no such key.
func (k *Keyring) Arn(p Purpose) (pulumi.StringOutput, error) {
	arn, ok := k.Arns[p]
	if !ok {
		return pulumi.StringOutput{}, fmt.Errorf("encryption: keyring has no %q key", p)
	}
	return arn, nil
}

func (a *KeyringArgs) withDefaults() KeyringArgs {
	out := *a
	if out.Purposes == nil {
		out.Purposes = slices.Clone(Purposes)
	}
	if out.DeletionWindowDays == 0 {
		out.DeletionWindowDays = DefaultDeletionWindowDays
	}
	return out
}

// Validate reports every problem with the args at once.
func (a *KeyringArgs) Validate() error {
	var errs []error
	if a.Account.ID == "" || a.Account.Region == "" || a.Account.Partition == "" {
		errs = append(errs, fmt.Errorf("account: id, region and partition are required (got %+v)", a.Account))
	}
	if a.AliasPrefix == "" || len(a.AliasPrefix) < len("alias/x") || a.AliasPrefix[:6] != "alias/" || (len(a.AliasPrefix) >= 10 && a.AliasPrefix[:10] == "alias/aws/") {
		errs = append(errs, fmt.Errorf("aliasPrefix: %q must start with alias/ and not alias/aws/", a.AliasPrefix))
	}
	seen := map[Purpose]bool{}
	for i, p := range a.Purposes {
		if !slices.Contains(AllPurposes, p) {
			errs = append(errs, fmt.Errorf("purposes[%d]: %q is not a purpose (allowed: %v)", i, p, AllPurposes))
		} else if seen[p] {
			errs = append(errs, fmt.Errorf("purposes[%d]: %q is listed twice", i, p))
		}
		seen[p] = true
	}
	if w := a.DeletionWindowDays; w != 0 && (w < MinDeletionWindowDays || w > DefaultDeletionWindowDays) {
		errs = append(errs, fmt.Errorf("deletionWindowDays: %d is outside %d to %d", w, MinDeletionWindowDays, DefaultDeletionWindowDays))
	}
	return errors.Join(errs...)
}

// NewKeyring creates the keys. The args are validated before anything is registered.
func NewKeyring(ctx *pulumi.Context, name string, args *KeyringArgs, opts ...pulumi.ResourceOption) (*Keyring, error) {
	if args == nil {
		args = &KeyringArgs{}
	}
	if err := args.Validate(); err != nil {
		return nil, fmt.Errorf("encryption.NewKeyring %q: %w", name, err)
	}
	a := args.withDefaults()
	policies := map[Purpose]string{}
	for _, p := range a.Purposes {
		doc, err := KeyPolicy(p, a.Account)
		if err != nil {
			return nil, err
		}
		if policies[p], err = doc.JSON(); err != nil {
			return nil, fmt.Errorf("encryption: %s key policy: %w", p, err)
		}
	}

	k := &Keyring{Keys: map[Purpose]*kms.Key{}, Arns: map[Purpose]pulumi.StringOutput{}}
	if err := ctx.RegisterComponentResource(TypeToken, name, k, opts...); err != nil {
		return nil, err
	}
	keep := []pulumi.ResourceOption{pulumi.Parent(k), pulumi.Protect(a.Protect), pulumi.RetainOnDelete(a.RetainOnDelete)}
	outputs := pulumi.Map{}
	for _, p := range a.Purposes {
		childName := fmt.Sprintf("%s-%s", name, p)
		key, err := kms.NewKey(ctx, childName, &kms.KeyArgs{
			Description:           pulumi.Sprintf("%s: %s", name, p),
			EnableKeyRotation:     pulumi.Bool(true),
			DeletionWindowInDays:  pulumi.Int(a.DeletionWindowDays),
			KeyUsage:              pulumi.String("ENCRYPT_DECRYPT"),
			CustomerMasterKeySpec: pulumi.String("SYMMETRIC_DEFAULT"),
			Policy:                pulumi.String(policies[p]),
			Tags:                  pulumi.ToStringMap(maps.Clone(a.Tags)),
		}, keep...)
		if err != nil {
			return nil, err
		}
		if _, err := kms.NewAlias(ctx, childName, &kms.AliasArgs{
			Name:        pulumi.Sprintf("%s-%s", a.AliasPrefix, p),
			TargetKeyId: key.KeyId,
		}, pulumi.Parent(k)); err != nil {
			return nil, err
		}
		k.Keys[p] = key
		k.Arns[p] = key.Arn
		outputs[string(p)+"KeyArn"] = key.Arn
	}
	if err := ctx.RegisterResourceOutputs(k, outputs); err != nil {
		return nil, err
	}
	return k, nil
}
