package iampolicy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"unicode"
)

// Version2012 is the current policy language version. Always use it for new
// policies: the older 2008-10-17 version does not support policy variables.
const Version2012 = "2012-10-17"

// version2008 is the legacy version, still accepted when parsing.
const version2008 = "2008-10-17"

// Document is a policy document: a version, an optional ID and the list of
// statements.
type Document struct {
	// Version is the policy language version, normally [Version2012].
	Version string `json:"Version"`
	// ID optionally identifies the policy (some services, e.g. SNS and SQS,
	// recommend a UUID here).
	ID string `json:"Id,omitempty"`
	// Statements holds the policy statements. When parsing, a single
	// statement object is accepted as well as an array.
	Statements []Statement `json:"Statement"`
}

// Statement is one policy statement. Exactly one of Actions / NotActions
// must be set; at most one of Principal / NotPrincipal and one of
// Resources / NotResources may be set (see [Document.Validate]).
type Statement struct {
	// Sid is an optional statement identifier.
	Sid string `json:"Sid,omitempty"`
	// Effect says whether the statement allows or denies.
	Effect Effect `json:"Effect"`
	// Principal is who the statement applies to; only used in resource
	// and trust policies, nil in identity policies.
	Principal *Principal `json:"Principal,omitempty"`
	// NotPrincipal applies the statement to everyone except the listed
	// principals.
	NotPrincipal *Principal `json:"NotPrincipal,omitempty"`
	// Actions lists the actions (e.g. "s3:GetObject", "s3:*") covered.
	Actions StringList `json:"Action,omitempty"`
	// NotActions makes the statement cover every action except those listed.
	NotActions StringList `json:"NotAction,omitempty"`
	// Resources lists the resource ARNs (or "*") covered.
	Resources StringList `json:"Resource,omitempty"`
	// NotResources makes the statement cover every resource except those
	// listed.
	NotResources StringList `json:"NotResource,omitempty"`
	// Conditions restrict when the statement applies.
	Conditions Conditions `json:"Condition,omitempty"`
}

// Effect is a statement's effect: [Allow] or [Deny].
type Effect string

// The two statement effects. AWS spells them exactly like this.
const (
	Allow Effect = "Allow"
	Deny  Effect = "Deny"
)

// StringList is a list-valued policy element such as Action or Resource.
//
// AWS accepts either a single string or an array of strings for these
// elements, so both unmarshal into a StringList. It always marshals as an
// array so that output does not change shape with the number of entries.
// An empty array or null unmarshals to a nil StringList.
type StringList []string

// Principal identifies who a statement applies to. AWS accepts either the
// string "*" (anyone) or an object keyed by principal type, whose values are
// a single string or an array of strings:
//
//	"Principal": "*"
//	"Principal": {"AWS": "arn:aws:iam::123456789012:root", "Service": ["lambda.amazonaws.com"]}
//
// Only the AWS, Federated and Service principal types are modelled;
// parsing any other type (e.g. CanonicalUser) fails rather than silently
// dropping a principal a control might need to see.
type Principal struct {
	// Wildcard is the "*" form. When set, the lists must be empty.
	Wildcard bool
	// AWS lists account, user and role ARNs (or "*").
	AWS StringList
	// Service lists service principals such as "lambda.amazonaws.com".
	Service StringList
	// Federated lists identity providers such as "cognito-identity.amazonaws.com".
	Federated StringList
}

// Conditions maps a condition operator (e.g. "StringEquals", "Bool",
// "ForAnyValue:StringLike") to condition keys and their values:
//
//	Conditions{"Bool": {"aws:SecureTransport": {"false"}}}
//
// When parsing, boolean and number values (AWS accepts
// "aws:SecureTransport": false) are converted to their string form, so
// values compare uniformly as strings. Marshalling is deterministic because
// encoding/json sorts map keys.
type Conditions map[string]map[string]StringList

// New returns a [Version2012] document holding a copy of statements.
func New(statements ...Statement) Document {
	return Document{Version: Version2012, Statements: slices.Clone(statements)}
}

