package ynl

import (
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
