package infra_test

import (
	"reflect"
	"testing"

	"github.com/securestack/platform/infra"
)

// TestDefaultCatalogIsTheRequirementsApplication pins the default services: the unprivileged nginx
// frontend on 8080 behind the load balancer, calling the uploader; the uploader (appuser 1000)
// that only puts uploads; the processor (appuser 1000) that reads uploads, writes processed media
// and metadata and uses the scratch file system. None has an image until a stack names one.
func TestDefaultCatalogIsTheRequirementsApplication(t *testing.T) {
	resources := infra.ResourcesConfig{CPU: "100m", Memory: "128Mi", CPULimit: "500m", MemoryLimit: "256Mi"}
	want := map[string]infra.ServiceConfig{
		"frontend": {Enabled: true, Namespace: "apps", Port: 8080, LoadBalancer: true, UID: 1000, GID: 1000,
			WritablePaths: []string{"/tmp", "/var/cache/nginx"}, Replicas: 3, Resources: resources},
		"uploader": {Enabled: true, Namespace: "apps", Port: 8000, Callers: []string{"frontend"}, UID: 1000, GID: 1000,
			WritablePaths: []string{"/tmp"}, Replicas: 3, Resources: resources,
			AWS: []infra.AWSIntent{{S3: infra.S3Intent{Bucket: "uploads", Actions: []string{"put"}}}, {Secret: "app-credentials"}}},
		"processor": {Enabled: true, Namespace: "apps", Port: 8000, UID: 1000, GID: 1000,
			WritablePaths: []string{"/tmp"}, Replicas: 3,
			Resources: infra.ResourcesConfig{CPU: "250m", Memory: "512Mi", CPULimit: "1", MemoryLimit: "1Gi"},
			AWS: []infra.AWSIntent{
				{S3: infra.S3Intent{Bucket: "uploads", Actions: []string{"read"}}},
				{S3: infra.S3Intent{Bucket: "processed", Actions: []string{"write"}}},
				{DynamoDB: infra.TableIntent{Table: "media", Actions: []string{"read", "write"}}},
				{EFS: "scratch"},
				{Secret: "app-credentials"},
			}},
	}
	if got := mustParse(t, raw("prod")).Services; !reflect.DeepEqual(got, want) {
		t.Errorf("prod catalog:\n got  %+v\n want %+v", got, want)
	}
	// Elsewhere two replicas; and the services follow the first application namespace.
	cfg := mustParse(t, raw("dev", "platform:access", `{"namespaces":["media","tools"]}`))
	for name, s := range cfg.Services {
		if s.Replicas != 2 || s.Namespace != "media" {
			t.Errorf("dev %s: %d replicas in %q, want 2 in media", name, s.Replicas, s.Namespace)
		}
	}
}

// TestCatalogProblemsAreReportedAllAtOnce: every broken entry is named with its key path, its
// value and what is allowed, in one error.
func TestCatalogProblemsAreReportedAllAtOnce(t *testing.T) {
	wantProblems(t, raw("dev",
		"platform:services", `{
			"Bad_Name": {"port": 8080},
			"1st": {"port": 8080},
			"frontend": {"port": 80, "image": "nginx:latest", "uid": 0, "gid": 101, "writablePaths": ["tmp", "/tmp/../x", "/", "/var/Cache@1"],
				"resources": {"cpu": "lots", "memoryLimit": "64Mi"}, "healthPath": "health"},
			"uploader": {"namespace": "default", "callers": ["frontend", "frontend", "uploader", "ghost"], "replicas": 0,
				"aws": [{"s3": {"bucket": "other", "actions": ["delete"]}}, {"s3": {"bucket": "uploads", "actions": ["put", "write"]}},
					{"dynamodb": {"table": "media", "actions": ["read"]}, "efs": "scratch"}, {}, {"efs": "cache"}, {"secret": "api-key"},
					{"s3": {"bucket": "uploads", "actions": ["read"]}}]},
			"processor": {"enabled": false}
		}`),
		`platform:services.1st: the service name "1st" is not a DNS-1035 label (lowercase letters, digits and '-', starting with a letter, at most 63): it names the ServiceAccount, Deployment, container and Service`,
		`platform:services.Bad_Name: the service name "Bad_Name" is not a DNS-1035 label (lowercase letters, digits and '-', starting with a letter, at most 63): it names the ServiceAccount, Deployment, container and Service`,
		`platform:services.frontend.port: 80 is not a port from 1024 to 65535 (a non-root process without capabilities cannot bind below 1024)`,
		`platform:services.frontend.image: "nginx:latest" uses the tag latest: pin a version or a digest`,
		`platform:services.frontend.uid: 0 is below 1000: services run as a non-root user of at least 1000 (the requirements' appuser)`,
		`platform:services.frontend.gid: 101 is below 1000: services run with a group of at least 1000`,
		`platform:services.frontend.writablePaths[0]: "tmp" must be an absolute, clean path other than / (the root file system stays read-only)`,
		`platform:services.frontend.writablePaths[1]: "/tmp/../x" must be an absolute, clean path other than / (the root file system stays read-only)`,
		`platform:services.frontend.writablePaths[2]: "/" must be an absolute, clean path other than / (the root file system stays read-only)`,
		`platform:services.frontend.writablePaths[3]: "/var/Cache@1" makes the volume name "writable-var-cache@1", which is not a DNS-1123 label of at most 63 characters: use a shorter path of letters, digits, '.', '_' and '-'`,
		`platform:services.frontend.resources.cpu: "lots" is not a positive Kubernetes quantity (for example 250m or 256Mi)`,
		`platform:services.frontend.resources.memoryLimit: "64Mi" is below the request "128Mi"`,
		`platform:services.frontend.healthPath: "health" is not an absolute HTTP path (for example /healthz)`,
		`platform:services.uploader.namespace: "default" is not an application namespace (allowed: apps, from platform:access.namespaces)`,
		`platform:services.uploader.callers[1]: "frontend" is listed twice`,
		`platform:services.uploader.callers[2]: "uploader" is the service itself; a service needs no NetworkPolicy to reach its own pods`,
		`platform:services.uploader.callers[3]: "ghost" is not an enabled service of the catalog (services: 1st, Bad_Name, frontend, uploader)`,
		`platform:services.uploader.replicas: 0 is below 1`,
		`platform:services.uploader.aws[0].s3.bucket: "other" is not a bucket of the platform (allowed: processed, uploads)`,
		`platform:services.uploader.aws[0].s3.actions[0]: "delete" is not an action (allowed: put, read, write)`,
		`platform:services.uploader.aws[1].s3.actions: put (create only) and write (may overwrite) contradict each other: choose one`,
		`platform:services.uploader.aws[2]: names dynamodb and efs; an intent names exactly one of s3, dynamodb, efs or secret`,
		`platform:services.uploader.aws[3]: names nothing; an intent names exactly one of s3, dynamodb, efs or secret`,
		`platform:services.uploader.aws[4].efs: "cache" is not a file system of the platform (allowed: scratch)`,
		`platform:services.uploader.aws[5].secret: "api-key" is not a secret of the platform (allowed: app-credentials)`,
		`platform:services.uploader.aws[6]: s3 uploads is already granted by platform:services.uploader.aws[1]; merge the actions into one intent`,
	)
}

