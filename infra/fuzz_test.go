package infra_test

import (
	"errors"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/securestack/platform/infra"
)

// The fuzz targets of the config decoder and the service catalog. Their seed corpora are committed
// under testdata/fuzz/<target>/ (valid stack values, truncated JSON, wrong types, huge numbers,
// unicode, duplicates), and plain `go test` runs every seed. `go test -fuzz` instruments every
// package of the build, the Pulumi AWS SDK included: see the README's performance section.

// checkParsed is the invariant every config must meet, whatever the input: ParseConfig does not
// panic (the fuzzing engine reports a panic), and returns either a config and no error, or no
// config and a *ConfigError whose every problem begins with a key path: one of the platform's keys
// (or the key given, when it is not one), followed by ':', '.' or '['.
func checkParsed(t *testing.T, raw infra.Raw) *infra.Config {
	t.Helper()
	cfg, err := infra.ParseConfig(raw)
	if err == nil {
		if cfg == nil {
			t.Fatalf("neither a config nor an error")
		}
		return cfg
	}
	var ce *infra.ConfigError
	if !errors.As(err, &ce) || cfg != nil {
		t.Fatalf("want a *infra.ConfigError and no config, got %T %v and config %v", err, err, cfg)
	}
	if len(ce.Problems) == 0 {
		t.Fatalf("a ConfigError without problems")
	}
	for _, p := range ce.Problems {
		if !startsWithKeyPath(p, raw.Values) {
			t.Fatalf("problem %q does not begin with a key path", p)
		}
	}
	return nil
}

// startsWithKeyPath reports whether a problem begins with a config key (a platform key, or one of
// the given values' keys) and then ':', '.' or '['.
func startsWithKeyPath(problem string, values map[string]string) bool {
	keys := infra.ConfigKeys()
	for k := range values {
		keys = append(keys, k)
	}
	for _, k := range keys {
		if rest, ok := strings.CutPrefix(problem, k); ok && rest != "" && strings.ContainsRune(":.[", rune(rest[0])) {
			return true
		}
	}
	return false
}

// checkCatalog is what a valid config promises of its catalog: every enabled service has a valid
// name, a port it can bind, an application namespace, a non-root identity, a replica, callers
// that are other enabled services, and absolute, clean writable paths.
func checkCatalog(t *testing.T, cfg *infra.Config) {
	t.Helper()
	enabled := cfg.EnabledServices()
	for _, name := range enabled {
		s := cfg.Services[name]
		if s.Port < 1024 || s.Port > 65535 || !slices.Contains(cfg.Access.Namespaces, s.Namespace) ||
			s.UID < infra.MinServiceID || s.GID < infra.MinServiceID || s.Replicas < 1 {
			t.Fatalf("valid config with service %q %+v (namespaces %v)", name, s, cfg.Access.Namespaces)
		}
		for _, c := range s.Callers {
			if c == name || !slices.Contains(enabled, c) {
				t.Fatalf("valid config with service %q called by %q (enabled: %v)", name, c, enabled)
			}
		}
		for _, p := range s.WritablePaths {
			if !strings.HasPrefix(p, "/") || path.Clean(p) != p || p == "/" {
				t.Fatalf("valid config with service %q writable path %q", name, p)
			}
		}
	}
}

// FuzzDecodeConfigKey: any text under any key, of any stack, decodes to a config or to problems
// that each name their key path. The key is free too, so unknown and misspelt keys are covered.
func FuzzDecodeConfigKey(f *testing.F) {
	f.Add("dev", "platform:network", `{"cidr":"10.10.0.0/16","azCount":2,"natGateways":"single"}`)
	f.Fuzz(func(t *testing.T, stack, key, text string) {
		values := map[string]string{"aws:region": "eu-west-1", key: text}
		if cfg := checkParsed(t, infra.Raw{Project: "platform", Stack: stack, Values: values}); cfg != nil {
			checkCatalog(t, cfg)
		}
	})
}

// FuzzDecodeCatalog: any platform:services text, beside any platform:access text (which decides
// the namespaces services may run in), decodes to a catalog that keeps checkCatalog's promises or
// to problems that each name their key path.
func FuzzDecodeCatalog(f *testing.F) {
	f.Add("prod", `{"reports":{"port":8000,"callers":["frontend"]}}`, `{"namespaces":["apps"]}`)
	f.Fuzz(func(t *testing.T, stack, services, access string) {
		values := map[string]string{"aws:region": "eu-west-1", "aws:allowedAccountIds": `["111111111111"]`,
			"platform:services": services, "platform:access": access}
		if cfg := checkParsed(t, infra.Raw{Project: "platform", Stack: stack, Values: values}); cfg != nil {
			checkCatalog(t, cfg)
		}
	})
}

// TestKeyPathCheckRejectsProblemsWithoutAPath: the fuzz invariant can fail: a message without a
// key path, or one whose key is only a prefix of a word, does not pass it.
func TestKeyPathCheckRejectsProblemsWithoutAPath(t *testing.T) {
	values := map[string]string{"platfrm:network": "{}"}
	for _, tc := range []struct {
		problem string
		want    bool
	}{
		{`platform:services.uploader.port: 80 is not a port from 1024 to 65535`, true},
		{`platform:network.availabilityZones[1]: "eu-west-1a" is a duplicate`, true},
		{`platform:edge: required when a service has loadBalancer: true`, true},
		{`platfrm:network: the namespace "platfrm" is not read by this program`, true},
		{`port 80 is not allowed`, false},
		{`platform:servicesX: unknown`, false},
		{`platform:services`, false},
	} {
		if got := startsWithKeyPath(tc.problem, values); got != tc.want {
			t.Errorf("startsWithKeyPath(%q) = %v, want %v", tc.problem, got, tc.want)
		}
	}
}
