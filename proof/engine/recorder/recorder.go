package recorder

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/securestack/platform/infra"
	"github.com/securestack/platform/proof/controls"
	"github.com/securestack/platform/proof/engine/graph"
	"github.com/securestack/platform/proof/engine/stackconfig"
)

// Options select what to record.
type Options struct {
	// Dir is the project directory holding Pulumi.yaml; empty means the nearest one at or above
	// the working directory.
	Dir string
	// Stack is the stack name: its config is read from <stackConfigDir>/Pulumi.<Stack>.yaml.
	Stack string
	// DryRun records a preview: provider-computed outputs stay unknown.
	DryRun bool
	// Edit, if set, may change the loaded config (keys "namespace:key") before the run: tests use
	// it for broken inputs. Deleting a key removes it.
	Edit func(cfg map[string]string)
	// Program is the Pulumi program; nil means infra.Program, the platform itself.
	Program pulumi.RunFunc
	// StackOutputs are the outputs StackReferences read, by stack name (its last path segment).
	// A stack not listed answers with the outputs its own stack file implies (the account
	// baseline of an owner), or none: the stack itself, for instance, as on its first deploy.
	StackOutputs map[string]map[string]any
	// CallerAccount, if set, is the account of the mocked credentials; by default they are for the
	// stack's own account (the first of aws:allowedAccountIds).
	CallerAccount string
}

// Organization is the Pulumi organization of the recorded stacks: a local backend's default.
const Organization = "organization"

// Record runs the program for the stack under mocks and returns the recorded graph. An error of
// the program (for instance a config validation error) is returned as is, together with the graph
// of what was registered before it (so tests can prove that nothing was).
func Record(opts Options) (*graph.Graph, error) {
	dir := opts.Dir
	if dir == "" {
		var err error
		if dir, err = FindProjectDir(); err != nil {
			return nil, err
		}
	}
	st, err := stackconfig.Load(dir, opts.Stack)
	if err != nil {
		return nil, err
	}
	if opts.Edit != nil {
		opts.Edit(st.Config)
	}
	program := opts.Program
	if program == nil {
		program = infra.Program(controls.IDs())
	}
	region := st.Config["aws:region"]
	rec := &recording{}
	m := &mocks{project: st.Project, stack: st.Name, region: region, dryRun: opts.DryRun, rec: rec,
		account: accountOf(st.Config), dir: dir, stackOutputs: opts.StackOutputs}
	if opts.CallerAccount != "" {
		m.account = opts.CallerAccount
	}

	keys := make([]string, 0, len(st.Config))
	for k := range st.Config {
		keys = append(keys, k)
	}
	info := pulumi.RunInfo{
		Project:          st.Project,
		Stack:            st.Name,
		Organization:     Organization,
		RootDirectory:    dir,
		Config:           st.Config,
		ConfigSecretKeys: st.SecretKeys,
		DryRun:           opts.DryRun,
		Parallel:         1,
		Mocks:            m,
	}
	// The program reads the key list from this context to reject unknown keys (infra.WithConfigKeys).
	pctx, err := pulumi.NewContext(infra.WithConfigKeys(context.Background(), keys), info)
	if err != nil {
		return nil, fmt.Errorf("recorder: %w", err)
	}
	runErr := pulumi.RunWithContext(pctx, program)
	if cerr := pctx.Close(); cerr != nil && runErr == nil {
		runErr = cerr
	}
	stackURN := string(resource.NewURN(tokens.QName(st.Name), tokens.PackageName(st.Project), "",
		resource.RootStackType, st.Project+"-"+st.Name))
	resources := append(rec.resources, &graph.Resource{
		URN: stackURN, Type: graph.StackType, Name: st.Project + "-" + st.Name,
	})
	g, err := graph.New(st.Project, st.Name, resources)
	if err != nil {
		return nil, err
	}
	g.DryRun = opts.DryRun
	g.Placeholders = st.Placeholders
	g.Invokes = slices.Sorted(maps.Keys(rec.invokes))
	return g, runErr
}

// FindProjectDir walks up from the working directory to the folder holding Pulumi.yaml.
func FindProjectDir() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "Pulumi.yaml")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("recorder: no Pulumi.yaml at or above the working directory")
		}
		dir = parent
	}
}

// recording collects resources as the mocks see them; registrations arrive concurrently.
type recording struct {
	mu        sync.Mutex
	resources []*graph.Resource
	invokes   map[string]bool
}

func (r *recording) invoke(token string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.invokes == nil {
		r.invokes = map[string]bool{}
	}
	r.invokes[token] = true
}

func (r *recording) add(m *mocks, args pulumi.MockResourceArgs, id string, outputs resource.PropertyMap) {
	res := &graph.Resource{
		Type:    args.TypeToken,
		Name:    args.Name,
		Custom:  args.Custom,
		ID:      id,
		Inputs:  resource.FromResourcePropertyMap(args.Inputs),
		Outputs: resource.FromResourcePropertyMap(outputs),
	}
	parent := ""
	if rpc := args.RegisterRPC; rpc != nil {
		// The mock monitor unmarshals inputs without KeepUnknowns, dropping an unknown (a key goes,
		// a list element turns null). Re-read the request so a preview records unknowns as the
		// engine hands them to a policy pack: property.Computed.
		if in, err := plugin.UnmarshalProperties(rpc.GetObject(), plugin.MarshalOptions{
			KeepUnknowns: true, KeepSecrets: true, KeepResources: true}); err == nil {
			res.Inputs = resource.FromResourcePropertyMap(in)
		}
		parent = rpc.GetParent()
		deps := map[string]bool{}
		for _, d := range rpc.GetDependencies() {
			deps[d] = true
		}
		for _, pd := range rpc.GetPropertyDependencies() {
			for _, d := range pd.GetUrns() {
				deps[d] = true
			}
		}
		res.Dependencies = slices.Sorted(maps.Keys(deps))
		res.Provider = rpc.GetProvider()
		res.Protect = rpc.GetProtect()
		res.RetainOnDelete = rpc.GetRetainOnDelete()
		res.IgnoreChanges = slices.Sorted(slices.Values(rpc.GetIgnoreChanges()))
		res.ImportID = rpc.GetImportId()
		res.Remote = rpc.GetRemote()
	} else if rpc := args.ReadRPC; rpc != nil {
		parent = rpc.GetParent()
		res.Read = true
		res.Custom = true
		res.ImportID = rpc.GetId()
		res.Provider = rpc.GetProvider()
		res.Dependencies = slices.Sorted(slices.Values(rpc.GetDependencies()))
	}
	parentType := tokens.Type("")
	if p := resource.URN(parent); p != "" && p.QualifiedType() != resource.RootStackType {
		parentType = p.QualifiedType()
	}
	res.URN = string(resource.NewURN(tokens.QName(m.stack), tokens.PackageName(m.project), parentType,
		tokens.Type(args.TypeToken), args.Name))
	if parent == "" {
		parent = string(resource.NewURN(tokens.QName(m.stack), tokens.PackageName(m.project), "",
			resource.RootStackType, m.project+"-"+m.stack))
	}
	res.Parent = parent
	r.mu.Lock()
	defer r.mu.Unlock()
	r.resources = append(r.resources, res)
}

// accountOf is the account a stack deploys to, as its config says (the first of
// aws:allowedAccountIds), or AccountID: the mocked caller is in it.
func accountOf(config map[string]string) string {
	var ids []string
	if err := json.Unmarshal([]byte(config["aws:allowedAccountIds"]), &ids); err == nil && len(ids) > 0 {
		return ids[0]
	}
	return AccountID
}