// TestImagesComeOnlyFromAllowedRegistries: by default the stack account's ECR in its region, and
// there the service's own repository (the one only its gated push role writes); a stack may name
// other registries.
func TestImagesComeOnlyFromAllowedRegistries(t *testing.T) {
	ecr := "123456789012.dkr.ecr.eu-west-1.amazonaws.com/platform/prod/frontend:1.2.3"
	mustParse(t, raw("prod", "platform:services", `{"frontend":{"image":"`+ecr+`"}}`))
	mustParse(t, raw("prod", "platform:services", `{"frontend":{"image":"`+ecr[:len(ecr)-6]+`@sha256:`+
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"+`"}}`))
	wantProblems(t, raw("prod", "platform:services", `{"frontend":{"image":"nginxinc/nginx-unprivileged:1.27"},"uploader":{"image":"999999999999.dkr.ecr.eu-west-1.amazonaws.com/u:1"},"processor":{"image":"`+ecr[:len(ecr)-6]+`"}}`),
		`platform:services.frontend.image: "nginxinc/nginx-unprivileged:1.27" comes from registry "docker.io", which is not allowed (allowed: 123456789012.dkr.ecr.eu-west-1.amazonaws.com; set platform:images.registries to allow others)`,
		`platform:services.processor.image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/platform/prod/frontend" has no tag or digest: pin a version (a missing tag means latest)`,
		`platform:services.uploader.image: "999999999999.dkr.ecr.eu-west-1.amazonaws.com/u:1" comes from registry "999999999999.dkr.ecr.eu-west-1.amazonaws.com", which is not allowed (allowed: 123456789012.dkr.ecr.eu-west-1.amazonaws.com; set platform:images.registries to allow others)`,
	)
	wantProblems(t, raw("prod", "platform:services", `{"uploader":{"image":"123456789012.dkr.ecr.eu-west-1.amazonaws.com/platform/prod/frontend:1.2.3"},"processor":{"image":"123456789012.dkr.ecr.eu-west-1.amazonaws.com/tools/debug:1"}}`),
		`platform:services.processor.image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/tools/debug:1" is in repository "tools/debug" of the stack's registry, not in the service's own repository "platform/prod/processor" (the one its gated push role writes to): use 123456789012.dkr.ecr.eu-west-1.amazonaws.com/platform/prod/processor:<tag> or @sha256:<digest>`,
		`platform:services.uploader.image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/platform/prod/frontend:1.2.3" is in repository "platform/prod/frontend" of the stack's registry, not in the service's own repository "platform/prod/uploader" (the one its gated push role writes to): use 123456789012.dkr.ecr.eu-west-1.amazonaws.com/platform/prod/uploader:<tag> or @sha256:<digest>`,
	)
	mustParse(t, raw("prod", "platform:images", `{"registries":["docker.io"]}`, "platform:services", `{"frontend":{"image":"nginxinc/nginx-unprivileged:1.27"}}`))
	wantProblems(t, raw("prod", "platform:images", `{"registries":["https://docker.io"]}`),
		`platform:images.registries[0]: "https://docker.io" is not a registry host (for example 123456789012.dkr.ecr.eu-west-1.amazonaws.com)`)
}

