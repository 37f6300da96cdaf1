package tests

import (
	"testing"

	"github.com/securestack/platform/proof/engine/planner"
)

// BenchmarkOfflinePlanProd is the offline plan's speed target: recording prod under mocks and
// evaluating every control must stay well under a second (it is the PR gate, run per stack).
func BenchmarkOfflinePlanProd(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		p, err := planner.Make(planner.Options{Stack: "prod"})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := p.JSON(); err != nil {
			b.Fatal(err)
		}
	}
}
