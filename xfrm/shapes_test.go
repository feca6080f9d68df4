package xfrm

import "net/netip"

// stateShape is one SA shape: the `ip xfrm state add` words that make it
// and the State that must encode to the same request.
type stateShape struct {
	name  string
	ip    string // after "ip xfrm state add"
	state State
}

var (
	sa1, sa2   = netip.MustParseAddr("198.18.0.1"), netip.MustParseAddr("198.18.0.2")
	sa61, sa62 = netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("2001:db8::2")
	key16      = []byte{0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f}
	key20      = append(append([]byte(nil), key16...), 0x10, 0x11, 0x12, 0x13)
	key32      = append(append([]byte(nil), key16...), key16...)
)

const (
	hex16 = "0x000102030405060708090a0b0c0d0e0f"
	hex20 = "0x000102030405060708090a0b0c0d0e0f10111213"
	hex32 = "0x000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f"
)

// base is an SA between sa1 and sa2 with the given SPI and protocol.
func base(spi uint32, proto Proto, mode Mode) State {
	return State{Src: sa1, Dst: sa2, SPI: spi, Proto: proto, Mode: mode}
}

func with(s State, f func(*State)) State { f(&s); return s }

var encAES = Algorithm{Name: "cbc(aes)", Key: key16}
var authSHA = Algorithm{Name: "hmac(sha256)", Key: key32}

