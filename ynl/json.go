package ynl

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// JSON encodes a value tree as JSON: binary values as hex strings, map keys
// sorted; indent "" gives one line.
func JSON(v any, indent string) ([]byte, error) {
	j := jsonable(v)
	if indent == "" {
		return json.Marshal(j)
	}
	return json.MarshalIndent(j, "", indent)
}

func jsonable(v any) any {
	switch x := v.(type) {
	case []byte:
		return hex.EncodeToString(x)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, y := range x {
			out[k] = jsonable(y)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, y := range x {
			out[i] = jsonable(y)
		}
		return out
	case []map[string]any:
		out := make([]any, len(x))
		for i, y := range x {
			out[i] = jsonable(y)
		}
		return out
	}
	return v
}

// ValueFromJSON decodes a JSON object into a value tree for a request:
// numbers are kept exact (json.Number), which encoding takes for any integer
// type; enum and flag names, addresses and hex strings are taken as the
// attribute's type says when it is encoded.
func ValueFromJSON(b []byte) (map[string]any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		return nil, fmt.Errorf("ynl: request JSON: %w", err)
	}
	if d.More() {
		return nil, fmt.Errorf("ynl: request JSON: more than one value")
	}
	return m, nil
}

// Clone returns a deep copy of value tree v: its maps, lists, []byte and
// []string are new, so the copy outlives the tree a streaming Dump reuses.
// Other leaves (strings, numbers, netip.Addr) are immutable and shared.
func Clone(v map[string]any) map[string]any {
	if v == nil {
		return nil
	}
	return cloneValue(v).(map[string]any)
}

func cloneValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, y := range x {
			out[k] = cloneValue(y)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, y := range x {
			out[i] = cloneValue(y)
		}
		return out
	case []map[string]any:
		out := make([]map[string]any, len(x))
		for i, y := range x {
			out[i] = Clone(y)
		}
		return out
	case []byte:
		return bytes.Clone(x)
	case []string:
		if x == nil {
			return x
		}
		return append([]string{}, x...)
	}
	return v
}
