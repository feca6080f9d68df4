package netlink

import (
	"encoding/binary"
	"testing"
)

// An audit record unicast to the audit daemon says its payload's length
// in nlmsg_len; the fix makes it a whole message, and leaves alone
// well-formed datagrams and multicast copies.
func TestFixAuditLength(t *testing.T) {
	text := "audit(1700000000.123:42): x" // 27 bytes: not a multiple of 4
	rec := func(n int) []byte {
		b := make([]byte, HeaderLen+len(text))
		binary.NativeEndian.PutUint32(b, uint32(n))
		binary.NativeEndian.PutUint16(b[4:], 1320)
		copy(b[HeaderLen:], text)
		return b
	}
	b := rec(len(text))
	fixAuditLength(datagram{data: b})
	msgs, err := AppendParse(nil, b)
	if err != nil || len(msgs) != 1 || string(msgs[0].Data) != text {
		t.Fatalf("fixed record: %v %v", msgs, err)
	}
	for _, d := range []datagram{
		{data: rec(HeaderLen + len(text))}, // well formed
		{data: rec(len(text)), group: 1},   // multicast: left as sent
		{data: rec(len(text)), sender: 7},  // not the kernel
		{data: []byte{1, 2, 3}},            // short
	} {
		before := append([]byte(nil), d.data...)
		fixAuditLength(d)
		if string(before) != string(d.data) {
			t.Errorf("datagram %+v changed", d)
		}
	}
}
