package infra

import (
	"fmt"
	"maps"
	"path"
	"regexp"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/securestack/platform/components/lib/eksspec"
	"github.com/securestack/platform/components/registry"
	"github.com/securestack/platform/components/workload"
)

// ServiceConfig is one service of the catalog, platform:services.<name>: what the service is
// (namespace, port, image, identity, resources) and what it may reach, as intents. Everything the
// platform builds for a service — its IAM role and policy, ServiceAccount, Deployment, Service,
// PodDisruptionBudget and NetworkPolicies, the EFS access point of its scratch volume and the
// readers of the secrets — derives from this entry, so adding a service is one entry.
type ServiceConfig struct {
	// Enabled: false removes a default service. Default true.
	Enabled bool `json:"enabled"`
	// Namespace is where it runs: one of platform:access.namespaces (each is Pod Security
	// restricted with a default-deny NetworkPolicy). Default the first of them.
	Namespace string `json:"namespace"`
	// Port is the TCP port it listens on and its Service exposes: 1024–65535, since a non-root
	// process without capabilities cannot bind below 1024. Required.
	Port int32 `json:"port"`
	// Image is the container image: a reference with a tag other than latest, or a digest, in an
	// allowed registry (platform:images.registries). Default none: the service gets everything but
	// its Deployment, so the platform stands up before the first image exists.
	Image string `json:"image"`
	// Callers are the services that may open connections to it, on Port only. Default none.
	Callers []string `json:"callers"`
	// LoadBalancer: the internet-facing load balancer reaches it, on Port only. Default false.
	LoadBalancer bool `json:"loadBalancer"`
	// UID and GID it runs as: at least 1000 (the requirements' appuser). Default 1000.
	UID int64 `json:"uid"`
	GID int64 `json:"gid"`
	// WritablePaths are the only writable directories (emptyDir volumes): the root file system is
	// read-only. Absolute, clean, distinct, not "/". Default ["/tmp"].
	WritablePaths []string `json:"writablePaths"`
	// Replicas: at least 1. Default 2, prod 3 (spread across zones).
	Replicas int32 `json:"replicas"`
	// Resources are its requests and limits, as Kubernetes quantities; both are required.
	Resources ResourcesConfig `json:"resources"`
	// HealthPath is the HTTP path of its readiness and liveness probes; "" probes the TCP port.
	HealthPath string `json:"healthPath"`
	// KubernetesAPI: it calls the Kubernetes API, so its pods mount a ServiceAccount token.
	// Default false: no token is mounted.
	KubernetesAPI bool `json:"kubernetesApi"`
	// AWS is what it may do in AWS, as intents (never raw IAM): each entry names exactly one of
	// s3, dynamodb, efs or secret. Default none: no IAM role.
	AWS []AWSIntent `json:"aws"`
	// Push names the GitHub workflow runs that may push the service's images, through the image
	// workflow's Trivy gate: one repository and one branch or deployment environment. They get
	// a push role for the service's repository only. Default none: nobody may push (the
	// repository is frozen) until it is set.
	Push PushConfig `json:"push"`
}

// PushConfig is the one source of a service's images: a GitHub repository and exactly one of a
// branch ref or a deployment environment.
type PushConfig struct {
	// Repository is "<owner>/<name>".
	Repository string `json:"repository"`
	// Ref is the branch allowed to push, "refs/heads/<branch>" (or a tag, "refs/tags/<tag>").
	Ref string `json:"ref"`
	// Environment is the GitHub deployment environment allowed to push (its protection rules —
	// reviewers, branches — then gate the push too).
	Environment string `json:"environment"`
	// Workflow pins the reusable workflow the pushing job must run,
	// "<owner>/<repo>/.github/workflows/image.yml@<ref or commit>": the trust then admits only the
	// gate. The repository must customise its OIDC sub claim (include_claim_keys: repo, context,
	// job_workflow_ref), or no token matches. Default none: any workflow of the repository and ref.
	Workflow string `json:"workflow"`
}

