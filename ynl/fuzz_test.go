package ynl

import (
	"os"
	"testing"
)

// FuzzDecode decodes arbitrary replies with the feature spec (every kind,
// nests, arrays, sub-messages, structs): nothing panics, and what decodes
// encodes again.
func FuzzDecode(f *testing.F) {
	s := featureSpec(f)
	b, err := s.AppendRequest(nil, "thing-get", fullTree())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add(b[:len(b)/2])
	f.Add([]byte{})
	op := s.Operation("thing-get")
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := s.Decode(op, data)
		if err != nil {
			return
		}
		if _, err := JSON(v, ""); err != nil {
			t.Fatalf("decoded tree does not marshal: %v", err)
		}
	})
}

// FuzzNewSpec loads arbitrary YAML as a spec: an error or a spec, never a
// panic; a loaded spec encodes and decodes an empty request of each of its
// operations without panicking.
func FuzzNewSpec(f *testing.F) {
	for _, n := range []string{"features", "netdev", "rt_addr", "rt-link", "ethtool", "nlctrl"} {
		b, err := os.ReadFile("testdata/specs/" + n + ".yaml")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := NewSpec(b)
		if err != nil {
			return
		}
		for _, o := range s.Operations.List {
			if o.HasRequest {
				s.AppendRequest(nil, o.Name, map[string]any{})
			}
			s.Decode(o, []byte{8, 0, 1, 0, 1, 0, 0, 0})
		}
	})
}
