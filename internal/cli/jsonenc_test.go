package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestAppendJSONMatchesEncodingJSON: the fast encoder writes exactly what
// encoding/json (without HTML escaping) writes.
func TestAppendJSONMatchesEncodingJSON(t *testing.T) {
	o := &jsonObject{}
	o.set("s", "a\"b\\c\n\t\x01<>&\u2028é\xff")
	o.set("n", -5)
	o.set("u", uint64(1<<63))
	o.set("b", true)
	o.set("list", []string{"x", "y"})
	o.set("none", [0]string{})
	o.set("any", []any{1, "two", nil, map[string]int{"k": 1}})
	inner := &jsonObject{}
	inner.set("k", uint8(7))
	o.set("obj", inner)
	r := &jsonObject{}
	r.push("dst", "198.18.0.0/15")
	r.push("metric", 1024)
	for _, v := range []any{o, []*jsonObject{r, r}, []*jsonObject{inner}, []any{o, r}, 3.5, struct{ A int }{1}} {
		got, err := appendJSON(nil, v)
		if err != nil {
			t.Fatal(err)
		}
		var want strings.Builder
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
		if string(got) != strings.TrimSuffix(want.String(), "\n") {
			t.Errorf("appendJSON:\n%s\nencoding/json:\n%s", got, want.String())
		}
	}
}