// ResourcesConfig are a container's requests and limits.
type ResourcesConfig struct {
	CPU         string `json:"cpu"`         // request, e.g. "100m"
	Memory      string `json:"memory"`      // request, e.g. "128Mi"
	CPULimit    string `json:"cpuLimit"`    // limit, at least the request
	MemoryLimit string `json:"memoryLimit"` // limit, at least the request
}

// AWSIntent is one thing a service may do in AWS. Exactly one field is set.
type AWSIntent struct {
	// S3: actions on the objects of one of the platform's buckets.
	S3 S3Intent `json:"s3"`
	// DynamoDB: actions on one of the platform's tables.
	DynamoDB TableIntent `json:"dynamodb"`
	// EFS names a file system the service mounts through its own access point (UID/GID of the
	// service) at /<name>; the EFS CSI driver mounts it, so it adds nothing to the service's role.
	EFS string `json:"efs"`
	// Secret names a Secrets Manager secret of the platform the service may read.
	Secret string `json:"secret"`
}

// S3Intent is access to the objects of a bucket.
type S3Intent struct {
	Bucket  string   `json:"bucket"`
	Actions []string `json:"actions"`
}

// TableIntent is access to a table.
type TableIntent struct {
	Table   string   `json:"table"`
	Actions []string `json:"actions"`
}

// pushRoleSuffix ends the logical name of a service's push role.
const pushRoleSuffix = "-push"

// Set reports whether the service names a push source.
func (p PushConfig) Set() bool { return p != PushConfig{} }

// source is the push role's trust source.
func (p PushConfig) source() registry.Source {
	return registry.Source{Repository: p.Repository, Ref: p.Ref, Environment: p.Environment, Workflow: p.Workflow}
}

// ImagesConfig is platform:images.
type ImagesConfig struct {
	// Registries are the registries images may come from (host names, e.g.
	// 123456789012.dkr.ecr.eu-west-1.amazonaws.com). Default: the stack account's own ECR
	// registry in its region only.
	Registries []string `json:"registries"`
}

// The intents' actions. "put" creates objects and can never overwrite or delete one (the bucket
// enforces it too); "write" may overwrite.
const (
	ActionRead  = "read"
	ActionPut   = "put"
	ActionWrite = "write"
)

// S3Actions and TableActions are the actions an intent may name.
var (
	S3Actions    = []string{ActionPut, ActionRead, ActionWrite}
	TableActions = []string{ActionRead, ActionWrite}
)

// The catalog's default services: the application of the requirements.
const (
	Frontend  = "frontend"
	Uploader  = "uploader"
	Processor = "processor"
)

// FileSystemScratch is the platform's one EFS file system, as services name it.
const FileSystemScratch = "scratch"

// TableMedia is the platform's one table, as services name it.
const TableMedia = "media"

// MinServiceID is the lowest UID and GID a service may run as: the requirements' appuser.
const MinServiceID = eksspec.MinRuntimeID

// DefaultService is what a service named only in stack config starts from.
func DefaultService(env Environment, namespace string) ServiceConfig {
	replicas := int32(2)
	if env == Prod {
		replicas = 3
	}
	return ServiceConfig{
		Enabled:       true,
		Namespace:     namespace,
		UID:           MinServiceID,
		GID:           MinServiceID,
		WritablePaths: []string{"/tmp"},
		Replicas:      replicas,
		Resources:     ResourcesConfig{CPU: "100m", Memory: "128Mi", CPULimit: "500m", MemoryLimit: "256Mi"},
	}
}

