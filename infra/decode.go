package infra

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"sort"
	"strings"
)

// entryTemplates say what a new entry of a map of structs starts from, by the map's value type:
// each func returns a fresh value of that type. Value types not listed start from their zero value.
type entryTemplates map[reflect.Type]func() any

// overlay decodes the JSON text of one config key onto dst, which already holds the defaults:
// only the fields present in the text change. Unlike json.Unmarshal it reports every problem at
// once, each with its key path — unknown keys (with the allowed ones) and values of the wrong type.
//
// A map of structs is overlaid entry by entry: an entry named in the text is overlaid onto the
// entry of that name, or, when there is none, onto newEntries' template for the map's value type;
// entries the text does not name stay as they are. JSON null, anywhere, leaves the value as it is.
func overlay(path, text string, dst any, newEntries entryTemplates) []string {
	var raw any
	if reflect.TypeOf(dst).Elem().Kind() == reflect.String {
		raw = text // a plain string key: the CLI passes it as is, never as JSON
	} else if text == "" {
		return nil // `key: null` in the stack file arrives as "": not set, the default stays
	} else if err := json.Unmarshal([]byte(text), &raw); err != nil {
		raw = text // not JSON: let the type check below say what was expected
	}
	return newEntries.overlayValue(path, raw, reflect.ValueOf(dst).Elem())
}

// newEntry returns the value a new entry of a map with values of type t starts from.
func (tpl entryTemplates) newEntry(t reflect.Type) reflect.Value {
	entry := reflect.New(t).Elem()
	if f, ok := tpl[t]; ok {
		v := reflect.ValueOf(f())
		if v.Type() != t {
			panic(fmt.Sprintf("infra: the entry template for %s returned a %s", t, v.Type()))
		}
		entry.Set(v)
	}
	return entry
}

