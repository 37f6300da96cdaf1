package main

import (
	"flag"
	"testing"
)

// TestStackName: a positional stack name is the stack; a stray or second name is an error, never a
// silent plan of the default stack.
func TestStackName(t *testing.T) {
	cases := []struct {
		name      string
		flag      string
		flagGiven bool
		args      []string
		want      string
		wantErr   string
	}{
		{"default", defaultStack, false, nil, "dev", ""},
		{"flag", "prod", true, nil, "prod", ""},
		{"positional", defaultStack, false, []string{"prod"}, "prod", ""},
		{"both, agreeing", "prod", true, []string{"prod"}, "prod", ""},
		{"both, disagreeing", "staging", true, []string{"prod"}, "", `two stacks named: -stack staging and "prod"; name one`},
		{"two positionals", defaultStack, false, []string{"prod", "staging"}, "", `unexpected arguments ["prod" "staging"]: name one stack, for example -stack prod`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := stackName(tc.flag, tc.flagGiven, tc.args)
			errText := ""
			if err != nil {
				errText = err.Error()
			}
			if got != tc.want || errText != tc.wantErr {
				t.Errorf("stackName = %q, %q; want %q, %q", got, errText, tc.want, tc.wantErr)
			}
		})
	}
}

// TestFlagSetCountsAnExplicitDefault: `-stack dev prod` names two stacks even though dev is the
// default, so flagSet must report a flag given on the command line, not one that differs from
// its default.
func TestFlagSetCountsAnExplicitDefault(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want bool
	}{
		{nil, false},
		{[]string{"prod"}, false},
		{[]string{"-stack", defaultStack, "prod"}, true},
		{[]string{"-out", "-"}, false},
	} {
		fs := flag.NewFlagSet("plan", flag.ContinueOnError)
		stack := fs.String("stack", defaultStack, "")
		fs.String("out", "", "")
		if err := fs.Parse(tc.args); err != nil {
			t.Fatal(err)
		}
		if got := flagSet(fs, "stack"); got != tc.want {
			t.Errorf("args %q: flagSet = %v, want %v", tc.args, got, tc.want)
		}
		if _, err := stackName(*stack, flagSet(fs, "stack"), fs.Args()); (err != nil) != (len(tc.args) == 3) {
			t.Errorf("args %q: stackName error %v", tc.args, err)
		}
	}
}