// DefaultServices is the application of the requirements: an unprivileged nginx frontend on 8080
// reached by the load balancer, which calls the uploader; the uploader writes uploads and never
// deletes; the processor reads uploads and writes processed media and metadata, with a scratch
// file system. Backends run as appuser (UID 1000).
func DefaultServices(env Environment, namespace string) map[string]ServiceConfig {
	frontend := DefaultService(env, namespace)
	frontend.Port, frontend.LoadBalancer = 8080, true
	// nginx-unprivileged writes its pid and temporary files under /tmp and caches under
	// /var/cache/nginx: with those as volumes it runs under any UID.
	frontend.WritablePaths = []string{"/tmp", "/var/cache/nginx"}

	uploader := DefaultService(env, namespace)
	uploader.Port, uploader.Callers = 8000, []string{Frontend}
	uploader.AWS = []AWSIntent{{S3: S3Intent{Bucket: BucketUploads, Actions: []string{ActionPut}}}, {Secret: SecretAppCredential}}

	processor := DefaultService(env, namespace)
	processor.Port = 8000
	processor.Resources = ResourcesConfig{CPU: "250m", Memory: "512Mi", CPULimit: "1", MemoryLimit: "1Gi"} // ffmpeg
	processor.AWS = []AWSIntent{
		{S3: S3Intent{Bucket: BucketUploads, Actions: []string{ActionRead}}},
		{S3: S3Intent{Bucket: BucketProcessed, Actions: []string{ActionWrite}}},
		{DynamoDB: TableIntent{Table: TableMedia, Actions: []string{ActionRead, ActionWrite}}},
		{EFS: FileSystemScratch},
		{Secret: SecretAppCredential},
	}
	return map[string]ServiceConfig{Frontend: frontend, Uploader: uploader, Processor: processor}
}

// fillServiceNamespaces puts services without a namespace in the first application namespace.
func (c *Config) fillServiceNamespaces() {
	if len(c.Access.Namespaces) == 0 {
		return // reported by the access validation
	}
	for name, s := range c.Services {
		if s.Namespace == "" {
			s.Namespace = c.Access.Namespaces[0]
			c.Services[name] = s
		}
	}
}

// EnabledServices are the names of the enabled services, sorted: the order every derived list uses.
func (c *Config) EnabledServices() []string {
	var out []string
	for _, name := range slices.Sorted(maps.Keys(c.Services)) {
		if c.Services[name].Enabled {
			out = append(out, name)
		}
	}
	return out
}

// HasAWSAccess reports whether the service needs an IAM role: any intent but a file system, which
// the EFS CSI driver mounts with its own identity.
func (s ServiceConfig) HasAWSAccess() bool {
	return slices.ContainsFunc(s.AWS, func(i AWSIntent) bool { return i.EFS == "" })
}

// FileSystems are the file systems the service mounts.
func (s ServiceConfig) FileSystems() []string {
	var out []string
	for _, i := range s.AWS {
		if i.EFS != "" {
			out = append(out, i.EFS)
		}
	}
	return out
}

// ServicesWith returns the enabled services with an intent matching the predicate, sorted.
func (c *Config) ServicesWith(match func(AWSIntent) bool) []string {
	var out []string
	for _, name := range c.EnabledServices() {
		if slices.ContainsFunc(c.Services[name].AWS, match) {
			out = append(out, name)
		}
	}
	return out
}

var (
	// imagePattern: [registry/]repository[:tag][@sha256:digest].
	imagePattern  = regexp.MustCompile(`^(?:([a-z0-9.-]+(?::[0-9]+)?)/)?([a-z0-9]+(?:[._/-][a-z0-9]+)*)(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(sha256:[a-f0-9]{64}))?$`)
	healthPattern = regexp.MustCompile(`^/[A-Za-z0-9._~/-]*$`)
)

// ImageReference is an image reference split into its parts.
type ImageReference struct{ Registry, Repository, Tag, Digest string }

// ParseImage splits an image reference; ok is false when it is not one. A reference without a
// registry host (a first component with a dot, a port or "localhost") is Docker Hub's.
func ParseImage(image string) (ImageReference, bool) {
	m := imagePattern.FindStringSubmatch(image)
	if m == nil {
		return ImageReference{}, false
	}
	ref := ImageReference{Registry: m[1], Repository: m[2], Tag: m[3], Digest: m[4]}
	if ref.Registry != "" && !strings.ContainsAny(ref.Registry, ".:") && ref.Registry != "localhost" {
		ref.Registry, ref.Repository = "", ref.Registry+"/"+ref.Repository
	}
	if ref.Registry == "" {
		ref.Registry = "docker.io"
	}
	return ref, true
}

// ECRRegistry is the host of an account's ECR registry in a region.
func ECRRegistry(account, region string) string {
	return account + ".dkr.ecr." + region + ".amazonaws.com"
}

