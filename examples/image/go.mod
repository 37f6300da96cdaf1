// The sample service that .github/workflows/image.yml is tested with. Its own module, so it is
// not part of the platform module's packages (go vet ./... and golangci-lint there skip it).
module github.com/securestack/platform/examples/image

go 1.26
