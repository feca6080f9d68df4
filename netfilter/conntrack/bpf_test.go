package conntrack

import (
	"encoding/binary"
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"

	"github.com/nlkit/nlkit/netfilter"
	"github.com/nlkit/nlkit/netlink"
	"golang.org/x/sys/unix"
)

// runBPF interprets the classic BPF instructions Program emits over pkt
// as the kernel does for a linear skb (net/core/filter.c), including the
// netlink attribute extensions (nla_find over the rest of the skb).
func runBPF(t *testing.T, prog []netlink.FilterInstruction, pkt []byte) uint32 {
	t.Helper()
	var a, x uint32
	nlaFind := func(off, typ uint32, end int) uint32 {
		for int(off)+4 <= end {
			l := int(binary.NativeEndian.Uint16(pkt[off:]))
			ty := binary.NativeEndian.Uint16(pkt[off+2:]) & 0x3fff
			if l < 4 || int(off)+l > end {
				return 0
			}
			if uint32(ty) == typ {
				return off
			}
			off += uint32((l + 3) &^ 3)
		}
		return 0
	}
	for pc := 0; pc < len(prog); pc++ {
		in := prog[pc]
		load := func(off uint32, size int) (uint32, bool) {
			if int(off)+size > len(pkt) {
				return 0, false
			}
			switch size {
			case 4:
				return binary.BigEndian.Uint32(pkt[off:]), true
			case 2:
				return uint32(binary.BigEndian.Uint16(pkt[off:])), true
			}
			return uint32(pkt[off]), true
		}
		size := map[uint16]int{unix.BPF_W: 4, unix.BPF_H: 2, unix.BPF_B: 1}[in.Op&0x18]
		switch {
		case in.Op == unix.BPF_LD|unix.BPF_W|unix.BPF_ABS && int32(in.K) == skfAdOff+skfAdNLAttr:
			if int(a) > len(pkt)-4 {
				a = 0
			} else {
				a = nlaFind(a, x, len(pkt))
			}
		case in.Op == unix.BPF_LD|unix.BPF_W|unix.BPF_ABS && int32(in.K) == skfAdOff+skfAdNLAttrNest:
			if int(a) > len(pkt)-4 {
				a = 0
				break
			}
			l := int(binary.NativeEndian.Uint16(pkt[a:]))
			if l > len(pkt)-int(a) || l < 4 {
				a = 0
				break
			}
			a = nlaFind(a+4, x, int(a)+l)
		case in.Op&0x07 == unix.BPF_LD && in.Op&0xe0 == unix.BPF_ABS:
			v, ok := load(in.K, size)
			if !ok {
				return 0
			}
			a = v
		case in.Op&0x07 == unix.BPF_LD && in.Op&0xe0 == unix.BPF_IND:
			v, ok := load(x+in.K, size)
			if !ok {
				return 0
			}
			a = v
		case in.Op == unix.BPF_LD|unix.BPF_IMM:
			a = in.K
		case in.Op == unix.BPF_LDX|unix.BPF_IMM:
			x = in.K
		case in.Op == unix.BPF_MISC|unix.BPF_TAX:
			x = a
		case in.Op == unix.BPF_ALU|unix.BPF_AND|unix.BPF_K:
			a &= in.K
		case in.Op == unix.BPF_JMP|unix.BPF_JEQ|unix.BPF_K:
			if a == in.K {
				pc += int(in.JumpTrue)
			} else {
				pc += int(in.JumpFalse)
			}
		case in.Op == unix.BPF_RET|unix.BPF_K:
			return in.K
		default:
			t.Fatalf("instruction %d: op %#x not interpreted", pc, in.Op)
		}
	}
	t.Fatal("program ran off its end")
	return 0
}

// TestEventProgram: for random filters and events, the socket filter
// accepts exactly the events the user-side check selects, and lets other
// messages through.
func TestEventProgram(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	protos := []uint8{ProtoTCP, ProtoUDP, ProtoICMP, ProtoICMPv6, ProtoSCTP}
	for i := range 3000 {
		var f EventFilter
		if r.IntN(2) == 0 {
			f.Family = []netfilter.Family{netfilter.FamilyIPv4, netfilter.FamilyIPv6}[r.IntN(2)]
		}
		for range r.IntN(3) {
			f.Protos = append(f.Protos, protos[r.IntN(len(protos))])
		}
		if r.IntN(2) == 0 {
			f.MarkMask = []uint32{1, 0xff, 0xffffffff, 0xf0}[r.IntN(4)]
			f.Mark = uint32(r.IntN(4))
		}
		prog, err := f.Program()
		if err != nil {
			t.Fatal(err)
		}
		src, dst := netip.MustParseAddr("198.18.0.1"), netip.MustParseAddr("198.18.0.2")
		if r.IntN(2) == 0 {
			src, dst = netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("2001:db8::2")
		}
		fl := Flow{Orig: Tuple{Src: src, Dst: dst, Proto: protos[r.IntN(len(protos))], SrcPort: 1, DstPort: 2, ICMPType: 8},
			Timeout: time.Minute, Mark: uint32(r.IntN(4)) * uint32(r.IntN(2))}
		fl.Family = fl.Orig.Family()
		payload, err := fl.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		typ := []uint8{msgNew, msgDelete}[r.IntN(2)]
		m := netlink.Message{Header: netlink.Header{Type: netfilter.MessageType(netfilter.SubsysCTNetlink, typ), Flags: netlink.Create}, Data: payload}
		pkt, _ := m.MarshalBinary()
		ev := Event{Type: EventNew, Flow: fl}
		want := f.match(&ev)
		if prog == nil {
			if !want {
				t.Fatalf("%d: no program for a filter that drops: %+v", i, f)
			}
			continue
		}
		if got := runBPF(t, prog, pkt) != 0; got != want {
			t.Fatalf("%d: filter %+v, flow %v mark %d: program says %v, user side %v", i, f, fl.Orig, fl.Mark, got, want)
		}
		// Not a flow event: passes.
		other := netlink.Message{Header: netlink.Header{Type: netfilter.MessageType(netfilter.SubsysCTNetlinkExp, 0)}, Data: payload}
		opkt, _ := other.MarshalBinary()
		if runBPF(t, prog, opkt) == 0 {
			t.Fatalf("%d: an expectation message was dropped", i)
		}
	}
}
