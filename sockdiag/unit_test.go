package sockdiag

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nlattr"
)

func sampleInetSockets() []*InetSocket {
	full := &InetSocket{
		Family: unix.AF_INET6, Protocol: ProtocolTCP, State: StateEstablished, Timer: TimerOn, Retransmits: 2,
		ID:      SockID{Src: netip.MustParseAddrPort("[2001:db8::1]:443"), Dst: netip.MustParseAddrPort("[2001:db8::2]:40000"), IfIndex: 3, Cookie: 0x1122334455667788},
		Expires: 200 * time.Millisecond, RecvQ: 1, SendQ: 2, UID: 1000, Inode: 4242,
		MemInfo: MemInfo{1, 2, 3, 4}, TCPInfo: TCPInfo{Len: TCPInfoLen, State: StateEstablished, RTT: 1500 * time.Microsecond, SndCwnd: 10, TotalRTO: 3, AccECNOptSeen: 1, Options: OptSACK | OptTimestamps, SndWScale: 7, RcvWScale: 9},
		SKMemInfo:  SKMemInfo{N: 9, RcvBuf: 131072, SndBuf: 16384, Drops: 5},
		Congestion: "bbr", Vegas: VegasInfo{1, 2, 3, 4}, DCTCP: DCTCPInfo{true, 1, 2, 3, 4}, BBR: BBRInfo{1 << 40, 20, 256, 512},
		TOS: 0x10, TClass: 0x20, Shutdown: 1, V6Only: true, Mark: 7, ClassID: 8, CgroupID: 9, SockOpt: SockOptIsICSK | SockOptRecvErr,
		ULP:     ULPInfo{Name: "tls", TLS: TLSInfo{Version: 0x0304, Cipher: 52, TXConf: 1, RXConf: 1, RXNoPad: true}},
		MD5Keys: []MD5Key{{Prefix: netip.MustParsePrefix("198.18.0.0/15"), Key: []byte("secret")}},
		Locals:  []netip.AddrPort{netip.MustParseAddrPort("198.18.0.1:9")}, Peers: []netip.AddrPort{netip.MustParseAddrPort("[2001:db8::9]:9")},
	}
	for _, a := range []Attr{AttrMemInfo, AttrInfo, AttrVegasInfo, AttrCong, AttrTOS, AttrTClass, AttrSKMemInfo, AttrShutdown, AttrDCTCPInfo, AttrSKV6Only, AttrLocals, AttrPeers, AttrMark, AttrBBRInfo, AttrClassID, AttrMD5Sig, AttrULPInfo, AttrCgroupID, AttrSockOpt} {
		full.present |= 1 << a
	}
	old := &InetSocket{Family: unix.AF_INET, Protocol: ProtocolTCP, State: StateListen, ID: SockID{Src: netip.MustParseAddrPort("198.18.0.1:80"), Dst: netip.MustParseAddrPort("0.0.0.0:0")},
		TCPInfo: TCPInfo{Len: 104, State: StateListen, RTO: time.Second}, present: 1 << AttrInfo}
	mptcp := &InetSocket{Family: unix.AF_INET, Protocol: ProtocolMPTCP, State: StateEstablished, ID: SockID{Src: netip.MustParseAddrPort("198.18.0.1:80"), Dst: netip.MustParseAddrPort("198.18.0.2:1")},
		MPTCPInfo: MPTCPInfo{Len: 120, Subflows: 2, Token: 77, BytesSent: 5}, ULP: ULPInfo{Name: "mptcp", MPTCP: MPTCPSubflow{TokenRemote: 1, IDLocal: 2}}, present: 1<<AttrInfo | 1<<AttrULPInfo}
	return []*InetSocket{full, old, mptcp}
}

