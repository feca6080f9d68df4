package ynl

import (
	"os"
	"testing"
)

// FuzzDecode decodes arbitrary replies with the feature spec (every kind,
// nests, arrays, sub-messages, structs): nothing panics, what decodes
// encodes again, and decoding into a reused tree (a Dump's, warmed with the
// full message before and after) gives the same tree as a fresh decode.
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
	full, err := s.Decode(op, b)
	if err != nil {
		f.Fatal(err)
	}
	fullJSON, err := JSON(full, "")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var pool treePool
		if _, err := s.decode(&pool, op, b); err != nil {
			t.Fatal(err)
		}
		rv, rerr := s.decode(&pool, op, data)
		v, err := s.Decode(op, data)
		if (err == nil) != (rerr == nil) {
			t.Fatalf("fresh decode: %v; reused: %v", err, rerr)
		}
		if err == nil {
			j, err := JSON(v, "")
			if err != nil {
				t.Fatalf("decoded tree does not marshal: %v", err)
			}
			if rj, _ := JSON(rv, ""); string(rj) != string(j) {
				t.Fatalf("reused tree %s, fresh %s", rj, j)
			}
		}
		again, err := s.decode(&pool, op, b)
		if err != nil {
			t.Fatal(err)
		}
		if j, _ := JSON(again, ""); string(j) != string(fullJSON) {
			t.Fatalf("full message into the reused tree: %s, want %s", j, fullJSON)
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