// Parse decodes and validates a policy document from its JSON text.
// The error says which element is malformed. See [Document.Validate] for
// the structural rules enforced on top of JSON decoding.
func Parse(s string) (Document, error) {
	var d Document
	if err := json.Unmarshal([]byte(s), &d); err != nil {
		return Document{}, fmt.Errorf("iampolicy: parse policy: %w", err)
	}
	if err := d.Validate(); err != nil {
		return Document{}, err
	}
	return d, nil
}

// ParseAny parses a policy held in a resource input, which may be the JSON
// text (string, []byte or json.RawMessage) or an already-decoded JSON object
// (map[string]any).
func ParseAny(v any) (Document, error) {
	switch v := v.(type) {
	case string:
		return Parse(v)
	case []byte:
		return Parse(string(v))
	case json.RawMessage:
		return Parse(string(v))
	case map[string]any:
		// Re-encoding is the simplest way to apply exactly the same decoding
		// rules as Parse to a decoded object.
		b, err := json.Marshal(v)
		if err != nil {
			return Document{}, fmt.Errorf("iampolicy: encode policy object: %w", err)
		}
		return Parse(string(b))
	default:
		return Document{}, fmt.Errorf("iampolicy: unsupported policy type %T (want JSON string or map[string]any)", v)
	}
}

// JSON validates d and renders it as compact, deterministic JSON: fields in
// a fixed order, list elements always as arrays, condition keys sorted, and
// no HTML escaping of <, > and &.
func (d Document) JSON() (string, error) {
	if err := d.Validate(); err != nil {
		return "", err
	}
	b, err := marshal(d)
	if err != nil {
		return "", fmt.Errorf("iampolicy: marshal policy: %w", err)
	}
	return string(b), nil
}

// Validate reports the first structural problem that AWS would reject:
// an unknown Version (empty, 2012-10-17 and 2008-10-17 are accepted), no
// statements, or a statement whose Effect is not exactly Allow or Deny, that
// has both or neither of Action and NotAction, both Resource and
// NotResource, both Principal and NotPrincipal, an empty principal, or a
// principal mixing "*" with explicit principals. It does not check
// whether a Principal is appropriate for the policy type.
func (d Document) Validate() error {
	switch d.Version {
	case "", Version2012, version2008:
	default:
		return fmt.Errorf("iampolicy: unsupported Version %q (want %q)", d.Version, Version2012)
	}
	if len(d.Statements) == 0 {
		return errors.New("iampolicy: policy has no statements")
	}
	for i, s := range d.Statements {
		if err := s.validate(); err != nil {
			if s.Sid != "" {
				return fmt.Errorf("iampolicy: Statement[%d] (Sid %q): %w", i, s.Sid, err)
			}
			return fmt.Errorf("iampolicy: Statement[%d]: %w", i, err)
		}
	}
	return nil
}

func (s Statement) validate() error {
	switch {
	case s.Effect != Allow && s.Effect != Deny:
		return fmt.Errorf("Effect %q is not %q or %q", s.Effect, Allow, Deny)
	case len(s.Actions) > 0 && len(s.NotActions) > 0:
		return errors.New("has both Action and NotAction")
	case len(s.Actions) == 0 && len(s.NotActions) == 0:
		return errors.New("has neither Action nor NotAction")
	case len(s.Resources) > 0 && len(s.NotResources) > 0:
		return errors.New("has both Resource and NotResource")
	case s.Principal != nil && s.NotPrincipal != nil:
		return errors.New("has both Principal and NotPrincipal")
	}
	if err := s.Principal.validate(); err != nil {
		return fmt.Errorf("Principal %w", err)
	}
	if err := s.NotPrincipal.validate(); err != nil {
		return fmt.Errorf("NotPrincipal %w", err)
	}
	return nil
}

func (p *Principal) validate() error {
	if p == nil {
		return nil
	}
	hasLists := len(p.AWS)+len(p.Service)+len(p.Federated) > 0
	switch {
	case p.Wildcard && hasLists:
		// "*" marshals as a bare string, which would drop the lists.
		return errors.New(`mixes "*" with explicit principals`)
	case !p.Wildcard && !hasLists:
		return errors.New("is empty")
	}
	return nil
}