func sampleUnixSockets() []*UnixSocket {
	s := &UnixSocket{Type: SockSeqPacket, State: StateListen, Inode: 5, Cookie: 6, Name: "/run/x.sock", VFSInode: 7, VFSDev: 8, Peer: 9, Pending: []uint32{10, 11}, RecvQ: 2, SendQ: 7, MemInfo: SKMemInfo{N: 9, RcvBuf: 1}, Shutdown: 3, UID: 1000}
	s.present = 0xff
	a := &UnixSocket{Type: SockDgram, State: StateClose, Inode: 12, Name: "\x00abstract", present: 1 << UnixAttrName}
	return []*UnixSocket{s, a}
}

func samplePacketSockets() []*PacketSocket {
	p := &PacketSocket{Type: SockRaw, Protocol: unix.ETH_P_ALL, Inode: 3, Cookie: 4, Info: PacketInfo{IfIndex: 1, Version: 2, Flags: 1},
		MCList: []PacketMC{{IfIndex: 1, Count: 1, Type: 1, Addr: []byte{1, 0, 0x5e, 0, 0, 1}}}, RXRing: PacketRing{BlockSize: 4096, BlockNr: 2}, TXRing: PacketRing{FrameSize: 2048},
		Fanout: 42 | 1<<16, UID: 0, MemInfo: SKMemInfo{N: 9}, Filter: []unix.SockFilter{{Code: 6, K: 0xffff}}}
	p.present = 0xff
	return []*PacketSocket{p}
}

func sampleNetlinkSockets() []*NetlinkSocket {
	n := &NetlinkSocket{Type: SockRaw, Protocol: unix.NETLINK_ROUTE, State: StateClose, PortID: 100, DstPortID: 0, DstGroup: 0, Inode: 5, Cookie: 6, MemInfo: SKMemInfo{N: 9}, Groups: []uint32{1, 65, 100}, Flags: NetlinkCapAck}
	n.present = 1<<NetlinkAttrMemInfo | 1<<NetlinkAttrGroups | 1<<NetlinkAttrFlags
	return []*NetlinkSocket{n}
}

// Every decoder gives back what its encoder wrote.
func TestRoundTrip(t *testing.T) {
	for _, s := range sampleInetSockets() {
		b, err := s.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		got := &InetSocket{Protocol: s.Protocol}
		if err := got.UnmarshalBinary(b); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, s) {
			t.Errorf("inet:\n%+v\nwant\n%+v", got, s)
		}
	}
	for _, s := range sampleUnixSockets() {
		b, _ := s.MarshalBinary()
		var got UnixSocket
		if err := got.UnmarshalBinary(b); err != nil || !reflect.DeepEqual(&got, s) {
			t.Errorf("unix: %+v %v\nwant %+v", got, err, s)
		}
	}
	for _, s := range samplePacketSockets() {
		b, _ := s.MarshalBinary()
		var got PacketSocket
		if err := got.UnmarshalBinary(b); err != nil || !reflect.DeepEqual(&got, s) {
			t.Errorf("packet: %+v %v\nwant %+v", got, err, s)
		}
	}
	for _, s := range sampleNetlinkSockets() {
		b, _ := s.MarshalBinary()
		var got NetlinkSocket
		if err := got.UnmarshalBinary(b); err != nil || !reflect.DeepEqual(&got, s) {
			t.Errorf("netlink: %+v %v\nwant %+v", got, err, s)
		}
	}
}

