package graph

import (
	"fmt"
	"math"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

// Get returns the input value at path ("a.b[0].c"; keys with dots go in brackets: `tags["kubernetes.io/role/elb"]`).
// The error names the resource and the path.
func (r *Resource) Get(path string) (property.Value, error) {
	return Lookup(r.Inputs, path, r.URN)
}

// Has reports whether the input path exists and is not null.
func (r *Resource) Has(path string) bool {
	v, err := r.Get(path)
	return err == nil && !v.IsNull()
}

// String returns the string input at path.
func (r *Resource) String(path string) (string, error) {
	v, err := r.Get(path)
	if err != nil {
		return "", err
	}
	if !v.IsString() {
		return "", r.typeErr(path, "a string", v)
	}
	return v.AsString(), nil
}

// Bool returns the boolean input at path.
func (r *Resource) Bool(path string) (bool, error) {
	v, err := r.Get(path)
	if err != nil {
		return false, err
	}
	if !v.IsBool() {
		return false, r.typeErr(path, "a boolean", v)
	}
	return v.AsBool(), nil
}

// Int returns the integral number input at path.
func (r *Resource) Int(path string) (int, error) {
	v, err := r.Get(path)
	if err != nil {
		return 0, err
	}
	if !v.IsNumber() || v.AsNumber() != math.Trunc(v.AsNumber()) {
		return 0, r.typeErr(path, "an integer", v)
	}
	return int(v.AsNumber()), nil
}

// Strings returns the list of strings input at path.
func (r *Resource) Strings(path string) ([]string, error) {
	v, err := r.Get(path)
	if err != nil {
		return nil, err
	}
	if !v.IsArray() {
		return nil, r.typeErr(path, "a list", v)
	}
	out := make([]string, 0, v.AsArray().Len())
	for i, e := range v.AsArray().All {
		if !e.IsString() {
			return nil, r.typeErr(fmt.Sprintf("%s[%d]", path, i), "a string", e)
		}
		out = append(out, e.AsString())
	}
	return out, nil
}

// Len returns the length of the list input at path; a missing or null path has length 0.
func (r *Resource) Len(path string) int {
	v, err := r.Get(path)
	if err != nil || !v.IsArray() {
		return 0
	}
	return v.AsArray().Len()
}

func (r *Resource) typeErr(path, want string, v property.Value) error {
	return fmt.Errorf("%s: input %q is %s, want %s", r.URN, path, Describe(v), want)
}

// Lookup returns the value at path in m; where names the owner in the error message.
func Lookup(m property.Map, path, where string) (property.Value, error) {
	var p property.Path
	if err := p.UnmarshalText([]byte(path)); err != nil {
		return property.Value{}, fmt.Errorf("%s: bad property path %q: %w", where, path, err)
	}
	v, err := p.Get(property.New(m))
	if err != nil {
		return property.Value{}, fmt.Errorf("%s: input %q is missing (%v)", where, path, err)
	}
	return v, nil
}

// Describe renders a value briefly for evidence and error messages.
func Describe(v property.Value) string {
	switch {
	case v.Secret():
		return "[secret]"
	case v.IsComputed():
		return "[unknown until apply]"
	case v.IsNull():
		return "null"
	case v.IsString():
		return fmt.Sprintf("%q", v.AsString())
	case v.IsBool():
		return fmt.Sprint(v.AsBool())
	case v.IsNumber():
		return fmt.Sprint(v.AsNumber())
	case v.IsArray():
		parts := make([]string, 0, v.AsArray().Len())
		for _, e := range v.AsArray().All {
			parts = append(parts, Describe(e))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case v.IsMap():
		parts := []string{}
		for k, e := range v.AsMap().AllStable {
			parts = append(parts, k+": "+Describe(e))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case v.IsResourceReference():
		return "ref(" + string(v.AsResourceReference().URN) + ")"
	default:
		return "[asset]"
	}
}

// Plain converts a value into plain JSON-ready Go data for plan.json: secrets become "[secret]",
// unknowns "[unknown]", so that the file never holds a secret and is stable across runs.
func Plain(v property.Value) any {
	switch {
	case v.Secret():
		return "[secret]"
	case v.IsComputed():
		return "[unknown]"
	case v.IsNull():
		return nil
	case v.IsString():
		return v.AsString()
	case v.IsBool():
		return v.AsBool()
	case v.IsNumber():
		return v.AsNumber()
	case v.IsArray():
		out := make([]any, 0, v.AsArray().Len())
		for _, e := range v.AsArray().All {
			out = append(out, Plain(e))
		}
		return out
	case v.IsMap():
		return PlainMap(v.AsMap())
	case v.IsResourceReference():
		return map[string]any{"resourceRef": string(v.AsResourceReference().URN)}
	default:
		return "[asset]"
	}
}

// PlainMap is Plain for a map.
func PlainMap(m property.Map) map[string]any {
	out := make(map[string]any, m.Len())
	for k, e := range m.All {
		out[k] = Plain(e)
	}
	return out
}
