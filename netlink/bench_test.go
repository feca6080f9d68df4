package netlink

import (
	"net/netip"
	"syscall"
	"testing"

	"github.com/nlkit/nlkit/nlattr"
)

// utRouteMessage returns a 120-byte RTM_NEWROUTE-like message: a 12-byte
// struct rtmsg and 92 bytes of attributes.
func utRouteMessage(seq uint32, i int) []byte {
	e := nlattr.NewEncoder(make([]byte, 12)) // struct rtmsg
	e.Uint32(15, 254)                        // RTA_TABLE
	e.Addr(1, netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 15: byte(i)}))
	e.Addr(5, netip.AddrFrom16([16]byte{0xfe, 0x80, 15: 1}))
	e.Uint32(4, uint32(i%8+1)) // RTA_OIF
	e.Uint32(6, 1024)          // RTA_PRIORITY
	e.Uint8(20, 0)             // RTA_PREF
	e.Bytes(12, make([]byte, 16))
	payload, err := e.Finish()
	if err != nil {
		panic(err)
	}
	return utMsg(24, Multi, seq, 0, payload, true)
}

func TestAllocsAppendParse(t *testing.T) {
	if len(utRouteMessage(1, 0)) != 120 {
		t.Fatalf("route message of %d bytes, want 120", len(utRouteMessage(1, 0)))
	}
	b := utBenchDatagram(32 << 10)
	dst := make([]Message, 0, 512)
	msgs, err := AppendParse(dst[:0], b)
	if err != nil || len(msgs) != len(b)/120 {
		t.Fatalf("AppendParse = %d messages, %v; want %d", len(msgs), err, len(b)/120)
	}
	allocs := testing.AllocsPerRun(100, func() {
		msgs, err = AppendParse(dst[:0], b)
	})
	if allocs != 0 {
		t.Errorf("AppendParse with a reused dst: %v allocations, want 0", allocs)
	}
}

func BenchmarkAppendParse(b *testing.B) {
	dg := utBenchDatagram(32 << 10)
	dst := make([]Message, 0, 512)
	b.ReportAllocs()
	b.SetBytes(int64(len(dg)))
	var n int
	for b.Loop() {
		msgs, err := AppendParse(dst[:0], dg)
		if err != nil {
			b.Fatal(err)
		}
		n = len(msgs)
	}
	b.ReportMetric(float64(n), "msgs/op")
}

func BenchmarkParseAck(b *testing.B) {
	req := utRequest(b)
	tlvs := utTLVs(b, func(e *nlattr.Encoder) {
		e.String(utAttrMsg, "Invalid MTU")
		e.Uint32(utAttrOffs, utOffMTU)
	})
	for _, c := range []struct {
		name string
		m    Message
	}{
		{"ack", utAck(Capped, 0, req, false, nil)},
		{"errno", utAck(Capped, utErrno(syscall.EEXIST), req, false, nil)},
		{"extack", utAck(Capped|AckTLVs, utErrno(syscall.EINVAL), req, false, tlvs)},
		{"uncapped-extack", utAck(AckTLVs, utErrno(syscall.EINVAL), req, true, tlvs)},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := parseAck(&c.m, req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