// tcp_info is read by length: a short (old kernel) one gives its fields
// and zeros after; a longer (newer kernel) one is accepted.
func TestTCPInfoByLength(t *testing.T) {
	full := TCPInfo{Len: TCPInfoLen, RTT: time.Millisecond, SndWnd: 5, Rehash: 6, TotalRTO: 7, ReceivedCE: 8, AccECNOptSeen: 9}
	b := full.append(nil)
	for _, n := range []int{0, 7, 104, 160, 232, 240, 248, 279, 280} {
		var ti TCPInfo
		ti.decode(b[:n])
		if ti.Len != n || (n >= 72) != (ti.RTT == time.Millisecond) || (n >= 232) != (ti.SndWnd == 5) || (n >= 240) != (ti.Rehash == 6) || (n >= 242) != (ti.TotalRTO == 7) || (n >= 280) != (ti.AccECNOptSeen == 9) {
			t.Errorf("%d bytes: %+v", n, ti)
		}
		if ti.HasSndWnd() != (n >= 232) || ti.HasTotalRTO() != (n >= 248) || ti.HasAccECN() != (n >= 280) {
			t.Errorf("%d bytes: Has* wrong", n)
		}
	}
	var ti TCPInfo
	ti.decode(append(b, make([]byte, 40)...))
	if ti.Len != TCPInfoLen+40 || ti.RTT != time.Millisecond {
		t.Errorf("longer: %+v", ti)
	}
}

// A known attribute of the wrong length is an error naming it; unknown
// ones are skipped; a short header is malformed.
func TestDecodeErrors(t *testing.T) {
	s := sampleInetSockets()[1]
	b, _ := s.MarshalBinary()
	bad := nlattr.NewEncoder(append([]byte(nil), b...))
	bad.Bytes(uint16(AttrMemInfo), []byte{1, 2, 3})
	bb, _ := bad.Finish()
	var got InetSocket
	err := got.UnmarshalBinary(bb)
	if err == nil || !strings.Contains(err.Error(), "attribute meminfo") || !errors.Is(err, nlattr.ErrBadLength) {
		t.Errorf("short meminfo: %v", err)
	}
	unk := nlattr.NewEncoder(append([]byte(nil), b...))
	unk.Bytes(200, []byte{1, 2, 3})
	ub, _ := unk.Finish()
	if err := got.UnmarshalBinary(ub); err != nil {
		t.Errorf("unknown attribute: %v", err)
	}
	for _, dec := range []interface{ UnmarshalBinary([]byte) error }{&InetSocket{}, &UnixSocket{}, &PacketSocket{}, &NetlinkSocket{}} {
		if err := dec.UnmarshalBinary(make([]byte, 10)); !errors.Is(err, netlink.ErrMalformed) {
			t.Errorf("%T short: %v", dec, err)
		}
	}
	var u UnixSocket
	ue := nlattr.NewEncoder(make([]byte, unixMsgLen))
	ue.Bytes(uint16(UnixAttrRQLen), []byte{1})
	ubb, _ := ue.Finish()
	if err := u.UnmarshalBinary(ubb); err == nil || !strings.Contains(err.Error(), "attribute rqlen") {
		t.Errorf("unix short rqlen: %v", err)
	}
}

// vmSamples are sockets the bytecode tests run programs on.
var vmSamples = func() []vmSocket {
	var out []vmSocket
	for _, src := range []string{"198.18.0.1:443", "198.18.0.2:40000", "[2001:db8::1]:443", "[::ffff:198.18.0.3]:80", "10.0.0.1:22", "0.0.0.0:0"} {
		for _, dst := range []string{"198.18.0.2:8080", "[2001:db8::2]:443", "0.0.0.0:0", "[::ffff:10.1.2.3]:1023", "198.19.255.255:65535"} {
			s := vmSocket{src: netip.MustParseAddrPort(src), dst: netip.MustParseAddrPort(dst)}
			if s.src.Addr().Is4() != s.dst.Addr().Is4() {
				continue
			}
			s.autobound = s.src.Port() > 1024
			s.ifindex = int32(s.src.Port() % 3)
			s.mark = uint32(s.dst.Port())
			s.cgroup = uint64(s.src.Port() % 2)
			out = append(out, s)
		}
	}
	return out
}()

