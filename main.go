// Command platform is the Pulumi program of the secure-by-default AWS platform. Run it with the
// Pulumi CLI (`pulumi preview --stack dev`), or offline with `go run ./cmd/plan`.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/securestack/platform/infra"
	"github.com/securestack/platform/proof/controls"
)

// The waivers in a stack file may name only controls of the catalog.
func main() { pulumi.Run(infra.Program(controls.IDs())) }
