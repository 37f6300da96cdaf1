package infra

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

type noMocks struct{}

func (noMocks) NewResource(a pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	return a.Name, a.Inputs, nil
}
func (noMocks) Call(pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return resource.PropertyMap{}, nil
}

// keysUnderEngine runs a program the way the engine does: config arrives in PULUMI_CONFIG.
func keysUnderEngine(t *testing.T, env string) ([]string, error) {
	t.Setenv(pulumi.EnvConfig, env)
	var keys []string
	var keysErr error
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		keys, keysErr = configKeys(ctx)
		return nil
	}, pulumi.WithMocks("platform", "dev", noMocks{}))
	if err != nil {
		t.Fatal(err)
	}
	return keys, keysErr
}

func TestKeysUnderTheEngineComeFromPulumiConfig(t *testing.T) {
	keys, err := keysUnderEngine(t, `{"platform:network":"{}","aws:region":"eu-west-1","platform:environment":"dev"}`)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"aws:region", "platform:environment", "platform:network"}; !slices.Equal(keys, want) {
		t.Errorf("keys %v, want %v", keys, want)
	}
}

func TestMalformedPulumiConfigIsAnError(t *testing.T) {
	if _, err := keysUnderEngine(t, `not json`); err == nil || !strings.Contains(err.Error(), "PULUMI_CONFIG is not a JSON object") {
		t.Errorf("got %v", err)
	}
}

func TestKeysFromTheRecorderContextWin(t *testing.T) {
	ctx := WithConfigKeys(context.Background(), []string{"b:y", "a:x"})
	pctx, err := pulumi.NewContext(ctx, pulumi.RunInfo{Project: "p", Stack: "s", Mocks: noMocks{}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := pctx.Close(); err != nil {
			t.Error(err)
		}
	})
	keys, err := configKeys(pctx)
	if err != nil || !slices.Equal(keys, []string{"a:x", "b:y"}) {
		t.Errorf("keys %v, %v", keys, err)
	}
}
