package mptcp

import (
	"net/netip"
	"testing"

	"github.com/nlkit/nlkit/genl"
)

// FuzzEndpoint fuzzes the endpoint decoder (Endpoint.UnmarshalBinary):
// what decodes re-encodes to the same endpoint.
func FuzzEndpoint(f *testing.F) {
	b, _ := attrSet.Append(nil, genl.Attrs{"addr": Endpoint{ID: 1, Addr: netip.MustParseAddr("10.0.0.1"), Port: 1, Flags: Signal, IfIndex: 2}.attrs()})
	f.Add(b)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		var e Endpoint
		if err := e.UnmarshalBinary(b); err != nil {
			return
		}
		_ = e.String()
		if !e.Addr.IsValid() {
			return // no family: nothing to re-encode faithfully
		}
		b2, err := attrSet.Append(nil, genl.Attrs{"addr": e.attrs()})
		if err != nil {
			t.Fatal(err)
		}
		var e2 Endpoint
		if err := e2.UnmarshalBinary(b2); err != nil || e2 != e {
			t.Fatalf("round trip %v -> %v, %v", e, e2, err)
		}
	})
}