func TestParseImage(t *testing.T) {
	for _, tc := range []struct {
		image string
		want  infra.ImageReference
		ok    bool
	}{
		{"nginx:1.27", infra.ImageReference{Registry: "docker.io", Repository: "nginx", Tag: "1.27"}, true},
		{"nginxinc/nginx-unprivileged:1.27-alpine", infra.ImageReference{Registry: "docker.io", Repository: "nginxinc/nginx-unprivileged", Tag: "1.27-alpine"}, true},
		{"localhost:5000/app:1", infra.ImageReference{Registry: "localhost:5000", Repository: "app", Tag: "1"}, true},
		{"1.dkr.ecr.eu-west-1.amazonaws.com/a/b", infra.ImageReference{Registry: "1.dkr.ecr.eu-west-1.amazonaws.com", Repository: "a/b"}, true},
		{"Upper/Case:1", infra.ImageReference{}, false},
		{"app:", infra.ImageReference{}, false},
	} {
		got, ok := infra.ParseImage(tc.image)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParseImage(%q) = %+v, %v; want %+v, %v", tc.image, got, ok, tc.want, tc.ok)
		}
	}
}

// TestServicePoliciesAreCompiledFromIntentsExactly: exact actions on exact ARNs; the put intent
// creates only; SSE-KMS adds the data key through S3 only.
func TestServicePoliciesAreCompiledFromIntentsExactly(t *testing.T) {
	services := infra.DefaultServices(infra.Dev, "apps")
	r := infra.AppResources{Partition: "aws", Region: "eu-west-1", Account: "111111111111",
		Names: infra.Names{Project: "platform", Stack: "dev", Account: "111111111111", Region: "eu-west-1"}, DataKeyArn: "arn:aws:kms:eu-west-1:111111111111:key/k"}
	for _, tc := range []struct {
		service string
		sseKMS  bool
		want    string
	}{
		{"uploader", false, `{"Version":"2012-10-17","Statement":[` +
			`{"Sid":"S3PutUploadsNew","Effect":"Allow","Action":["s3:PutObject"],"Resource":["arn:aws:s3:::platform-dev-uploads-111111111111-eu-west-1/*"],"Condition":{"Null":{"s3:if-none-match":["false"]}}},` +
			`{"Sid":"S3PutUploadsParts","Effect":"Allow","Action":["s3:PutObject"],"Resource":["arn:aws:s3:::platform-dev-uploads-111111111111-eu-west-1/*"],"Condition":{"Bool":{"s3:ObjectCreationOperation":["false"]}}},` +
			`{"Sid":"ReadSecretAppCredentials","Effect":"Allow","Action":["secretsmanager:GetSecretValue"],"Resource":["arn:aws:secretsmanager:eu-west-1:111111111111:secret:platform/dev/app-credentials-??????"]}]}`},
		{"processor", true, `{"Version":"2012-10-17","Statement":[` +
			`{"Sid":"S3ReadUploads","Effect":"Allow","Action":["s3:GetObject"],"Resource":["arn:aws:s3:::platform-dev-uploads-111111111111-eu-west-1/*"]},` +
			`{"Sid":"S3WriteProcessed","Effect":"Allow","Action":["s3:PutObject"],"Resource":["arn:aws:s3:::platform-dev-processed-111111111111-eu-west-1/*"]},` +
			`{"Sid":"DynamoDBReadWriteMedia","Effect":"Allow","Action":["dynamodb:GetItem","dynamodb:PutItem","dynamodb:Query","dynamodb:UpdateItem"],"Resource":["arn:aws:dynamodb:eu-west-1:111111111111:table/platform-dev-media"]},` +
			`{"Sid":"ReadSecretAppCredentials","Effect":"Allow","Action":["secretsmanager:GetSecretValue"],"Resource":["arn:aws:secretsmanager:eu-west-1:111111111111:secret:platform/dev/app-credentials-??????"]},` +
			`{"Sid":"DataKeyThroughS3Only","Effect":"Allow","Action":["kms:Decrypt","kms:GenerateDataKey"],"Resource":["arn:aws:kms:eu-west-1:111111111111:key/k"],"Condition":{"StringEquals":{"kms:ViaService":["s3.eu-west-1.amazonaws.com"]}}}]}`},
	} {
		r.SSEKMS = tc.sseKMS
		got, err := infra.ServicePolicy(services[tc.service], r).JSON()
		if err != nil || got != tc.want {
			t.Errorf("%s policy (%v):\n got  %s\n want %s", tc.service, err, got, tc.want)
		}
	}
	// The frontend has no intent: no role, and no policy could be written for one.
	if _, err := infra.ServicePolicy(services["frontend"], r).JSON(); err == nil || services["frontend"].HasAWSAccess() || !services["processor"].HasAWSAccess() {
		t.Errorf("only services with an intent other than a file system have a role (frontend policy error: %v)", err)
	}
}