// validateServices checks the catalog against the rest of the config; accounts are the accounts
// whose ECR registries are allowed when platform:images.registries is empty (none: not checked).
func (c *Config) validateServices(accounts []string) []string {
	var p []string
	add := func(format string, args ...any) { p = append(p, fmt.Sprintf(format, args...)) }
	sp := Namespace + ":services"
	enabled := c.EnabledServices()
	if len(c.Services) == 0 {
		add("%s: no services; the catalog needs at least one", sp)
	}
	for _, name := range slices.Sorted(maps.Keys(c.Services)) {
		s := c.Services[name]
		at := sp + "." + name
		if !workload.ValidName(name) {
			add("%s: the service name %q is not a DNS-1035 label (lowercase letters, digits and '-', starting with a letter, at most 63): it names the ServiceAccount, Deployment, container and Service", at, name)
		}
		if !s.Enabled {
			continue
		}
		if len(c.Access.Namespaces) > 0 && !slices.Contains(c.Access.Namespaces, s.Namespace) {
			add("%s.namespace: %q is not an application namespace (allowed: %s, from %s:access.namespaces)", at, s.Namespace, strings.Join(c.Access.Namespaces, ", "), Namespace)
		}
		if s.Port < 1024 || s.Port > 65535 {
			add("%s.port: %d is not a port from 1024 to 65535 (a non-root process without capabilities cannot bind below 1024)", at, s.Port)
		}
		p = append(p, c.validateImage(at+".image", name, s.Image, accounts)...)
		if s.Push.Set() {
			p = append(p, s.Push.source().Validate(at+".push")...)
		}
		if workload.ValidName(name) && stackNamePattern.MatchString(c.Stack) && !registry.ValidRepositoryName(c.Names("").Repository(name)) {
			add("%s: the repository name %q is not an ECR repository name: use a shorter service or stack name", at, c.Names("").Repository(name))
		}
		for _, role := range []string{c.Name() + "-" + name, c.Name() + "-" + name + pushRoleSuffix} {
			if len(c.Name())+LongestRoleSuffix+maxAutoNameSuffix > 64 {
				break // the stack name is too long for every role: reported once, on the stack name
			}
			if n := len(role) + maxAutoNameSuffix; n > 64 {
				add("%s: the derived IAM role name %q plus Pulumi's 8-character suffix is %d characters, IAM allows 64: use a shorter service name", at, role, n)
			}
		}
		seenCallers := map[string]bool{}
		for i, caller := range s.Callers {
			switch {
			case caller == name:
				add("%s.callers[%d]: %q is the service itself; a service needs no NetworkPolicy to reach its own pods", at, i, caller)
			case !slices.Contains(enabled, caller):
				add("%s.callers[%d]: %q is not an enabled service of the catalog (services: %s)", at, i, caller, strings.Join(enabled, ", "))
			case seenCallers[caller]:
				add("%s.callers[%d]: %q is listed twice", at, i, caller)
			}
			seenCallers[caller] = true
		}
		if s.UID < MinServiceID {
			add("%s.uid: %d is below %d: services run as a non-root user of at least %d (the requirements' appuser)", at, s.UID, MinServiceID, MinServiceID)
		}
		if s.GID < MinServiceID {
			add("%s.gid: %d is below %d: services run with a group of at least %d", at, s.GID, MinServiceID, MinServiceID)
		}
		seenPaths := map[string]bool{}
		for i, wp := range s.WritablePaths {
			switch {
			case !strings.HasPrefix(wp, "/") || path.Clean(wp) != wp || wp == "/":
				add("%s.writablePaths[%d]: %q must be an absolute, clean path other than / (the root file system stays read-only)", at, i, wp)
			case !workload.ValidVolumeName(workload.VolumeName(wp)):
				add("%s.writablePaths[%d]: %q makes the volume name %q, which is not a DNS-1123 label of at most 63 characters: use a shorter path of letters, digits, '.', '_' and '-'", at, i, wp, workload.VolumeName(wp))
			case seenPaths[wp]:
				add("%s.writablePaths[%d]: %q is listed twice", at, i, wp)
			}
			seenPaths[wp] = true
		}
		if s.Replicas < 1 {
			add("%s.replicas: %d is below 1", at, s.Replicas)
		}
		p = append(p, s.Resources.validate(at+".resources")...)
		if s.HealthPath != "" && !healthPattern.MatchString(s.HealthPath) {
			add("%s.healthPath: %q is not an absolute HTTP path (for example /healthz)", at, s.HealthPath)
		}
		p = append(p, validateIntents(at+".aws", s.AWS, seenPaths)...)
	}
	return p
}

