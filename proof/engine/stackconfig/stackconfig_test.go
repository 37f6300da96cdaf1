package stackconfig_test

import (
	"strings"
	"testing"

	"github.com/securestack/platform/proof/engine/stackconfig"
)

func TestLoadRejectsAMissingStack(t *testing.T) {
	if _, err := stackconfig.Load("../../../", "nosuchstack"); err == nil || !strings.Contains(err.Error(), `stack "nosuchstack"`) {
		t.Errorf("got %v", err)
	}
}