// UnmarshalJSON decodes a document, accepting a single statement object as
// well as an array for Statement, and rejecting unknown elements (a
// misspelt "Actions" must not silently become "no actions").
func (d *Document) UnmarshalJSON(data []byte) error {
	var raw struct {
		Version   string          `json:"Version"`
		ID        string          `json:"Id"`
		Statement json.RawMessage `json:"Statement"`
	}
	if err := decodeStrict(data, &raw); err != nil {
		return err
	}
	var stmts []Statement
	if s := bytes.TrimSpace(raw.Statement); len(s) > 0 && s[0] == '{' {
		var one Statement
		if err := decodeStrict(s, &one); err != nil {
			return fmt.Errorf("Statement: %w", err)
		}
		stmts = []Statement{one}
	} else if len(s) > 0 {
		if err := decodeStrict(s, &stmts); err != nil {
			return fmt.Errorf("Statement: %w", err)
		}
	}
	*d = Document{Version: raw.Version, ID: raw.ID, Statements: stmts}
	return nil
}

// decodeStrict decodes exactly one JSON value into v, rejecting unknown
// struct fields (the decoder setting also applies to nested structs such as
// Statement).
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("unexpected data after JSON value")
	}
	return nil
}

// marshal is json.Marshal without HTML escaping, so that <, > and & in
// condition values stay readable in rendered policies.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// MarshalJSON renders the list as a JSON array, even when it has zero or
// one element.
func (l StringList) MarshalJSON() ([]byte, error) {
	if l == nil {
		return []byte("[]"), nil
	}
	return marshal([]string(l))
}

// UnmarshalJSON accepts a single string, an array of strings, or null.
// Empty arrays and null yield nil, so that parse → marshal → parse is
// stable (empty lists are omitted when marshalling).
func (l *StringList) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return errors.New("want a string or an array of strings")
	}
	switch data[0] {
	case '"':
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		*l = StringList{s}
		return nil
	case 'n':
		if string(data) == "null" {
			*l = nil
			return nil
		}
	case '[':
		var items []json.RawMessage
		if err := json.Unmarshal(data, &items); err != nil {
			return err
		}
		// Decode element by element: unmarshalling into []string would turn
		// a null element into "" instead of rejecting it.
		var out StringList
		for i, item := range items {
			if len(item) == 0 || item[0] != '"' {
				return fmt.Errorf("array element %d is not a string", i)
			}
			var s string
			if err := json.Unmarshal(item, &s); err != nil {
				return err
			}
			out = append(out, s)
		}
		*l = out
		return nil
	}
	return errors.New("want a string or an array of strings")
}

// IsWildcard reports whether p matches anyone: the "*" form or an AWS
// entry equal to "*". It is false for a nil Principal.
func (p *Principal) IsWildcard() bool {
	return p != nil && (p.Wildcard || slices.Contains(p.AWS, "*"))
}