func (tpl entryTemplates) overlayValue(path string, raw any, dst reflect.Value) []string {
	if raw == nil {
		return nil // null means "not set": the default stays
	}
	if dst.Kind() == reflect.Struct {
		obj, ok := raw.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: %s is not an object (allowed keys: %s)", path, show(raw), strings.Join(jsonKeys(dst.Type()), ", "))}
		}
		fields := map[string]int{}
		for i := range dst.NumField() {
			if name := jsonName(dst.Type().Field(i)); name != "" {
				fields[name] = i
			}
		}
		var problems []string
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			i, known := fields[k]
			if !known {
				problems = append(problems, fmt.Sprintf("%s.%s: unknown key (allowed: %s)", path, k, strings.Join(jsonKeys(dst.Type()), ", ")))
				continue
			}
			problems = append(problems, tpl.overlayValue(path+"."+k, obj[k], dst.Field(i))...)
		}
		return problems
	}
	if t := dst.Type(); t.Kind() == reflect.Map && t.Key().Kind() == reflect.String && t.Elem().Kind() == reflect.Struct {
		obj, ok := raw.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: %s is not a map of objects (each with keys: %s)", path, show(raw), strings.Join(jsonKeys(t.Elem()), ", "))}
		}
		// A new map: the one in dst may be shared with whatever made the defaults.
		out := reflect.MakeMapWithSize(t, dst.Len()+len(obj))
		for it := dst.MapRange(); it.Next(); {
			out.SetMapIndex(it.Key(), it.Value())
		}
		var problems []string
		for _, k := range slices.Sorted(maps.Keys(obj)) {
			if obj[k] == nil {
				continue // null: the entry stays as it is, or is not added
			}
			key := reflect.ValueOf(k).Convert(t.Key())
			entry := reflect.New(t.Elem()).Elem()
			if cur := dst.MapIndex(key); cur.IsValid() {
				entry.Set(cur)
			} else {
				entry.Set(tpl.newEntry(t.Elem()))
			}
			problems = append(problems, tpl.overlayValue(path+"."+k, obj[k], entry)...)
			out.SetMapIndex(key, entry)
		}
		dst.Set(out)
		return problems
	}
	if t := dst.Type(); t.Kind() == reflect.Map && t.Key().Kind() == reflect.String {
		// A map of plain values: each entry is checked on its own, so one bad entry does not hide
		// the others, and each problem names its own key.
		obj, ok := raw.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: %s is not %s", path, show(raw), kindName(t))}
		}
		out := reflect.MakeMapWithSize(t, len(obj))
		var problems []string
		for _, k := range slices.Sorted(maps.Keys(obj)) {
			entry := reflect.New(t.Elem()).Elem()
			if p := tpl.overlayValue(path+"."+k, obj[k], entry); len(p) > 0 {
				problems = append(problems, p...)
				continue
			}
			out.SetMapIndex(reflect.ValueOf(k).Convert(t.Key()), entry)
		}
		dst.Set(out)
		return problems
	}
	if dst.Kind() == reflect.Slice {
		arr, ok := raw.([]any)
		if !ok {
			return []string{fmt.Sprintf("%s: %s is not %s", path, show(raw), kindName(dst.Type()))}
		}
		out := reflect.MakeSlice(dst.Type(), len(arr), len(arr))
		var problems []string
		for i, e := range arr {
			problems = append(problems, tpl.overlayValue(fmt.Sprintf("%s[%d]", path, i), e, out.Index(i))...)
		}
		if len(problems) == 0 {
			dst.Set(out) // a list with a bad element keeps its default: its problems are reported
		}
		return problems
	}
	// Leaves: let encoding/json check the type, and phrase its complaint with the path.
	b, _ := json.Marshal(raw)
	fresh := reflect.New(dst.Type())
	if err := json.Unmarshal(b, fresh.Interface()); err != nil {
		if number, isNumber := raw.(float64); isNumber && dst.Kind() == reflect.String {
			// YAML reads version: 1.30 as the number 1.3: say how to keep the text as written.
			hint := ""
			if number != math.Trunc(number) {
				hint = " (unquoted, YAML also drops trailing zeros: 1.30 becomes 1.3)"
			}
			quoted := fmt.Sprintf(`%s: "%s"`, path[strings.LastIndex(path, ".")+1:], show(raw))
			if strings.HasSuffix(path, "]") {
				quoted = fmt.Sprintf(`"%s"`, show(raw)) // a list element
			}
			return []string{fmt.Sprintf(`%s: %s is a number, but a string is expected: quote it in the stack file (%s)%s`,
				path, show(raw), quoted, hint)}
		}
		return []string{fmt.Sprintf("%s: %s is not %s", path, show(raw), kindName(dst.Type()))}
	}
	dst.Set(fresh.Elem())
	return nil
}

func jsonName(f reflect.StructField) string {
	tag := f.Tag.Get("json")
	name, _, _ := strings.Cut(tag, ",")
	if name == "-" || !f.IsExported() {
		return ""
	}
	if name == "" {
		return f.Name
	}
	return name
}

func jsonKeys(t reflect.Type) []string {
	var keys []string
	for i := range t.NumField() {
		if name := jsonName(t.Field(i)); name != "" {
			keys = append(keys, name)
		}
	}
	sort.Strings(keys)
	return keys
}

func kindName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Pointer:
		return kindName(t.Elem())
	case reflect.Bool:
		return "a boolean (true or false)"
	case reflect.Int, reflect.Int32, reflect.Int64:
		return "an integer"
	case reflect.String:
		return "a string"
	case reflect.Struct:
		return "an object"
	case reflect.Slice:
		return "a list of " + strings.TrimPrefix(strings.TrimPrefix(kindName(t.Elem()), "a "), "an ") + "s"
	case reflect.Map:
		return "a map of " + strings.TrimPrefix(strings.TrimPrefix(kindName(t.Elem()), "a "), "an ") + "s"
	}
	return t.String()
}

// show renders a config value as the user wrote it, for messages.
func show(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
