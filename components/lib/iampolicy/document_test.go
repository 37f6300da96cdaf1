package iampolicy

import (
	"encoding/json"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// kmsRootStatement is the standard first statement of a KMS key policy.
var kmsRootStatement = Statement{
	Sid:       "EnableRootAccess",
	Effect:    Allow,
	Principal: &Principal{AWS: StringList{"arn:aws:iam::123456789012:root"}},
	Actions:   StringList{"kms:*"},
	Resources: StringList{"*"},
}

// denyInsecureTransport is the standard S3 "TLS only" bucket policy statement.
var denyInsecureTransport = Statement{
	Sid:        "DenyInsecureTransport",
	Effect:     Deny,
	Principal:  &Principal{Wildcard: true},
	Actions:    StringList{"s3:*"},
	Resources:  StringList{"arn:aws:s3:::b", "arn:aws:s3:::b/*"},
	Conditions: Conditions{"Bool": {"aws:SecureTransport": {"false"}}},
}

func TestStatementMarshal_ProducesExactCompactJSON(t *testing.T) {
	tests := []struct {
		name string
		in   any
		want string
	}{
		{
			name: "KMS root statement",
			in:   kmsRootStatement,
			want: `{"Sid":"EnableRootAccess","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::123456789012:root"]},"Action":["kms:*"],"Resource":["*"]}`,
		},
		{
			name: "S3 TLS-only deny",
			in:   denyInsecureTransport,
			want: `{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":["s3:*"],"Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],"Condition":{"Bool":{"aws:SecureTransport":["false"]}}}`,
		},
		{
			name: "empty optional elements are omitted",
			in:   Statement{Effect: Allow, Actions: StringList{"s3:GetObject"}, Resources: StringList{}, Conditions: Conditions{}},
			want: `{"Effect":"Allow","Action":["s3:GetObject"]}`,
		},
		{
			name: "Not elements",
			in: Statement{Effect: Deny, NotPrincipal: &Principal{AWS: StringList{"arn:aws:iam::1:role/a"}},
				NotActions: StringList{"iam:*"}, NotResources: StringList{"arn:aws:s3:::b"}},
			want: `{"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::1:role/a"]},"NotAction":["iam:*"],"NotResource":["arn:aws:s3:::b"]}`,
		},
		{
			name: "condition operators and keys are sorted",
			in: Statement{Effect: Allow, Actions: StringList{"sts:AssumeRoleWithWebIdentity"}, Conditions: Conditions{
				"StringLike":   {"token.actions.githubusercontent.com:sub": {"repo:o/r:*"}},
				"StringEquals": {"token.actions.githubusercontent.com:aud": {"sts.amazonaws.com"}, "aws:A": {"x"}},
			}},
			want: `{"Effect":"Allow","Action":["sts:AssumeRoleWithWebIdentity"],"Condition":{"StringEquals":{"aws:A":["x"],"token.actions.githubusercontent.com:aud":["sts.amazonaws.com"]},"StringLike":{"token.actions.githubusercontent.com:sub":["repo:o/r:*"]}}}`,
		},
		{
			name: "principal keys in fixed order AWS, Federated, Service",
			in:   Principal{Service: StringList{"s"}, Federated: StringList{"f"}, AWS: StringList{"a"}},
			want: `{"AWS":["a"],"Federated":["f"],"Service":["s"]}`,
		},
		{
			name: "principal omits empty types",
			in:   Principal{Service: StringList{"lambda.amazonaws.com"}, AWS: StringList{}},
			want: `{"Service":["lambda.amazonaws.com"]}`,
		},
		{name: "single-entry list is still an array", in: StringList{"a"}, want: `["a"]`},
		{name: "nil list marshals as empty array", in: StringList(nil), want: `[]`},
		{name: "HTML characters are not escaped", in: StringList{"<a&b>"}, want: `["<a&b>"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := marshal(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestDocumentJSON_RendersVersionIDAndStatementsInOrder(t *testing.T) {
	doc := New(kmsRootStatement, denyInsecureTransport)
	doc.ID = "key-policy"
	got, err := doc.JSON()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"Version":"2012-10-17","Id":"key-policy","Statement":[` +
		`{"Sid":"EnableRootAccess","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::123456789012:root"]},"Action":["kms:*"],"Resource":["*"]},` +
		`{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":["s3:*"],"Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],"Condition":{"Bool":{"aws:SecureTransport":["false"]}}}]}`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestDocumentJSON_IsDeterministicAcrossCalls(t *testing.T) {
	conds := Conditions{}
	for _, op := range []string{"StringEquals", "StringLike", "Bool", "IpAddress", "ArnLike", "NumericLessThan"} {
		conds[op] = map[string]StringList{"k1": {"a"}, "k2": {"b"}, "k3": {"c"}, "k4": {"d"}}
	}
	doc := New(Statement{Effect: Allow, Actions: StringList{"s3:*"}, Conditions: conds})
	first, err := doc.JSON()
	if err != nil {
		t.Fatal(err)
	}
	for range 50 {
		if got, _ := doc.JSON(); got != first {
			t.Fatalf("output changed between calls:\n%s\n%s", first, got)
		}
	}
}

func TestNew_SetsVersion2012AndCopiesStatements(t *testing.T) {
	stmts := []Statement{kmsRootStatement}
	doc := New(stmts...)
	stmts[0].Sid = "changed"
	if doc.Version != Version2012 || doc.Statements[0].Sid != "EnableRootAccess" {
		t.Errorf("got %+v", doc)
	}
}

func TestJSON_RejectsInvalidDocuments(t *testing.T) {
	act := StringList{"s3:GetObject"}
	tests := []struct {
		name    string
		doc     Document
		wantErr string
	}{
		{"no statements", New(), "no statements"},
		{"unknown version", Document{Version: "2020-01-01", Statements: []Statement{{Effect: Allow, Actions: act}}}, "unsupported Version"},
		{"missing effect", New(Statement{Actions: act}), `Statement[0]: Effect "" is not`},
		{"lower-case effect", New(Statement{Sid: "S", Effect: "allow", Actions: act}), `Statement[0] (Sid "S"): Effect "allow"`},
		{"no action", New(Statement{Effect: Allow}), "neither Action nor NotAction"},
		{"action and not action", New(Statement{Effect: Allow, Actions: act, NotActions: act}), "both Action and NotAction"},
		{"resource and not resource", New(Statement{Effect: Allow, Actions: act, Resources: act, NotResources: act}), "both Resource and NotResource"},
		{"principal and not principal", New(Statement{Effect: Allow, Actions: act, Principal: &Principal{Wildcard: true}, NotPrincipal: &Principal{Wildcard: true}}), "both Principal and NotPrincipal"},
		{"empty principal", New(Statement{Effect: Allow, Actions: act, Principal: &Principal{}}), "Principal is empty"},
		{"wildcard mixed with lists", New(Statement{Effect: Allow, Actions: act, NotPrincipal: &Principal{Wildcard: true, AWS: act}}), `NotPrincipal mixes "*"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.doc.JSON()
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("JSON() = %q, %v; want error containing %q", got, err, tt.wantErr)
			}
			if !strings.HasPrefix(err.Error(), "iampolicy: ") {
				t.Errorf("error %q lacks package prefix", err)
			}
		})
	}
}

func TestParse_AcceptsStringOrArrayForListElements(t *testing.T) {
	single, err := Parse(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`)
	if err != nil {
		t.Fatal(err)
	}
	array, err := Parse(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":["arn:aws:s3:::b/*"]}]}`)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(single, array) {
		t.Errorf("string and array forms differ:\n%+v\n%+v", single, array)
	}
	want := StringList{"s3:GetObject"}
	if !reflect.DeepEqual(single.Statements[0].Actions, want) {
		t.Errorf("Actions = %#v, want %#v", single.Statements[0].Actions, want)
	}
}

func TestParse_AcceptsSingleStatementObject(t *testing.T) {
	doc, err := Parse(`{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"*"}}`)
	if err != nil {
		t.Fatal(err)
	}
	want := []Statement{{Effect: Deny, Actions: StringList{"*"}}}
	if !reflect.DeepEqual(doc.Statements, want) {
		t.Errorf("Statements = %+v, want %+v", doc.Statements, want)
	}
}

func TestStringListUnmarshal_AcceptsStringArrayOrNullOnly(t *testing.T) {
	tests := []struct {
		in      string
		want    StringList
		wantErr bool
	}{
		{in: `"a"`, want: StringList{"a"}},
		{in: ` "a" `, want: StringList{"a"}},
		{in: `["a","b"]`, want: StringList{"a", "b"}},
		{in: `[]`, want: nil},
		{in: `null`, want: nil},
		{in: `""`, want: StringList{""}},
		{in: `5`, wantErr: true},
		{in: `true`, wantErr: true},
		{in: `{"a":"b"}`, wantErr: true},
		{in: `["a",null]`, wantErr: true},
		{in: `["a",1]`, wantErr: true},
		{in: `[["a"]]`, wantErr: true},
		{in: `nul`, wantErr: true},
		{in: ``, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := StringList{"stale"}
			err := got.UnmarshalJSON([]byte(tt.in))
			if tt.wantErr {
				if err == nil {
					t.Fatalf("got %#v, want error", got)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, %v; want %#v", got, err, tt.want)
			}
		})
	}
}

func TestPrincipalUnmarshal_AcceptsWildcardAndObjectForms(t *testing.T) {
	tests := []struct {
		in           string
		want         Principal
		wantWildcard bool
	}{
		{in: `"*"`, want: Principal{Wildcard: true}, wantWildcard: true},
		{in: `{"AWS":"*"}`, want: Principal{AWS: StringList{"*"}}, wantWildcard: true},
		{in: `{"AWS":["arn:aws:iam::1:root","*"]}`, want: Principal{AWS: StringList{"arn:aws:iam::1:root", "*"}}, wantWildcard: true},
		{in: `{"AWS":"arn:aws:iam::123456789012:root"}`, want: Principal{AWS: StringList{"arn:aws:iam::123456789012:root"}}},
		{in: `{"Service":["ec2.amazonaws.com","lambda.amazonaws.com"]}`, want: Principal{Service: StringList{"ec2.amazonaws.com", "lambda.amazonaws.com"}}},
		{in: `{"Federated":"cognito-identity.amazonaws.com","AWS":["a"]}`, want: Principal{AWS: StringList{"a"}, Federated: StringList{"cognito-identity.amazonaws.com"}}},
		// "*" as a Service is not "anyone": only AWS:"*" is.
		{in: `{"Service":"*"}`, want: Principal{Service: StringList{"*"}}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := Principal{Service: StringList{"stale"}}
			if err := json.Unmarshal([]byte(tt.in), &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
			if got.IsWildcard() != tt.wantWildcard {
				t.Errorf("IsWildcard() = %v, want %v", got.IsWildcard(), tt.wantWildcard)
			}
		})
	}
}

func TestPrincipalUnmarshal_RejectsNonWildcardStringsAndUnknownTypes(t *testing.T) {
	for _, in := range []string{
		`"arn:aws:iam::1:root"`,
		`""`,
		`{"CanonicalUser":"abc"}`,
		`{"aws":"*"}`, // principal types are case-sensitive
		`{"AWS":5}`,
		`["*"]`,
		`true`,
		`5`,
	} {
		t.Run(in, func(t *testing.T) {
			var p Principal
			if err := json.Unmarshal([]byte(in), &p); err == nil {
				t.Errorf("got %#v, want error", p)
			}
		})
	}
}

func TestPrincipalIsWildcard_FalseForNilAndSpecificPrincipals(t *testing.T) {
	var nilP *Principal
	if nilP.IsWildcard() {
		t.Error("nil principal reported as wildcard")
	}
	if (&Principal{AWS: StringList{"arn:aws:iam::1:root"}, Service: StringList{"*"}}).IsWildcard() {
		t.Error("specific AWS principal reported as wildcard")
	}
}

func TestConditionsUnmarshal_ConvertsScalarsToStrings(t *testing.T) {
	in := `{
		"Bool": {"aws:SecureTransport": false, "aws:MultiFactorAuthPresent": [true]},
		"NumericLessThan": {"s3:max-keys": 10, "x": [1.5e3, -0]},
		"StringEquals": {"aws:PrincipalOrgID": "o-123", "k": ["a", "b"], "empty": []}
	}`
	var got Conditions
	if err := json.Unmarshal([]byte(in), &got); err != nil {
		t.Fatal(err)
	}
	want := Conditions{
		"Bool":            {"aws:SecureTransport": {"false"}, "aws:MultiFactorAuthPresent": {"true"}},
		"NumericLessThan": {"s3:max-keys": {"10"}, "x": {"1.5e3", "-0"}},
		"StringEquals":    {"aws:PrincipalOrgID": {"o-123"}, "k": {"a", "b"}, "empty": nil},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %#v\nwant %#v", got, want)
	}
}

func TestConditionsUnmarshal_RejectsNonScalarValues(t *testing.T) {
	for _, in := range []string{
		`{"Bool":{"k":null}}`,
		`{"Bool":{"k":[null]}}`,
		`{"Bool":{"k":{"a":"b"}}}`,
		`{"Bool":{"k":[["a"]]}}`,
		`{"Bool":null}`,
		`{"Bool":"true"}`,
		`["Bool"]`,
	} {
		t.Run(in, func(t *testing.T) {
			var c Conditions
			if err := json.Unmarshal([]byte(in), &c); err == nil {
				t.Errorf("got %#v, want error", c)
			}
		})
	}
}

func TestConditionsUnmarshal_EmptyObjectOrNullIsNil(t *testing.T) {
	for _, in := range []string{`{}`, `null`} {
		c := Conditions{"stale": nil}
		if err := json.Unmarshal([]byte(in), &c); err != nil || c != nil {
			t.Errorf("%s: got %#v, %v; want nil", in, c, err)
		}
	}
}

func TestParse_RejectsMalformedDocumentsWithClearErrors(t *testing.T) {
	tests := []struct {
		name, in, wantErr string
	}{
		{"empty input", ``, "iampolicy: parse policy: unexpected end of JSON input"},
		{"not JSON", `Version: 2012`, "iampolicy: parse policy: invalid character"},
		{"null", `null`, "no statements"},
		{"array", `[]`, "iampolicy: parse policy:"},
		{"trailing data", `{"Statement":{"Effect":"Allow","Action":"*"}} {}`, "after top-level value"},
		{"unknown top-level element", `{"Version":"2012-10-17","Statements":[]}`, `unknown field "Statements"`},
		{"unknown statement element", `{"Statement":[{"Effect":"Allow","Actions":"*"}]}`, `unknown field "Actions"`},
		{"unknown element in single statement", `{"Statement":{"Effect":"Allow","Action":"*","Foo":1}}`, `unknown field "Foo"`},
		{"statement is a string", `{"Statement":"x"}`, "Statement:"},
		{"action is a number", `{"Statement":[{"Effect":"Allow","Action":5}]}`, "want a string or an array of strings"},
		{"bad principal", `{"Statement":[{"Effect":"Allow","Action":"*","Principal":"anyone"}]}`, `principal string must be "*"`},
		{"unknown principal type", `{"Statement":[{"Effect":"Allow","Action":"*","Principal":{"CanonicalUser":"x"}}]}`, `unsupported principal type "CanonicalUser"`},
		{"null condition value", `{"Statement":[{"Effect":"Allow","Action":"*","Condition":{"Bool":{"k":null}}}]}`, `condition Bool "k"`},
		{"invalid effect", `{"Statement":[{"Effect":"Permit","Action":"*"}]}`, `Effect "Permit"`},
		{"version is a number", `{"Version":2012,"Statement":[]}`, "iampolicy: parse policy:"},
		{"empty statement list", `{"Version":"2012-10-17","Statement":[]}`, "no statements"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Parse(tt.in)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Parse = %+v, %v; want error containing %q", doc, err, tt.wantErr)
			}
			if !reflect.DeepEqual(doc, Document{}) {
				t.Errorf("Parse returned non-zero document %+v with error", doc)
			}
		})
	}
}

func TestParse_RoundTripsBuiltDocuments(t *testing.T) {
	doc := New(kmsRootStatement, denyInsecureTransport)
	s, err := doc.JSON()
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, doc) {
		t.Errorf("got  %+v\nwant %+v", got, doc)
	}
}

func TestParseAny_AcceptsJSONTextAndDecodedObject(t *testing.T) {
	const text = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	want, err := Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	var obj map[string]any
	if err := json.Unmarshal([]byte(text), &obj); err != nil {
		t.Fatal(err)
	}
	for _, in := range []any{text, []byte(text), json.RawMessage(text), obj} {
		got, err := ParseAny(in)
		if err != nil {
			t.Fatalf("%T: %v", in, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%T: got %+v, want %+v", in, got, want)
		}
	}
}

func TestParseAny_RejectsUnsupportedTypesAndBadObjects(t *testing.T) {
	for _, in := range []any{nil, 42, []any{}, map[string]string{"Version": "2012-10-17"},
		map[string]any{"Statement": func() {}},
		map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{"Effect": "Allow"}}},
	} {
		if _, err := ParseAny(in); err == nil {
			t.Errorf("ParseAny(%#v): want error", in)
		}
	}
}

func TestGlobMatch_StarMatchesAnyRunQuestionMatchesOneRuneFoldOnlyWhenAsked(t *testing.T) {
	tests := []struct {
		pattern, s string
		fold, want bool
	}{
		// "*" alone matches anything, including the empty string.
		{"*", "s3:DeleteObject", false, true},
		{"*", "", false, true},
		{"**", "a", false, true},
		// Exact, and empty pattern matches only empty input.
		{"s3:GetObject", "s3:GetObject", false, true},
		{"s3:GetObject", "s3:GetObjects", false, false},
		{"s3:GetObject", "s3:GetObjec", false, false},
		{"", "", false, true},
		{"", "a", false, false},
		// Prefix wildcards.
		{"s3:*", "s3:DeleteObject", false, true},
		{"s3:*", "s3:", false, true},
		{"s3:*", "s3", false, false},
		{"s3:*", "ec2:RunInstances", false, false},
		{"s3:Delete*", "s3:DeleteObject", false, true},
		{"s3:Delete*", "s3:PutObject", false, false},
		// Suffix and middle wildcards, with backtracking.
		{"*Object", "s3:GetObject", false, true},
		{"*Object", "s3:GetObjectAcl", false, false},
		{"s3:*Object*", "s3:GetObjectAcl", false, true},
		{"s3:Get*Acl", "s3:GetObjectAcl", false, true},
		{"s3:Get*Acl", "s3:GetObjectAclX", false, false},
		{"a*b*c", "aXbYbZc", false, true},
		{"a*b*c", "aXcYb", false, false},
		{"a*aab", "aaaaab", false, true},
		// "*" spans "/" and ":" (unlike path.Match).
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b/dir/sub/key", false, true},
		{"arn:aws:s3:::*", "arn:aws:s3:::b/k", false, true},
		{"arn:aws:iam::*:role/*", "arn:aws:iam::123456789012:role/path/r", false, true},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b", false, false},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::bb/k", false, false},
		// "?" is exactly one character, including a multi-byte one.
		{"s3:?etObject", "s3:GetObject", false, true},
		{"s3:?etObject", "s3:etObject", false, false},
		{"s3:?etObject", "s3:GGetObject", false, false},
		{"a?c", "a/c", false, true},
		{"a?c", "aéc", false, true},
		{"?*", "", false, false},
		{"*?", "x", false, true},
		// No escaping and no character classes: other metacharacters are literal.
		{"a[b]c", "a[b]c", false, true},
		{"a[b]c", "abc", false, false},
		{`a\*`, `a\xyz`, false, true},
		// Case-insensitivity only when folding.
		{"S3:getobject", "s3:GetObject", true, true},
		{"s3:delete*", "S3:DELETEOBJECT", true, true},
		{"S3:getobject", "s3:GetObject", false, false},
		{"arn:aws:s3:::B/*", "arn:aws:s3:::b/k", false, false},
		{"k", "\u212a", true, true}, // Kelvin sign folds to k
		{"s3:GetObject", "s3:GetObjecT", true, true},
		{"s3:GetObject", "s3:GetObjectX", true, false},
	}
	for _, tt := range tests {
		if got := globMatch(tt.pattern, tt.s, tt.fold); got != tt.want {
			t.Errorf("globMatch(%q, %q, fold=%v) = %v, want %v", tt.pattern, tt.s, tt.fold, got, tt.want)
		}
	}
}

func TestGlobMatch_PathologicalPatternIsFast(t *testing.T) {
	// Exponential backtracking would hang here; the iterative matcher is
	// O(len(pattern)·len(s)).
	pattern := strings.Repeat("a*", 200) + "b"
	s := strings.Repeat("a", 5000)
	if globMatch(pattern, s, true) {
		t.Error("matched without a b")
	}
}

// FuzzGlobMatch checks globMatch against a regexp oracle built from the
// same pattern.
func FuzzGlobMatch(f *testing.F) {
	f.Add("s3:*", "s3:GetObject", true)
	f.Add("a*b?c", "aXXbYc", false)
	f.Add("*a*a*", "ba", false)
	f.Add("K?", "\u212aé", true)
	f.Fuzz(func(t *testing.T, pattern, s string, fold bool) {
		if !utf8.ValidString(pattern) || !utf8.ValidString(s) || len(pattern) > 64 || len(s) > 256 {
			return
		}
		var re strings.Builder
		re.WriteString("^(?s")
		if fold {
			re.WriteString("i")
		}
		re.WriteString(")")
		for _, r := range pattern {
			switch r {
			case '*':
				re.WriteString(".*")
			case '?':
				re.WriteString(".")
			default:
				re.WriteString(regexp.QuoteMeta(string(r)))
			}
		}
		re.WriteString("$")
		want := regexp.MustCompile(re.String()).MatchString(s)
		if got := globMatch(pattern, s, fold); got != want {
			t.Errorf("globMatch(%q, %q, %v) = %v, regexp %s says %v", pattern, s, fold, got, re.String(), want)
		}
	})
}

func TestHasAction_MatchesActionWildcardsCaseInsensitively(t *testing.T) {
	tests := []struct {
		actions StringList
		action  string
		want    bool
	}{
		{StringList{"s3:*"}, "s3:DeleteObject", true},
		{StringList{"s3:Delete*"}, "s3:DeleteObject", true},
		{StringList{"*"}, "s3:DeleteObject", true},
		{StringList{"S3:DELETEOBJECT"}, "s3:DeleteObject", true},
		{StringList{"s3:GetObject", "s3:delete*"}, "S3:DeleteBucket", true},
		{StringList{"s3:Get*"}, "s3:DeleteObject", false},
		{StringList{"s3:DeleteObjectVersion"}, "s3:DeleteObject", false},
		{StringList{"ec2:*"}, "s3:DeleteObject", false},
		{nil, "s3:DeleteObject", false},
	}
	for _, tt := range tests {
		s := Statement{Effect: Allow, Actions: tt.actions}
		if got := s.HasAction(tt.action); got != tt.want {
			t.Errorf("%v.HasAction(%q) = %v, want %v", tt.actions, tt.action, got, tt.want)
		}
	}
}

func TestHasAction_IgnoresNotAction(t *testing.T) {
	s := Statement{Effect: Allow, NotActions: StringList{"iam:*"}}
	if s.HasAction("s3:GetObject") {
		t.Error("HasAction true for a NotAction statement")
	}
	if !s.CoversAction("s3:GetObject") {
		t.Error("CoversAction false for an action outside NotAction")
	}
}

func TestCoversAction_NotActionCoversEverythingExceptListed(t *testing.T) {
	s := Statement{Effect: Deny, NotActions: StringList{"iam:*", "sts:GetCallerIdentity"}}
	tests := []struct {
		action string
		want   bool
	}{
		{"s3:DeleteBucket", true},
		{"sts:AssumeRole", true},
		{"iam:CreateUser", false},
		{"IAM:CreateUser", false}, // NotAction matching is case-insensitive too
		{"sts:GetCallerIdentity", false},
	}
	for _, tt := range tests {
		if got := s.CoversAction(tt.action); got != tt.want {
			t.Errorf("CoversAction(%q) = %v, want %v", tt.action, got, tt.want)
		}
	}
}

func TestCoversResource_MatchesARNWildcardsCaseSensitively(t *testing.T) {
	tests := []struct {
		resources, notResources StringList
		arn                     string
		want                    bool
	}{
		{resources: StringList{"*"}, arn: "arn:aws:s3:::b", want: true},
		{resources: StringList{"arn:aws:s3:::b", "arn:aws:s3:::b/*"}, arn: "arn:aws:s3:::b", want: true},
		{resources: StringList{"arn:aws:s3:::b", "arn:aws:s3:::b/*"}, arn: "arn:aws:s3:::b/a/k", want: true},
		{resources: StringList{"arn:aws:s3:::b/*"}, arn: "arn:aws:s3:::b", want: false},
		{resources: StringList{"arn:aws:s3:::b/*"}, arn: "arn:aws:s3:::other/k", want: false},
		{resources: StringList{"arn:aws:s3:::B/*"}, arn: "arn:aws:s3:::b/k", want: false},
		{resources: StringList{"arn:aws:kms:*:123456789012:key/?b*"}, arn: "arn:aws:kms:eu-west-1:123456789012:key/abc", want: true},
		{resources: nil, arn: "arn:aws:s3:::b", want: false},
		{notResources: StringList{"arn:aws:s3:::logs/*"}, arn: "arn:aws:s3:::b/k", want: true},
		{notResources: StringList{"arn:aws:s3:::logs/*"}, arn: "arn:aws:s3:::logs/k", want: false},
	}
	for _, tt := range tests {
		s := Statement{Effect: Allow, Actions: StringList{"*"}, Resources: tt.resources, NotResources: tt.notResources}
		if got := s.CoversResource(tt.arn); got != tt.want {
			t.Errorf("Resource %v NotResource %v: CoversResource(%q) = %v, want %v",
				tt.resources, tt.notResources, tt.arn, got, tt.want)
		}
	}
}

func TestAllowsDenies_ReturnMatchingStatementsByEffectIncludingNotAction(t *testing.T) {
	readOnly := Statement{Sid: "Read", Effect: Allow, Actions: StringList{"s3:Get*", "s3:List*"}}
	allButIAM := Statement{Sid: "AllButIAM", Effect: Allow, NotActions: StringList{"iam:*"}}
	denyDelete := Statement{Sid: "NoDelete", Effect: Deny, Actions: StringList{"s3:Delete*"}}
	denyAllButRead := Statement{Sid: "OnlyRead", Effect: Deny, NotActions: StringList{"s3:Get*"}}
	doc := New(readOnly, allButIAM, denyDelete, denyAllButRead)

	sids := func(stmts []Statement) []string {
		var out []string
		for _, s := range stmts {
			out = append(out, s.Sid)
		}
		return out
	}
	tests := []struct {
		action             string
		allows, wantDenies []string
	}{
		{"s3:GetObject", []string{"Read", "AllButIAM"}, nil},
		{"s3:DeleteObject", []string{"AllButIAM"}, []string{"NoDelete", "OnlyRead"}},
		{"iam:CreateUser", nil, []string{"OnlyRead"}},
		{"IAM:createuser", nil, []string{"OnlyRead"}},
		{"ec2:RunInstances", []string{"AllButIAM"}, []string{"OnlyRead"}},
	}
	for _, tt := range tests {
		if got := sids(doc.Allows(tt.action)); !reflect.DeepEqual(got, tt.allows) {
			t.Errorf("Allows(%q) = %v, want %v", tt.action, got, tt.allows)
		}
		if got := sids(doc.Denies(tt.action)); !reflect.DeepEqual(got, tt.wantDenies) {
			t.Errorf("Denies(%q) = %v, want %v", tt.action, got, tt.wantDenies)
		}
	}
}

func TestConditionValues_OperatorExactKeyCaseInsensitive(t *testing.T) {
	s := denyInsecureTransport
	s.Conditions = Conditions{
		"Bool":                     {"aws:SecureTransport": {"false"}},
		"StringEquals":             {"aws:SourceVpce": {"vpce-1"}, "AWS:SOURCEVPCE": {"vpce-2"}},
		"ForAnyValue:StringEquals": {"aws:TagKeys": {"a"}},
	}
	tests := []struct {
		operator, key string
		want          []string
	}{
		{"Bool", "aws:SecureTransport", []string{"false"}},
		{"Bool", "AWS:securetransport", []string{"false"}},
		{"StringEquals", "aws:sourcevpce", []string{"vpce-2", "vpce-1"}},
		{"ForAnyValue:StringEquals", "aws:TagKeys", []string{"a"}},
		{"bool", "aws:SecureTransport", nil},         // operator is exact
		{"BoolIfExists", "aws:SecureTransport", nil}, // suffixes are not stripped
		{"StringEquals", "aws:TagKeys", nil},         // qualifiers are not stripped
		{"Bool", "aws:SecureTransportX", nil},
		{"NumericLessThan", "s3:max-keys", nil},
	}
	for _, tt := range tests {
		if got := s.ConditionValues(tt.operator, tt.key); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ConditionValues(%q, %q) = %q, want %q", tt.operator, tt.key, got, tt.want)
		}
	}
	if got := (Statement{}).ConditionValues("Bool", "aws:SecureTransport"); got != nil {
		t.Errorf("no conditions: got %q, want nil", got)
	}
}

func TestIsUnconditionedWildcardPrincipal_OnlyForAllowAnyoneWithoutConditionKeys(t *testing.T) {
	public := Statement{Effect: Allow, Principal: &Principal{Wildcard: true}, Actions: StringList{"s3:GetObject"}}
	with := func(f func(*Statement)) Statement {
		s := public
		f(&s)
		return s
	}
	tests := []struct {
		name string
		s    Statement
		want bool
	}{
		{"Principal *", public, true},
		{"Principal AWS *", with(func(s *Statement) { s.Principal = &Principal{AWS: StringList{"*"}} }), true},
		{"vacuous condition operator", with(func(s *Statement) { s.Conditions = Conditions{"StringEquals": {}} }), true},
		{"conditioned", with(func(s *Statement) {
			s.Conditions = Conditions{"StringEquals": {"aws:PrincipalOrgID": {"o-123"}}}
		}), false},
		{"Deny", with(func(s *Statement) { s.Effect = Deny }), false},
		{"specific principal", with(func(s *Statement) {
			s.Principal = &Principal{AWS: StringList{"arn:aws:iam::123456789012:root"}}
		}), false},
		{"service *", with(func(s *Statement) { s.Principal = &Principal{Service: StringList{"*"}} }), false},
		{"no principal", with(func(s *Statement) { s.Principal = nil }), false},
		{"NotPrincipal *", with(func(s *Statement) { s.Principal, s.NotPrincipal = nil, &Principal{Wildcard: true} }), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.s.IsUnconditionedWildcardPrincipal(); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestIsUnconditionedWildcardPrincipal_WorksOnParsedBooleanCondition(t *testing.T) {
	doc, err := Parse(`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},
		{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"Bool":{"aws:SecureTransport":true}}}]}`)
	if err != nil {
		t.Fatal(err)
	}
	if !doc.Statements[0].IsUnconditionedWildcardPrincipal() {
		t.Error("unconditioned AWS:* statement not flagged")
	}
	if doc.Statements[1].IsUnconditionedWildcardPrincipal() {
		t.Error("conditioned statement flagged")
	}
	if got := doc.Statements[1].ConditionValues("Bool", "aws:securetransport"); !reflect.DeepEqual(got, []string{"true"}) {
		t.Errorf("boolean condition value = %q, want [true]", got)
	}
}

// FuzzParse checks that Parse never panics and that every document it
// accepts survives JSON → Parse unchanged.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		`{"Version":"2012-10-17","Statement":[{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":["s3:*"],"Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],"Condition":{"Bool":{"aws:SecureTransport":["false"]}}}]}`,
		`{"Version":"2012-10-17","Id":"k","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"kms:*","Resource":"*"}}`,
		`{"Statement":[{"Effect":"Allow","Principal":{"Service":["lambda.amazonaws.com"],"Federated":"f"},"Action":"sts:AssumeRole","Condition":{"NumericLessThan":{"n":[1,2.5e3]},"Bool":{"b":false},"StringEquals":{}}}]}`,
		`{"Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":["*"]},"NotAction":[],"NotResource":"x","Action":"a"}]}`,
		`{"Statement":[{"Effect":"Allow","Action":["<&>"],"Condition":null}]}`,
		`null`,
		`[]`,
		``,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		doc, err := Parse(in)
		if err != nil {
			return
		}
		out, err := doc.JSON()
		if err != nil {
			t.Fatalf("JSON() of parsed document failed: %v\ninput: %s", err, in)
		}
		again, err := Parse(out)
		if err != nil {
			t.Fatalf("re-parse failed: %v\ninput:  %s\noutput: %s", err, in, out)
		}
		if !reflect.DeepEqual(doc, again) {
			t.Fatalf("round trip changed document\ninput:  %s\noutput: %s\nfirst:  %#v\nsecond: %#v", in, out, doc, again)
		}
	})
}