// validateImage checks a service's image: pinned, from an allowed registry, and — from the stack
// account's own registry — from the service's own repository, the one only its gated push role
// writes to (any other repository of the account may hold images no Trivy gate passed).
func (c *Config) validateImage(at, service, image string, accounts []string) []string {
	if image == "" {
		return nil
	}
	ref, ok := ParseImage(image)
	switch {
	case !ok:
		return []string{fmt.Sprintf("%s: %q is not an image reference (registry/repository:tag or registry/repository@sha256:digest)", at, image)}
	case ref.Tag == "" && ref.Digest == "":
		return []string{fmt.Sprintf("%s: %q has no tag or digest: pin a version (a missing tag means latest)", at, image)}
	case ref.Tag == "latest" && ref.Digest == "":
		return []string{fmt.Sprintf("%s: %q uses the tag latest: pin a version or a digest", at, image)}
	}
	allowed := c.Images.Registries
	if len(allowed) == 0 {
		if len(accounts) == 0 {
			return nil // the account is known only at deploy time, where this runs again
		}
		for _, a := range accounts {
			allowed = append(allowed, ECRRegistry(a, c.Region))
		}
	}
	if !slices.Contains(allowed, ref.Registry) {
		return []string{fmt.Sprintf("%s: %q comes from registry %q, which is not allowed (allowed: %s; set %s:images.registries to allow others)",
			at, image, ref.Registry, strings.Join(allowed, ", "), Namespace)}
	}
	own := c.Names("").Repository(service)
	for _, a := range accounts {
		if ref.Registry == ECRRegistry(a, c.Region) && ref.Repository != own {
			return []string{fmt.Sprintf("%s: %q is in repository %q of the stack's registry, not in the service's own repository %q (the one its gated push role writes to): use %s/%s:<tag> or @sha256:<digest>",
				at, image, ref.Repository, own, ref.Registry, own)}
		}
	}
	return nil
}

// checkImages checks every image against the registries allowed for the account the stack deploys
// to: at config time the account may not be known.
func (c *Config) checkImages(account string) error {
	var p []string
	for _, name := range c.EnabledServices() {
		p = append(p, c.validateImage(Namespace+":services."+name+".image", name, c.Services[name].Image, []string{account})...)
	}
	if len(p) > 0 {
		return &ConfigError{Stack: c.Stack, Problems: p}
	}
	return nil
}

func (r ResourcesConfig) validate(at string) []string {
	var p []string
	parse := func(key, v string) (resource.Quantity, bool) {
		if v == "" {
			p = append(p, fmt.Sprintf("%s.%s: not set (requests and limits are required)", at, key))
			return resource.Quantity{}, false
		}
		q, err := resource.ParseQuantity(v)
		if err != nil || q.Sign() <= 0 {
			p = append(p, fmt.Sprintf("%s.%s: %q is not a positive Kubernetes quantity (for example 250m or 256Mi)", at, key, v))
			return resource.Quantity{}, false
		}
		return q, true
	}
	cpu, okCPU := parse("cpu", r.CPU)
	mem, okMem := parse("memory", r.Memory)
	cpuLimit, okCPULimit := parse("cpuLimit", r.CPULimit)
	memLimit, okMemLimit := parse("memoryLimit", r.MemoryLimit)
	if okCPU && okCPULimit && cpuLimit.Cmp(cpu) < 0 {
		p = append(p, fmt.Sprintf("%s.cpuLimit: %q is below the request %q", at, r.CPULimit, r.CPU))
	}
	if okMem && okMemLimit && memLimit.Cmp(mem) < 0 {
		p = append(p, fmt.Sprintf("%s.memoryLimit: %q is below the request %q", at, r.MemoryLimit, r.Memory))
	}
	return p
}