// stateShapes are the SA shapes compared byte for byte with ip and run
// against the kernel: modes, each algorithm kind, ESN, replay, encap,
// marks, if_id, offload, lifetimes, selectors, flags, contexts.
var stateShapes = []stateShape{
	{"tunnel-aead", "src 198.18.0.1 dst 198.18.0.2 proto esp spi 0x100 mode tunnel aead rfc4106(gcm(aes)) " + hex20 + " 128",
		with(base(0x100, ProtoESP, ModeTunnel), func(s *State) { s.AEAD = Algorithm{Name: "rfc4106(gcm(aes))", Key: key20, ICVBits: 128} })},
	{"transport-auth-enc", "src 198.18.0.1 dst 198.18.0.2 proto esp spi 0x101 mode transport auth hmac(sha256) " + hex32 + " enc cbc(aes) " + hex16,
		with(base(0x101, ProtoESP, ModeTransport), func(s *State) { s.Auth, s.Crypt = authSHA, encAES })},
	{"auth-trunc", "src 198.18.0.1 dst 198.18.0.2 proto esp spi 0x102 mode tunnel reqid 7 auth-trunc hmac(sha256) " + hex32 + " 128 enc cbc(aes) " + hex16,
		with(base(0x102, ProtoESP, ModeTunnel), func(s *State) {
			s.ReqID, s.Crypt = 7, encAES
			s.Auth = Algorithm{Name: "hmac(sha256)", Key: key32, ICVBits: 128}
		})},
	{"ah", "src 198.18.0.1 dst 198.18.0.2 proto ah spi 0x103 auth hmac(sha1) " + hex20,
		with(base(0x103, ProtoAH, ModeTransport), func(s *State) { s.Auth = Algorithm{Name: "hmac(sha1)", Key: key20} })},
	{"ipcomp", "src 198.18.0.1 dst 198.18.0.2 proto comp spi 0x1234 mode tunnel comp deflate",
		with(base(0x1234, ProtoComp, ModeTunnel), func(s *State) { s.Comp = Algorithm{Name: "deflate"} })},
	{"beet", "src 198.18.0.1 dst 198.18.0.2 proto esp spi 0x104 mode beet enc cbc(aes) " + hex16,
		with(base(0x104, ProtoESP, ModeBEET), func(s *State) { s.Crypt = encAES })},
	{"esn", "src 198.18.0.1 dst 198.18.0.2 proto esp spi 0x105 replay-window 128 replay-seq 5 replay-oseq 6 replay-seq-hi 1 replay-oseq-hi 2 flag esn enc cbc(aes) " + hex16,
		with(base(0x105, ProtoESP, ModeTransport), func(s *State) {
			s.Flags, s.Crypt = StateESN, encAES
			s.ReplayESN = &ReplayESN{Seq: 5, OSeq: 6, SeqHi: 1, OSeqHi: 2, Window: 128}
		})},
	{"replay", "src 198.18.0.1 dst 198.18.0.2 proto esp spi 0x106 replay-window 32 replay-seq 9 replay-oseq 10 enc cbc(aes) " + hex16,
		with(base(0x106, ProtoESP, ModeTransport), func(s *State) {
			s.ReplayWindow, s.Crypt = 32, encAES
			s.Replay = &Replay{Seq: 9, OSeq: 10}
		})},
	{"encap-udp", "src 198.18.0.1 dst 198.18.0.2 proto esp spi 0x107 mode tunnel enc cbc(aes) " + hex16 + " encap espinudp 4500 4501 0.0.0.0",
		with(base(0x107, ProtoESP, ModeTunnel), func(s *State) {
			s.Crypt = encAES
			s.Encap = Encap{Type: EncapESPInUDP, SrcPort: 4500, DstPort: 4501}
		})},
	{"encap-udp-oa", "src 198.18.0.1 dst 198.18.0.2 proto esp spi 0x108 enc cbc(aes) " + hex16 + " encap espinudp-nonike 4500 4500 198.18.0.9",
		with(base(0x108, ProtoESP, ModeTransport), func(s *State) {
			s.Crypt = encAES
			s.Encap = Encap{Type: EncapESPInUDPNonIKE, SrcPort: 4500, DstPort: 4500, OrigAddr: netip.MustParseAddr("198.18.0.9")}
		})},
	{"encap-tcp", "src 198.18.0.1 dst 198.18.0.2 proto esp spi 0x109 enc cbc(aes) " + hex16 + " encap espintcp 4500 4500 0.0.0.0",
		with(base(0x109, ProtoESP, ModeTransport), func(s *State) {
			s.Crypt = encAES
			s.Encap = Encap{Type: EncapESPInTCP, SrcPort: 4500, DstPort: 4500}
		})},
	{"mark-ifid-outputmark", "src 198.18.0.1 dst 198.18.0.2 proto esp spi 0x10a enc cbc(aes) " + hex16 + " mark 7 mask 0xf if_id 9 output-mark 3 mask 0xff",
		with(base(0x10a, ProtoESP, ModeTransport), func(s *State) {
			s.Crypt, s.IfID = encAES, 9
			s.Mark, s.OutputMark = Mark{7, 0xf}, Mark{3, 0xff}
		})},
	{"offload", "src 198.18.0.1 dst 198.18.0.2 proto esp spi 0x10b enc cbc(aes) " + hex16 + " offload dev lo dir in",
		with(base(0x10b, ProtoESP, ModeTransport), func(s *State) {
			s.Crypt = encAES
			s.Offload = &Offload{IfIndex: 1, Flags: OffloadInbound}
		})},
	{"lifetimes", "src 198.18.0.1 dst 198.18.0.2 proto esp spi 0x10c enc cbc(aes) " + hex16 +
		" limit time-soft 10 limit time-hard 20 limit time-use-soft 30 limit time-use-hard 40 limit byte-soft 1000 limit byte-hard 2000 limit packet-soft 50 limit packet-hard 60",
		with(base(0x10c, ProtoESP, ModeTransport), func(s *State) {
			s.Crypt = encAES
			s.Limits = Limits{SoftAdd: 10, HardAdd: 20, SoftUse: 30, HardUse: 40, SoftBytes: 1000, HardBytes: 2000, SoftPackets: 50, HardPackets: 60}
		})},
	{"selector", "src 198.18.0.1 dst 198.18.0.2 proto esp spi 0x10d enc cbc(aes) " + hex16 + " sel src 10.0.0.0/8 dst 10.1.0.0/16 proto tcp sport 80 dport 443",
		with(base(0x10d, ProtoESP, ModeTransport), func(s *State) {
			s.Crypt = encAES
			s.Selector = Selector{Src: netip.MustParsePrefix("10.0.0.0/8"), Dst: netip.MustParsePrefix("10.1.0.0/16"), Proto: 6, SrcPort: 80, SrcPortMask: 0xffff, DstPort: 443, DstPortMask: 0xffff}
		})},
	{"ipv6-tunnel", "src 2001:db8::1 dst 2001:db8::2 proto esp spi 0x10e mode tunnel reqid 3 auth hmac(sha256) " + hex32 + " enc cbc(aes) " + hex16,
		State{Src: sa61, Dst: sa62, SPI: 0x10e, Proto: ProtoESP, Mode: ModeTunnel, ReqID: 3, Auth: authSHA, Crypt: encAES}},
	{"flags", "src 198.18.0.1 dst 198.18.0.2 proto esp spi 0x10f enc cbc(aes) " + hex16 + " flag noecn flag decap-dscp flag nopmtudisc flag wildrecv flag icmp flag af-unspec flag align4",
		with(base(0x10f, ProtoESP, ModeTransport), func(s *State) {
			s.Crypt = encAES
			s.Flags = StateNoECN | StateDecapDSCP | StateNoPMTUDisc | StateWildRecv | StateICMP | StateAFUnspec | StateAlign4
		})},
	{"extra-flags", "src 198.18.0.1 dst 198.18.0.2 proto esp spi 0x110 enc cbc(aes) " + hex16 + " extra-flag dont-encap-dscp extra-flag oseq-may-wrap",
		with(base(0x110, ProtoESP, ModeTransport), func(s *State) {
			s.Crypt = encAES
			s.ExtraFlags = ExtraDontEncapDSCP | ExtraOSeqMayWrap
		})},
	{"security-context", "src 198.18.0.1 dst 198.18.0.2 proto esp spi 0x111 enc cbc(aes) " + hex16 + " ctx system_u:object_r:ipsec_spd_t:s0",
		with(base(0x111, ProtoESP, ModeTransport), func(s *State) {
			s.Crypt = encAES
			s.SecurityContext = &SecurityContext{DOI: 1, Alg: 1, Context: "system_u:object_r:ipsec_spd_t:s0"}
		})},
	{"tfcpad-seq-reqid", "src 198.18.0.1 dst 198.18.0.2 proto esp spi 0x112 mode tunnel reqid 0x10 seq 5 enc cbc(aes) " + hex16 + " tfcpad 16",
		with(base(0x112, ProtoESP, ModeTunnel), func(s *State) {
			// ip sends "seq" in network byte order (get_be32), which
			// the kernel reads in host order.
			s.Crypt, s.ReqID, s.Seq, s.TFCPad = encAES, 0x10, ne.Uint32([]byte{0, 0, 0, 5}), 16
		})},
	{"esn-big-window", "src 2001:db8::1 dst 2001:db8::2 proto esp spi 0x113 replay-window 4096 flag esn aead rfc4106(gcm(aes)) " + hex20 + " 64",
		State{Src: sa61, Dst: sa62, SPI: 0x113, Proto: ProtoESP, Flags: StateESN, ReplayESN: &ReplayESN{Window: 4096},
			AEAD: Algorithm{Name: "rfc4106(gcm(aes))", Key: key20, ICVBits: 64}}},
	{"everything", "src 198.18.0.1 dst 198.18.0.2 proto esp spi 0x114 mode tunnel reqid 5 replay-window 64 flag esn flag noecn auth-trunc hmac(sha256) " + hex32 + " 128 enc cbc(aes) " + hex16 +
		" encap espinudp 4500 4500 0.0.0.0 ctx foo sel src 10.0.0.0/8 dst 10.1.0.0/16 limit time-soft 10 limit byte-hard 1000 extra-flag dont-encap-dscp mark 7 mask 0xf if_id 9 tfcpad 16 output-mark 3 mask 0xff",
		with(base(0x114, ProtoESP, ModeTunnel), func(s *State) {
			s.ReqID, s.Flags = 5, StateESN|StateNoECN
			s.Auth, s.Crypt = Algorithm{Name: "hmac(sha256)", Key: key32, ICVBits: 128}, encAES
			s.Encap = Encap{Type: EncapESPInUDP, SrcPort: 4500, DstPort: 4500}
			s.SecurityContext = &SecurityContext{DOI: 1, Alg: 1, Context: "foo"}
			s.Selector = Selector{Src: netip.MustParsePrefix("10.0.0.0/8"), Dst: netip.MustParsePrefix("10.1.0.0/16")}
			s.Limits = Limits{SoftAdd: 10, HardBytes: 1000}
			s.ReplayESN = &ReplayESN{Window: 64}
			s.ExtraFlags = ExtraDontEncapDSCP
			s.Mark, s.IfID, s.TFCPad, s.OutputMark = Mark{7, 0xf}, 9, 16, Mark{3, 0xff}
		})},
}