var sampleExprs = []string{
	"dport = :443 and dst 198.18.0.0/15",
	"sport = :443",
	"( sport = :443 or dport = :443 ) and src 198.18.0.0/15",
	"! ( dport = :443 or sport = :443 ) and not src 198.18.0.2",
	"dport < :1000 or sport < :1000 or dport = :8080",
	"sport >= :1024 sport <= :8080",
	"dst [2001:db8::1]:443 || src *:80",
	"src 198.18.0.1:443 & dst 2001:db8::/32",
	"not dst 0.0.0.0/0",
	"autobound and dev = 1 and fwmark = 0x1bb/0xffff or cgroup = 1",
	"dport != :https and sport gt :1023",
	"((((dport = :1))))",
}

// The compiled programs pass the kernel's audit and mean what the
// expression means, on every sample socket.
func TestBytecodeMeaning(t *testing.T) {
	for _, text := range sampleExprs {
		var e Expr
		if err := e.UnmarshalText([]byte(text)); err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		code, err := e.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range vmSamples {
			got, ok := runBytecode(code, s)
			if !ok {
				t.Fatalf("%q: program refused by the audit: %x", text, code)
			}
			if want := evalExpr(&e, s); got != want {
				t.Errorf("%q on %v->%v: bytecode %v, want %v", text, s.src, s.dst, got, want)
			}
		}
	}
}

// Random expressions, deep and wide, compile to programs that mean them.
func TestBytecodeRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var gen func(depth int) *Expr
	gen = func(depth int) *Expr {
		if depth > 0 && r.IntN(3) > 0 {
			switch r.IntN(3) {
			case 0:
				return Not(gen(depth - 1))
			case 1:
				return And(gen(depth-1), gen(depth-1), gen(depth-1))
			default:
				return Or(gen(depth-1), gen(depth-1))
			}
		}
		ports := []uint16{0, 22, 80, 443, 1023, 8080, 40000, 65535}
		switch r.IntN(8) {
		case 0:
			return SPort(Cmp(r.IntN(6)), ports[r.IntN(len(ports))])
		case 1:
			return DPort(Cmp(r.IntN(6)), ports[r.IntN(len(ports))])
		case 2:
			return Src(netip.MustParsePrefix([]string{"198.18.0.0/15", "2001:db8::/32", "198.18.0.1/32", "10.0.0.0/8"}[r.IntN(4)]), []int32{AnyPort, 443, 80}[r.IntN(3)])
		case 3:
			return Dst(netip.MustParsePrefix([]string{"198.18.0.0/15", "2001:db8::2/128", "10.1.0.0/16"}[r.IntN(3)]), []int32{AnyPort, 8080}[r.IntN(2)])
		case 4:
			return Dst(netip.Prefix{}, 443)
		case 5:
			return AutoBound()
		case 6:
			return Mark(uint32(ports[r.IntN(len(ports))]), 0xffff)
		default:
			return Dev(int32(r.IntN(3)))
		}
	}
	for i := range 2000 {
		e := gen(1 + i%5)
		code, err := e.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range vmSamples {
			got, ok := runBytecode(code, s)
			if !ok {
				t.Fatalf("%v: refused by the audit", e)
			}
			if want := evalExpr(e, s); got != want {
				t.Fatalf("%v on %v->%v: bytecode %v, want %v\n%x", e, s.src, s.dst, got, want, code)
			}
		}
		// The text form reads back to the same program.
		var e2 Expr
		if err := e2.UnmarshalText([]byte(e.String())); err != nil {
			t.Fatalf("%q: %v", e.String(), err)
		}
		if code2, _ := e2.MarshalBinary(); !bytes.Equal(code, code2) {
			t.Fatalf("%q reads back to another program", e.String())
		}
	}
}