// The platform's stores, as intents name them.
var (
	intentBuckets     = []string{BucketProcessed, BucketUploads}
	intentTables      = []string{TableMedia}
	intentFileSystems = []string{FileSystemScratch}
	intentSecrets     = []string{SecretAppCredential}
)

func validateIntents(at string, intents []AWSIntent, writable map[string]bool) []string {
	var p []string
	add := func(format string, args ...any) { p = append(p, fmt.Sprintf(format, args...)) }
	actions := func(path string, got, allowed []string) {
		if len(got) == 0 {
			add("%s.actions: not set (allowed: %s)", path, strings.Join(allowed, ", "))
		}
		seen := map[string]bool{}
		for j, a := range got {
			switch {
			case !slices.Contains(allowed, a):
				add("%s.actions[%d]: %q is not an action (allowed: %s)", path, j, a, strings.Join(allowed, ", "))
			case seen[a]:
				add("%s.actions[%d]: %q is listed twice", path, j, a)
			}
			seen[a] = true
		}
	}
	seen := map[string]string{} // "kind name" → first path
	for i, in := range intents {
		ip := fmt.Sprintf("%s[%d]", at, i)
		var kinds []string
		if in.S3.Bucket != "" || len(in.S3.Actions) > 0 {
			kinds = append(kinds, "s3")
		}
		if in.DynamoDB.Table != "" || len(in.DynamoDB.Actions) > 0 {
			kinds = append(kinds, "dynamodb")
		}
		if in.EFS != "" {
			kinds = append(kinds, "efs")
		}
		if in.Secret != "" {
			kinds = append(kinds, "secret")
		}
		if len(kinds) != 1 {
			add("%s: names %s; an intent names exactly one of s3, dynamodb, efs or secret", ip, describeKinds(kinds))
			continue
		}
		var key string
		switch kinds[0] {
		case "s3":
			key = "s3 " + in.S3.Bucket
			if !slices.Contains(intentBuckets, in.S3.Bucket) {
				add("%s.s3.bucket: %q is not a bucket of the platform (allowed: %s)", ip, in.S3.Bucket, strings.Join(intentBuckets, ", "))
			}
			actions(ip+".s3", in.S3.Actions, S3Actions)
			if slices.Contains(in.S3.Actions, ActionPut) && slices.Contains(in.S3.Actions, ActionWrite) {
				add("%s.s3.actions: put (create only) and write (may overwrite) contradict each other: choose one", ip)
			}
		case "dynamodb":
			key = "dynamodb " + in.DynamoDB.Table
			if !slices.Contains(intentTables, in.DynamoDB.Table) {
				add("%s.dynamodb.table: %q is not a table of the platform (allowed: %s)", ip, in.DynamoDB.Table, strings.Join(intentTables, ", "))
			}
			actions(ip+".dynamodb", in.DynamoDB.Actions, TableActions)
		case "efs":
			key = "efs " + in.EFS
			if !slices.Contains(intentFileSystems, in.EFS) {
				add("%s.efs: %q is not a file system of the platform (allowed: %s)", ip, in.EFS, strings.Join(intentFileSystems, ", "))
			} else if writable["/"+in.EFS] {
				add("%s.efs: %q is mounted at /%s, which is also a writable path", ip, in.EFS, in.EFS)
			}
		case "secret":
			key = "secret " + in.Secret
			if !slices.Contains(intentSecrets, in.Secret) {
				add("%s.secret: %q is not a secret of the platform (allowed: %s)", ip, in.Secret, strings.Join(intentSecrets, ", "))
			}
		}
		if first, dup := seen[key]; dup {
			add("%s: %s is already granted by %s; merge the actions into one intent", ip, key, first)
		}
		seen[key] = ip
	}
	return p
}

func describeKinds(kinds []string) string {
	if len(kinds) == 0 {
		return "nothing"
	}
	return strings.Join(kinds, " and ")
}
