package infra

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

type keysContextKey struct{}

// WithConfigKeys returns a context that tells the program which config keys it was given: the
// offline recorder passes them this way, since it has no PULUMI_CONFIG to list.
func WithConfigKeys(ctx context.Context, keys []string) context.Context {
	return context.WithValue(ctx, keysContextKey{}, append([]string(nil), keys...))
}

// configKeys lists every config key given to the running program, sorted: unknown keys are
// refused, so the list must be whole.
func configKeys(ctx *pulumi.Context) ([]string, error) {
	if keys, ok := ctx.Context().Value(keysContextKey{}).([]string); ok {
		sort.Strings(keys)
		return keys, nil
	}
	raw := os.Getenv(pulumi.EnvConfig)
	if raw == "" {
		return nil, nil
	}
	var m map[string]string
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return nil, fmt.Errorf("infra: %s is not a JSON object of strings: %w", pulumi.EnvConfig, err)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys, nil
}
