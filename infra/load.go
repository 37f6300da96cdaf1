package infra

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// LoadConfig reads the stack's config from the Pulumi context once, applies the environment's
// defaults and validates it. It is the only place that reads Pulumi config. It registers nothing,
// so a bad config fails the run before any resource exists. knownControls are the control ids a
// waiver may name (nil: any).
func LoadConfig(ctx *pulumi.Context, knownControls []string) (*Config, error) {
	keys, err := configKeys(ctx)
	if err != nil {
		return nil, err
	}
	raw := Raw{Project: ctx.Project(), Stack: ctx.Stack(), Values: map[string]string{}, KnownControls: knownControls}
	for _, k := range keys {
		if v, ok := ctx.GetConfig(k); ok {
			raw.Values[k] = v
		}
		if ctx.IsConfigSecret(k) {
			raw.SecretKeys = append(raw.SecretKeys, k)
		}
	}
	// Keys a listing could miss (no PULUMI_CONFIG in an odd host) are still read one by one.
	for _, k := range ConfigKeys() {
		if v, ok := ctx.GetConfig(k); ok {
			raw.Values[k] = v
		}
	}
	return ParseConfig(raw)
}
