package queue_test

import (
	"bytes"
	"testing"

	"github.com/nlkit/nlkit/netfilter/queue"
)

// FuzzPacket feeds NFQNL_MSG_PACKET payloads to the packet decoder: it
// never panics, and what it decodes encodes back to bytes that decode
// the same.
func FuzzPacket(f *testing.F) {
	p := fullPacket()
	p.ID = 3
	b, _ := p.MarshalBinary()
	f.Add(b)
	b, _ = (&queue.Packet{ID: 1, Family: 2, Payload: []byte{0x45, 0, 0, 20}}).MarshalBinary()
	f.Add(b)
	f.Add([]byte{2, 0, 0, 1, 11, 0, 1, 0, 0, 0, 0, 1, 8, 0, 1, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		var p queue.Packet
		if err := p.UnmarshalBinary(b); err != nil {
			return
		}
		enc, err := p.MarshalBinary()
		if err != nil {
			t.Fatalf("decoded packet does not encode: %v", err)
		}
		var q queue.Packet
		if err := q.UnmarshalBinary(enc); err != nil {
			t.Fatalf("re-decode: %v", err)
		}
		enc2, _ := q.MarshalBinary()
		if !bytes.Equal(enc, enc2) {
			t.Fatalf("not stable:\n% x\n% x", enc, enc2)
		}
	})
}
