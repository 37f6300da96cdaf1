package infra_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/securestack/platform/infra"
)

func TestProbe(t *testing.T) {
	for _, v := range []map[string]string{
		{"aws:region": "EU-WEST-1"},
		{"aws:region": "eu_west_1"},
		{"aws:region": "eu-west-1", "platform:network": `{"availabilityZones":["eu-west-1a","eu-west-1a"]}`},
		{"aws:region": "eu-west-1", "platform:tags": `{"team":"` + strings.Repeat("é", 200) + `"}`},
		{"aws:region": "eu-west-1", "platform:network": `{"natGateways":null}`},
		{"aws:region": "eu-west-1", "platform:network": `{"azCount":null}`},
		{"aws:region": "eu-west-1", "platform:network": `{"cidr":"fd00::/56"}`},
		{"aws:region": "eu-west-1", "platform:network": `{"cidr":"::ffff:10.0.0.0/112"}`},
		{"aws:region": "eu-west-1\n", "platform:network": `{"availabilityZones":["eu-west-1a","eu-west-1b"]}`},
		{"aws:region": "eu-west-1", "platform:waivers": `[{"control":"x","reason":"ééééé"}]`},
		{"aws:region": "eu-west-1", "platform:network": `{"availabilityZones":["eu-west-1","eu-west-1-x"]}`},
	} {
		cfg, err := infra.ParseConfig(infra.Raw{Project: "p", Stack: "dev", Values: v})
		var ce *infra.ConfigError
		if errors.As(err, &ce) {
			fmt.Printf("%q\n  %q\n", v, ce.Problems)
		} else {
			fmt.Printf("%q\n  OK %+v\n", v, cfg.Network)
		}
	}
}