// policyShape is one policy: the `ip xfrm policy add` words and the
// Policy that must encode to the same request.
type policyShape struct {
	name   string
	ip     string
	policy Policy
}

func pfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }

// allAlgos is a template's algorithm masks as ip sends them: any.
func anyAlgos(t Template) Template {
	t.AuthAlgos, t.CryptAlgos, t.CompAlgos = ^uint32(0), ^uint32(0), ^uint32(0)
	return t
}

// policyShapes are policies of every selector, action, flag and template
// shape, distinct so that all can be added to one SPD.
var policyShapes = []policyShape{
	{"transport-template", "src 198.18.0.0/24 dst 198.18.1.0/24 dir out tmpl proto esp mode transport",
		Policy{Selector: Selector{Src: pfx("198.18.0.0/24"), Dst: pfx("198.18.1.0/24")}, Dir: DirOut,
			Templates: []Template{anyAlgos(Template{Proto: ProtoESP, Mode: ModeTransport})}}},
	{"ports-mark-ifid-tunnel", "src 198.18.2.1/32 dst 198.18.3.0/24 proto udp sport 1000 dport 2000 dir out priority 10 mark 5 mask 0xff if_id 7 tmpl src 198.18.2.1 dst 198.18.3.1 proto esp reqid 3 mode tunnel",
		Policy{Selector: Selector{Src: pfx("198.18.2.1/32"), Dst: pfx("198.18.3.0/24"), Proto: 17, SrcPort: 1000, SrcPortMask: 0xffff, DstPort: 2000, DstPortMask: 0xffff},
			Dir: DirOut, Priority: 10, Mark: Mark{5, 0xff}, IfID: 7,
			Templates: []Template{anyAlgos(Template{Src: netip.MustParseAddr("198.18.2.1"), Dst: netip.MustParseAddr("198.18.3.1"), Proto: ProtoESP, ReqID: 3, Mode: ModeTunnel})}}},
	{"ipv6-block-flags", "src 2001:db8::/64 dst 2001:db8:1::/64 dir in action block priority 3 flag localok flag icmp",
		Policy{Selector: Selector{Src: pfx("2001:db8::/64"), Dst: pfx("2001:db8:1::/64")}, Dir: DirIn, Action: ActionBlock, Priority: 3, Flags: PolicyLocalOK | PolicyICMP}},
	{"fwd-two-templates", "src 198.18.4.0/24 dst 198.18.5.0/24 dir fwd tmpl proto ah mode transport level use tmpl src 198.18.4.1 dst 198.18.5.1 proto esp spi 0x10 mode tunnel reqid 9",
		Policy{Selector: Selector{Src: pfx("198.18.4.0/24"), Dst: pfx("198.18.5.0/24")}, Dir: DirFwd,
			Templates: []Template{
				anyAlgos(Template{Proto: ProtoAH, Mode: ModeTransport, Optional: true}),
				anyAlgos(Template{Src: netip.MustParseAddr("198.18.4.1"), Dst: netip.MustParseAddr("198.18.5.1"), Proto: ProtoESP, SPI: 0x10, Mode: ModeTunnel, ReqID: 9}),
			}}},
	{"icmp-limits", "src 198.18.6.0/24 dst 198.18.7.0/24 proto icmp type 8 code 0 dir out limit time-soft 100 limit time-hard 200 limit time-use-soft 300 limit time-use-hard 400 limit byte-soft 1000 limit packet-hard 77",
		Policy{Selector: Selector{Src: pfx("198.18.6.0/24"), Dst: pfx("198.18.7.0/24"), Proto: 1, SrcPort: 8, SrcPortMask: 0xffff, DstPort: 0, DstPortMask: 0xffff},
			Dir: DirOut, Limits: Limits{SoftAdd: 100, HardAdd: 200, SoftUse: 300, HardUse: 400, SoftBytes: 1000, HardPackets: 77}}},
	{"sub-index-beet", "src 198.18.8.0/24 dst 198.18.9.0/24 dir out ptype sub index 0x101 tmpl proto esp mode beet",
		Policy{Selector: Selector{Src: pfx("198.18.8.0/24"), Dst: pfx("198.18.9.0/24")}, Dir: DirOut, Type: PolicyTypeSub, Index: 0x101,
			Templates: []Template{anyAlgos(Template{Proto: ProtoESP, Mode: ModeBEET})}}},
	{"gre-key", "src 198.18.10.0/24 dst 198.18.11.0/24 proto gre key 0x10002 dir in",
		Policy{Selector: Selector{Src: pfx("198.18.10.0/24"), Dst: pfx("198.18.11.0/24"), Proto: 47, SrcPort: 1, SrcPortMask: 0xffff, DstPort: 2, DstPortMask: 0xffff}, Dir: DirIn}},
	{"ipv6-dev-tcp", "src 2001:db8:2::/48 dst 2001:db8:3::/48 proto tcp dport 22 dev lo dir out priority 100 tmpl src 2001:db8:2::1 dst 2001:db8:3::1 proto esp mode tunnel reqid 0x20",
		Policy{Selector: Selector{Src: pfx("2001:db8:2::/48"), Dst: pfx("2001:db8:3::/48"), Proto: 6, DstPort: 22, DstPortMask: 0xffff, IfIndex: 1}, Dir: DirOut, Priority: 100,
			Templates: []Template{anyAlgos(Template{Src: netip.MustParseAddr("2001:db8:2::1"), Dst: netip.MustParseAddr("2001:db8:3::1"), Proto: ProtoESP, Mode: ModeTunnel, ReqID: 0x20})}}},
	{"any-to-any", "src 0.0.0.0/0 dst 0.0.0.0/0 dir in priority 1 action allow",
		Policy{Selector: Selector{Src: pfx("0.0.0.0/0"), Dst: pfx("0.0.0.0/0")}, Dir: DirIn, Priority: 1}},
}