// MarshalJSON renders "*" for a wildcard principal and otherwise an object
// holding only the non-empty principal types, in the fixed order AWS,
// Federated, Service.
func (p Principal) MarshalJSON() ([]byte, error) {
	if p.Wildcard {
		return []byte(`"*"`), nil
	}
	var buf bytes.Buffer
	buf.WriteByte('{')
	for _, f := range p.fields() {
		if len(*f.list) == 0 {
			continue
		}
		if buf.Len() > 1 {
			buf.WriteByte(',')
		}
		buf.WriteString(`"` + f.key + `":`)
		b, err := f.list.MarshalJSON()
		if err != nil {
			return nil, err
		}
		buf.Write(b)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// UnmarshalJSON accepts "*", an object of principal types, or null.
func (p *Principal) UnmarshalJSON(data []byte) error {
	*p = Principal{}
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '"' {
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		if s != "*" {
			return fmt.Errorf(`principal string must be "*", got %q`, s)
		}
		p.Wildcard = true
		return nil
	}
	if len(data) == 0 || (data[0] != '{' && string(data) != "null") {
		return errors.New(`principal must be "*" or an object`)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	fields := p.fields()
	// Sorted so that the reported error is deterministic.
	for _, key := range slices.Sorted(maps.Keys(m)) {
		i := slices.IndexFunc(fields, func(f principalField) bool { return f.key == key })
		if i < 0 {
			return fmt.Errorf("unsupported principal type %q (want AWS, Federated or Service)", key)
		}
		if err := fields[i].list.UnmarshalJSON(m[key]); err != nil {
			return fmt.Errorf("principal %s: %w", key, err)
		}
	}
	return nil
}

// principalField ties a JSON key to its list so that marshal and unmarshal
// share one definition of the keys and their order.
type principalField struct {
	key  string
	list *StringList
}

func (p *Principal) fields() []principalField {
	return []principalField{{"AWS", &p.AWS}, {"Federated", &p.Federated}, {"Service", &p.Service}}
}

// UnmarshalJSON decodes the operator → key → values object, converting
// boolean and number values to strings. An empty object yields nil.
func (c *Conditions) UnmarshalJSON(data []byte) error {
	var raw map[string]map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	if len(raw) == 0 {
		*c = nil
		return nil
	}
	out := make(Conditions, len(raw))
	// Sorted so that the reported error is deterministic.
	for _, op := range slices.Sorted(maps.Keys(raw)) {
		keys := raw[op]
		if keys == nil {
			return fmt.Errorf("condition operator %q: want an object of condition keys", op)
		}
		m := make(map[string]StringList, len(keys))
		for _, key := range slices.Sorted(maps.Keys(keys)) {
			vals, err := conditionValues(keys[key])
			if err != nil {
				return fmt.Errorf("condition %s %q: %w", op, key, err)
			}
			m[key] = vals
		}
		out[op] = m
	}
	*c = out
	return nil
}

// conditionValues decodes a condition value: a string, boolean or number,
// or an array of them. Numbers keep their literal spelling.
func conditionValues(data json.RawMessage) (StringList, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	items, isArray := v.([]any)
	if !isArray {
		items = []any{v}
	}
	var out StringList
	for _, item := range items {
		switch item := item.(type) {
		case string:
			out = append(out, item)
		case bool:
			out = append(out, fmt.Sprint(item))
		case json.Number:
			out = append(out, item.String())
		default:
			return nil, errors.New("want a string, boolean or number, or an array of them")
		}
	}
	return out, nil
}

// hasKeys reports whether any operator holds at least one condition key.
// An operator with no keys restricts nothing.
func (c Conditions) hasKeys() bool {
	for _, keys := range c {
		if len(keys) > 0 {
			return true
		}
	}
	return false
}

// HasAction reports whether one of s.Actions matches action using IAM
// wildcards ("*" matches any run of characters, "?" exactly one) compared
// case-insensitively, as IAM does for action names: "s3:*", "S3:Delete*"
// and "*" all match "s3:DeleteObject". NotActions is ignored; use
// [Statement.CoversAction] to ask whether the statement applies to action.
func (s Statement) HasAction(action string) bool {
	return matchAny(s.Actions, action, true)
}

// CoversAction reports whether s applies to action: either
// [Statement.HasAction] is true, or s has NotActions and action matches
// none of them (NotAction means "every action except these").
func (s Statement) CoversAction(action string) bool {
	return s.HasAction(action) || (len(s.NotActions) > 0 && !matchAny(s.NotActions, action, true))
}

// CoversResource reports whether s applies to the resource arn: one of
// s.Resources matches it, or s has NotResources and arn matches none of
// them. Matching uses IAM wildcards ("*" any run of characters including
// "/" and ":", "?" exactly one) and is case-sensitive, as ARNs are.
// A statement with neither Resources nor NotResources (e.g. a trust
// policy) covers no resource.
func (s Statement) CoversResource(arn string) bool {
	return matchAny(s.Resources, arn, false) ||
		(len(s.NotResources) > 0 && !matchAny(s.NotResources, arn, false))
}

// Allows returns the Allow statements of d that cover action (see
// [Statement.CoversAction]), in document order, or nil. Conditions,
// principals and resources are not evaluated.
func (d Document) Allows(action string) []Statement {
	return d.matching(Allow, action)
}

// Denies returns the Deny statements of d that cover action (see
// [Statement.CoversAction]), in document order, or nil. Conditions,
// principals and resources are not evaluated.
func (d Document) Denies(action string) []Statement {
	return d.matching(Deny, action)
}

func (d Document) matching(effect Effect, action string) []Statement {
	var out []Statement
	for _, s := range d.Statements {
		if s.Effect == effect && s.CoversAction(action) {
			out = append(out, s)
		}
	}
	return out
}

// ConditionValues returns the values of condition key under operator, or
// nil. The operator must match exactly, including any qualifier
// ("ForAnyValue:StringLike") or "IfExists" suffix; the key matches
// case-insensitively because AWS condition keys are case-insensitive. If
// several spellings of the key are present, their values are concatenated
// in the sorted order of the spellings.
func (s Statement) ConditionValues(operator, key string) []string {
	keys := s.Conditions[operator]
	var out []string
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		if strings.EqualFold(k, key) {
			out = append(out, keys[k]...)
		}
	}
	return out
}

// IsUnconditionedWildcardPrincipal reports whether s allows anyone
// (Principal "*" or {"AWS": "*"}) with no condition keys at all: the classic
// public-access statement. Statements using NotPrincipal are not reported;
// inspect them separately.
func (s Statement) IsUnconditionedWildcardPrincipal() bool {
	return s.Effect == Allow && s.Principal.IsWildcard() && !s.Conditions.hasKeys()
}

func matchAny(patterns []string, s string, fold bool) bool {
	return slices.ContainsFunc(patterns, func(p string) bool { return globMatch(p, s, fold) })
}

// globMatch reports whether s matches the IAM wildcard pattern, where "*"
// matches any run of characters (including none, "/" and ":") and "?"
// exactly one character; there is no escaping. path.Match is unsuitable
// because its "*" stops at "/". With fold, characters compare under
// Unicode simple case folding.
//
// The algorithm is the classic linear-space backtracking matcher: on a
// mismatch it retries from the most recent "*", letting it absorb one more
// character. Only the last "*" needs remembering because any earlier one
// can be covered by it, so the worst case is O(len(pattern)·len(s)).
func globMatch(pattern, s string, fold bool) bool {
	p, r := []rune(pattern), []rune(s)
	pi, ri := 0, 0
	star, starR := -1, 0 // index of last "*" in p, and where in r it started
	for ri < len(r) {
		switch {
		case pi < len(p) && p[pi] == '*':
			star, starR = pi, ri
			pi++
		case pi < len(p) && (p[pi] == '?' || runeEq(p[pi], r[ri], fold)):
			pi++
			ri++
		case star >= 0:
			starR++
			pi, ri = star+1, starR
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

func runeEq(a, b rune, fold bool) bool {
	if a == b {
		return true
	}
	if !fold {
		return false
	}
	// Walk a's case-folding orbit (e.g. k → K → K (Kelvin) → k).
	for f := unicode.SimpleFold(a); f != a; f = unicode.SimpleFold(f) {
		if f == b {
			return true
		}
	}
	return false
}

// AssumeRoleWithWebIdentity is the action an IRSA role's trust policy allows.
const AssumeRoleWithWebIdentity = "sts:AssumeRoleWithWebIdentity"

// STSAudience is the audience EKS service-account tokens carry for IRSA.
const STSAudience = "sts.amazonaws.com"

// WebIdentityTrust is the trust policy of an IAM role for a Kubernetes service account (IRSA): only
// the named service accounts (each by its exact sub), presenting a token of the cluster's OIDC provider for the STS audience,
// may assume the role. Both conditions are exact (StringEquals): no wildcard namespace or name.
// issuer is the provider's URL without "https://", e.g. "oidc.eks.eu-west-1.amazonaws.com/id/ABC".
func WebIdentityTrust(providerArn, issuer, namespace string, serviceAccounts ...string) Document {
	sid := "ServiceAccount" + sidPart(namespace)
	var subs StringList
	for _, sa := range serviceAccounts {
		sid += sidPart(sa)
		subs = append(subs, "system:serviceaccount:"+namespace+":"+sa)
	}
	return New(Statement{
		Sid:       sid,
		Effect:    Allow,
		Principal: &Principal{Federated: StringList{providerArn}},
		Actions:   StringList{AssumeRoleWithWebIdentity},
		Conditions: Conditions{"StringEquals": {
			issuer + ":aud": {STSAudience},
			issuer + ":sub": subs,
		}},
	})
}

// sidPart turns "kube-system" into "KubeSystem": statement ids allow only letters and digits.
func sidPart(s string) string {
	var b strings.Builder
	upper := true
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if upper {
				r = unicode.ToUpper(r)
			}
			b.WriteRune(r)
			upper = false
		default:
			upper = true
		}
	}
	return b.String()
}
