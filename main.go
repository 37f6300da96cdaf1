// Command platform is the Pulumi program of the secure-by-default AWS platform. Run it with the
// Pulumi CLI (`pulumi preview --stack dev`), or offline with `go run ./cmd/plan`.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/securestack/platform/infra"
)

func main() { pulumi.Run(infra.Run) }
