package stackconfig

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"

	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
)

// Placeholder stands in for a secure config value that cannot be decrypted offline. It is
// deliberately not a valid value for most keys, so validation says so rather than guessing.
const Placeholder = "offline-placeholder-secure-value-not-decrypted"

// Stack is the configuration of one stack as the Pulumi CLI would pass it to the program.
type Stack struct {
	Project string            // project name from Pulumi.yaml
	Name    string            // stack name
	Dir     string            // project directory (holding Pulumi.yaml)
	File    string            // the stack config file that was read
	Config  map[string]string // "namespace:key" → value (JSON text for structured values)
	// SecretKeys are the keys whose values are secure (encrypted) in the stack file, sorted.
	SecretKeys []string
	// Placeholders are the secure keys replaced by Placeholder (all of them, offline), sorted.
	Placeholders []string
}

// Load reads the project in dir and the config of the named stack from its stackConfigDir.
func Load(dir, stack string) (*Stack, error) {
	proj, err := workspace.LoadProject(filepath.Join(dir, "Pulumi.yaml"))
	if err != nil {
		return nil, fmt.Errorf("stackconfig: loading project: %w", err)
	}
	file := filepath.Join(dir, proj.StackConfigDir, "Pulumi."+stack+".yaml")
	text, err := os.ReadFile(file) // #nosec G304 -- the stack file of the project, by design
	if err != nil {
		return nil, fmt.Errorf("stackconfig: stack %q: %w", stack, err)
	}
	if err := CheckFile(file, text); err != nil {
		return nil, err
	}
	sink := diag.DefaultSink(io.Discard, io.Discard, diag.FormatOptions{Color: "never"})
	ps, err := workspace.LoadProjectStack(sink, proj, file)
	if err != nil {
		return nil, fmt.Errorf("stackconfig: loading %s: %w", file, err)
	}
	out := &Stack{Project: proj.Name.String(), Name: stack, Dir: dir, File: file, Config: map[string]string{}}
	for key, v := range ps.Config {
		text, err := v.Value(placeholderDecrypter{})
		if err != nil {
			return nil, fmt.Errorf("stackconfig: %s: %s: %w", file, key, err)
		}
		out.Config[key.String()] = text
		if v.Secure() {
			out.SecretKeys = append(out.SecretKeys, key.String())
			out.Placeholders = append(out.Placeholders, key.String())
		}
	}
	// Project-level defaults apply where the stack sets nothing, as under the CLI.
	for name, t := range proj.Config {
		if t.Default == nil {
			continue
		}
		qualified := name
		if !strings.Contains(name, ":") {
			qualified = proj.Name.String() + ":" + name
		}
		key, err := config.ParseKey(qualified)
		if err != nil {
			return nil, fmt.Errorf("stackconfig: Pulumi.yaml config %q: %w", name, err)
		}
		if _, set := out.Config[key.String()]; set {
			continue
		}
		text, err := defaultText(t.Default)
		if err != nil {
			return nil, fmt.Errorf("stackconfig: Pulumi.yaml config %q default: %w", name, err)
		}
		out.Config[key.String()] = text
	}
	sort.Strings(out.SecretKeys)
	sort.Strings(out.Placeholders)
	return out, nil
}

// StackFileKeys are the top-level keys a stack file may have (Pulumi's project-stack schema).
var StackFileKeys = []string{"config", "encryptedkey", "encryptionsalt", "environment", "secretsprovider"}

// CheckFile checks a stack file's YAML before Pulumi's loader reads it: a syntax error is reported
// with its real line and the text around it, and a top-level key Pulumi does not know (confg:)
// is an error rather than silently ignored.
func CheckFile(file string, text []byte) error {
	var top yaml.MapSlice
	if err := yaml.Unmarshal(text, &top); err != nil {
		return fmt.Errorf("stackconfig: %s: invalid YAML: %s", file, yaml.FormatError(err, false, true))
	}
	var problems []string
	for _, item := range top {
		key := fmt.Sprint(item.Key)
		if !slices.Contains(StackFileKeys, key) {
			problems = append(problems, fmt.Sprintf("%q: not a stack file key (allowed: %s); did you mean config?", key, strings.Join(StackFileKeys, ", ")))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("stackconfig: %s: %s", file, strings.Join(problems, "; "))
	}
	return nil
}

func defaultText(v any) (string, error) {
	if s, ok := v.(string); ok {
		return s, nil
	}
	b, err := json.Marshal(v)
	return string(b), err
}

// placeholderDecrypter "decrypts" every ciphertext to Placeholder: offline there is no key.
type placeholderDecrypter struct{}

func (placeholderDecrypter) DecryptValue(context.Context, string) (string, error) {
	return Placeholder, nil
}

func (placeholderDecrypter) BatchDecrypt(_ context.Context, ciphertexts []string) ([]string, error) {
	out := make([]string, len(ciphertexts))
	for i := range out {
		out[i] = Placeholder
	}
	return out, nil
}