func TestExprText(t *testing.T) {
	for in, want := range map[string]string{
		"dport = :443 and dst 198.18.0.0/15":        "dport = :443 and dst 198.18.0.0/15",
		"dport eq :443 dst 198.18.0.0/15":           "dport = :443 and dst 198.18.0.0/15",
		"( sport = :1 or sport = :2 ) and dport :3": "( sport = :1 or sport = :2 ) and dport = :3",
		"sport = :1 or sport = :2 and dport = :3":   "sport = :1 or sport = :2 and dport = :3",
		"!(dport = :22)":                            "dport != :22",
		"dport > :1024":                             "dport > :1024",
		"src [2001:db8::1]:80":                      "src [2001:db8::1]:80",
		"src 2001:db8::/32":                         "src [2001:db8::]/32",
		"dst *:443":                                 "dst *:443",
		"dst :443":                                  "dst *:443",
		"not src 198.18.0.0/15":                     "not src 198.18.0.0/15",
		"dst 0.0.0.0/0":                             "dst *",
	} {
		var e Expr
		if err := e.UnmarshalText([]byte(in)); err != nil {
			t.Errorf("%q: %v", in, err)
			continue
		}
		if got := e.String(); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
	for _, bad := range []string{"", "(", "dport", "dport = :x99999", "src 300.1.1.1", "and", "sport = :1 )", "src = [::1", "dport >= :65536", "fwmark = x", strings.Repeat("(", 200) + "autobound" + strings.Repeat(")", 200)} {
		var e Expr
		if err := e.UnmarshalText([]byte(bad)); err == nil {
			t.Errorf("%q read as %v", bad, e.String())
		}
	}
}

func TestStatesText(t *testing.T) {
	for in, want := range map[string]States{
		"established": StatesOf(StateEstablished), "listening": StatesOf(StateListen), "listen": StatesOf(StateListen),
		"connected": Connected, "all": AllStates, "bucket": Bucket, "big": Big, "synchronized": Synchronized,
		"time-wait|closed": StatesOf(StateTimeWait, StateClose), "syn-recv": StatesOf(StateSynRecv),
	} {
		var s States
		if err := s.UnmarshalText([]byte(in)); err != nil || s != want {
			t.Errorf("%q: %v %v, want %v", in, s, err, want)
		}
	}
	var s States
	if err := s.UnmarshalText([]byte("estab")); err == nil {
		t.Errorf("estab read")
	}
	if Connected.Has(StateListen) || !Connected.Has(StateSynSent) || Synchronized.Has(StateSynSent) || !States(0).Has(StateClose) {
		t.Errorf("sets wrong")
	}
}

func TestEnums(t *testing.T) {
	for _, e := range []interface {
		fmt.Stringer
		MarshalText() ([]byte, error)
	}{ProtocolMPTCP, StateTimeWait, TimerKeepalive, AttrBBRInfo, CARecovery, SockSeqPacket, UnixAttrIcons, PacketAttrFanout, NetlinkAttrFlags, OpDPortGE, GE} {
		b, _ := e.MarshalText()
		if string(b) != e.String() {
			t.Errorf("%T: %q vs %q", e, b, e.String())
		}
	}
	var p Protocol
	if p.UnmarshalText([]byte("udplite")); p != ProtocolUDPLite {
		t.Errorf("udplite: %v", p)
	}
	var st State
	if st.UnmarshalText([]byte("ESTAB")); st != StateEstablished {
		t.Errorf("ESTAB: %v", st)
	}
	if StateEstablished.String() != "ESTAB" || StateClose.String() != "UNCONN" || State(99).String() != "99" {
		t.Errorf("state names")
	}
}

// Every length: the whole fields are read, a field cut short reads as
// zero (encoding the result gives back the bytes of the whole fields).
func TestTCPInfoCutShort(t *testing.T) {
	ones := bytes.Repeat([]byte{0xff}, TCPInfoLen)
	for n := 8; n <= TCPInfoLen; n++ {
		var ti TCPInfo
		ti.decode(ones[:n])
		got := ti.append(nil)
		want := append(bytes.Repeat([]byte{0xff}, tcpInfoWhole(n)), make([]byte, n-tcpInfoWhole(n))...)
		if !bytes.Equal(got[8:], want[8:]) {
			t.Errorf("%d bytes: %x\nwant %x", n, got[8:], want[8:])
		}
	}
}
