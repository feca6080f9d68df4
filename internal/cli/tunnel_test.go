package cli

import (
	"net/netip"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/rtnl"
)

// tunnelCommandLines are ip tunnel command lines run by ip and by nl
// (invoked as ip) on this kernel, which has no tunnel module: ip's ioctls
// find no fallback device, nl's requests no kind; both must print the same
// and exit the same.
var tunnelCommandLines = [][]string{
	{"tunnel", "add", "t1", "mode", "gre", "remote", "198.18.0.2", "local", "198.18.0.1", "ttl", "64"},
	{"tunnel", "add", "t1", "mode", "gre", "remote", "198.18.0.2", "key", "5", "seq", "csum", "tos", "inherit/0x10", "nopmtudisc"},
	{"tunnel", "add", "t1", "mode", "gre", "ikey", "1.2.3.4", "okey", "7", "iseq", "oseq", "icsum", "ocsum", "dev", "v0", "tos", "0x8"},
	{"tunnel", "add", "t1", "mode", "gre/ip", "remote", "any", "local", "any", "hoplimit", "inherit", "pmtudisc"},
	{"tunnel", "add", "t1", "mode", "ipip", "remote", "198.18.0.2", "ttl", "9", "tclass", "inherit"},
	{"tunnel", "add", "t1", "mode", "ip/ip", "dsfield", "0x10", "hlim", "5"},
	{"tunnel", "add", "t1", "mode", "sit", "remote", "198.18.0.2"},
	{"tunnel", "add", "t1", "mode", "ipv6/ip", "local", "198.18.0.1"},
	{"tunnel", "add", "t1", "mode", "isatap"},
	{"tunnel", "add", "t1", "mode", "vti", "remote", "198.18.0.2", "key", "5"},
	{"tunnel", "add", "name", "gre5", "remote", "198.18.0.2"},
	{"tunnel", "add", "vti5"},
	{"tunnel", "add", "sit5"},
	{"tunnel", "add", "isatap5"},
	{"tunnel", "add", "ipip5"},
	{"tunnel", "add", "mode", "gre", "remote", "198.18.0.2"},
	{"tunnel", "add", "t1"},
	{"tunnel", "add", "t1", "mode", "foo"},
	{"tunnel", "add", "t1", "mode", "gre", "mode", "ipip"},
	{"tunnel", "add", "t1", "mode", "gre", "remote", "198.18.0.2", "bogus"},
	{"tunnel", "add", "t1", "mode", "gre", "remote", "2001:db8::2"},
	{"tunnel", "add", "t1", "mode", "gre", "remote", "224.1.1.1"},
	{"tunnel", "add", "t1", "mode", "gre", "ttl", "5", "nopmtudisc"},
	{"tunnel", "add", "t1", "mode", "gre", "ttl", "300"},
	{"tunnel", "add", "t1", "mode", "gre", "tos", "zz"},
	{"tunnel", "add", "t1", "mode", "gre", "key", "x"},
	{"tunnel", "add", "t1", "mode", "ipip", "key", "5"},
	{"tunnel", "add", "t1", "mode", "gre", "dev", "nosuch"},
	{"tunnel", "add", "t1", "mode", "gre", "remote"},
	{"tunnel", "add", "t1", "mode", "ip6gre", "remote", "2001:db8::2"},
	{"tunnel", "change", "t1", "mode", "gre"},
	{"tunnel", "change", "t1", "ttl", "4"},
	{"tunnel", "del", "t1"},
	{"tunnel", "del", "t1", "mode", "gre"},
	{"tunnel", "show"},
	{"tunnel"},
	{"tunnel", "show", "t1"},
	{"tunnel", "show", "gre0"},
	{"tunnel", "show", "mode", "sit"},
	{"tunnel", "show", "dev", "v0"},
	{"tunnel", "show", "dev", "nosuch"},
	{"tunnel", "list", "remote", "198.18.0.2"},
	{"-s", "tunnel", "show"},
	{"tunnel", "prl"},
	{"tunnel", "prl", "dev", "t1", "prl-default", "1.2.3.4"},
	{"tunnel", "prl", "dev", "t1", "prl-default", "1.2.3.4", "prl-delete", "1.2.3.5"},
	{"tunnel", "prl", "dev", "t1", "bogus"},
	{"tunnel", "6rd", "dev", "t1", "6rd-prefix", "2001:db8::/32"},
	{"tunnel", "6rd", "dev", "t1", "6rd-reset"},
	{"tunnel", "6rd", "dev", "t1", "6rd-relay_prefix", "198.18.0.0/15"},
	{"tunnel", "6rd", "6rd-prefix", "2001:db8::/32"},
	{"tunnel", "6rd", "dev", "t1", "bogus"},
	{"tunnel", "help"},
	{"tunnel", "frobnicate"},
	{"tunl", "show"},
	{"-j", "tunnel", "show"},
	{"-j", "-p", "tunnel"},
	{"-j", "-6", "tunnel", "show"},
	{"-6", "tunnel", "add", "t1", "mode", "ip6ip6", "remote", "2001:db8::2", "local", "2001:db8::1"},
	{"-6", "tunnel", "add", "t1", "mode", "ipip6", "encaplimit", "none", "hoplimit", "9", "tclass", "0x20", "flowlabel", "0x345"},
	{"-6", "tunnel", "add", "t1", "mode", "any", "dscp", "inherit", "allow-localremote", "fwmark", "7", "dev", "v0"},
	{"-6", "tunnel", "add", "t1", "mode", "ip6gre", "remote", "2001:db8::2", "key", "5", "seq", "csum"},
	{"-6", "tunnel", "add", "t1", "mode", "vti6", "remote", "2001:db8::2", "ikey", "3", "okey", "4"},
	{"-6", "tunnel", "add", "t1"},
	{"-6", "tunnel", "add", "t1", "mode", "sit"},
	{"-6", "tunnel", "add", "t1", "remote", "198.18.0.2"},
	{"-6", "tunnel", "show"},
	{"-6", "tunnel", "show", "t1"},
	{"-6", "tunnel", "del", "t1"},
	{"-6", "tunnel", "change", "t1", "hoplimit", "5"},
	{"-6", "tunnel", "help"},
	{"-6", "tunnel", "prl"},
	{"tunnel", "add", "t1", "mode", "ip6ip6", "remote", "2001:db8::2"},
}

// TestTunnelLikeIP: ip tunnel and ip -6 tunnel against nl's on this
// kernel: standard output, standard error and exit status.
func TestTunnelLikeIP(t *testing.T) {
	_, name, _ := rtNS(t)
	for _, line := range tunnelCommandLines {
		ipOut, ipErr, ipCode := ipResult(t, name, line...)
		nlOut, nlErr, nlCode := runAs(t, "ip", append([]string{"-n", name}, line...)...)
		if ipOut != nlOut || ipErr != nlErr || ipCode != nlCode {
			t.Errorf("%q:\n ip: exit %d, stderr %q, stdout %q\n nl: exit %d, stderr %q, stdout %q", line,
				ipCode, ipErr, ipOut, nlCode, nlErr, nlOut)
		}
	}
}

// TestTunnelAddLikeLinkAdd: nl tunnel add sends the RTM_NEWLINK that ip
// link add sends for the same tunnel (nl's choice: netlink in place of
// ip's ioctls), captured with strace, attribute by attribute.
func TestTunnelAddLikeLinkAdd(t *testing.T) {
	strace := kerneltest.Tool(t, "strace", "strace")
	nl := filepath.Join(t.TempDir(), "nl")
	if out, err := exec.Command("go", "build", "-o", nl, "../../cmd/nl").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	_, a, _ := rtNS(t)
	_, b, _ := rtNS(t)
	dir := t.TempDir()
	nested := map[string]int{"/18": 0, "/18/2": 0}
	for _, tc := range []struct{ tunnel, link string }{
		{"tunnel add T mode gre remote 198.18.0.2 local 198.18.0.1 ttl 64", "link add T type gre remote 198.18.0.2 local 198.18.0.1 ttl 64"},
		{"tunnel add T mode gre key 5 seq ocsum dev v0 tos 0x10 nopmtudisc", "link add T type gre key 5 seq ocsum dev v0 tos 0x10 nopmtudisc"},
		{"tunnel add T mode gre remote 224.1.1.1 local 198.18.0.1", "link add T type gre remote 224.1.1.1 local 198.18.0.1"},
		{"tunnel add T mode ipip remote 198.18.0.2 ttl 9", "link add T type ipip mode ipip remote 198.18.0.2 ttl 9"},
		{"tunnel add T mode sit remote 198.18.0.2 tos inherit", "link add T type sit mode ip6ip remote 198.18.0.2 tos inherit"},
		{"tunnel add T mode isatap local 198.18.0.1", "link add T type sit mode ip6ip local 198.18.0.1 isatap"},
		{"tunnel add T mode vti remote 198.18.0.2 ikey 5 okey 6", "link add T type vti remote 198.18.0.2 ikey 5 okey 6"},
		{"-6 tunnel add T mode ip6ip6 remote 2001:db8::2 encaplimit none flowlabel 0x345", "link add T type ip6tnl mode ip6ip6 remote 2001:db8::2 encaplimit none flowlabel 0x345"},
		{"-6 tunnel add T remote 2001:db8::2", "link add T type ip6tnl mode ip6ip6 remote 2001:db8::2"},
		{"-6 tunnel add T mode any hoplimit 5 tclass inherit dscp inherit", "link add T type ip6tnl mode any hoplimit 5 tclass inherit dscp inherit"},
		{"-6 tunnel add T mode ip6gre remote 2001:db8::2 key 7 allow-localremote", "link add T type ip6gre remote 2001:db8::2 key 7 allow-localremote"},
		{"-6 tunnel add T mode vti6 remote 2001:db8::2 key 3", "link add T type vti6 remote 2001:db8::2 key 3"},
	} {
		ipLog, _ := straceRun(t, strace, "sendmsg", filepath.Join(dir, "ip.log"), append([]string{"ip", "-n", a}, strings.Fields(tc.link)...))
		nlLog, nlOut := straceRun(t, strace, "write", filepath.Join(dir, "nl.log"), append([]string{nl, "-n", b}, strings.Fields(tc.tunnel)...))
		ipFlags, ipReq := newlinkRequest(t, ipLog)
		nlFlags, nlReq := newlinkRequest(t, nlLog)
		if len(ipReq) < 16 || len(nlReq) < 16 {
			t.Fatalf("%s: short requests %x %x", tc.tunnel, ipReq, nlReq)
		}
		ipAttrs := strings.Join(canonAttrs(ipReq[16:], "", nested), "\n")
		nlAttrs := strings.Join(canonAttrs(nlReq[16:], "", nested), "\n")
		if ipFlags != nlFlags || string(ipReq[:16]) != string(nlReq[:16]) || ipAttrs != nlAttrs {
			t.Errorf("%s:\n ip link: flags %#x ifinfomsg %x\n%s\n nl tunnel: flags %#x ifinfomsg %x\n%s", tc.tunnel, ipFlags,
				ipReq[:16], ipAttrs, nlFlags, nlReq[:16], nlAttrs)
		}
		if !strings.Contains(nlOut, `add tunnel "`) || !strings.Contains(nlOut, `failed: No such device`) {
			t.Errorf("%s: %s", tc.tunnel, nlOut)
		}
	}
}

// TestTunnelShowDecode: tunnel show's lines for tunnel links as the
// kernel reports them (this kernel cannot make them), in the words of
// ip's print_tunnel (iptunnel.c, ip6tunnel.c).
func TestTunnelShowDecode(t *testing.T) {
	e := &env{indexes: map[int32]string{3: "v0"}, names: map[string]int32{"v0": 3}}
	addr := netip.MustParseAddr
	for _, tc := range []struct {
		link rtnl.Link
		six  bool
		want string
	}{
		{rtnl.Link{Name: "gre0", Kind: "gre", Type: rtnl.LinkTypeIPGRE, Info: &rtnl.Gre{Kind: "gre", TTL: new(uint8(0)),
			PMTUDisc: new(false), IKey: new(uint32(0)), OKey: new(uint32(0))}}, false,
			"gre0: gre/ip remote any local any ttl inherit nopmtudisc"},
		{rtnl.Link{Name: "gre1", Kind: "gre", Type: rtnl.LinkTypeIPGRE, Info: &rtnl.Gre{Kind: "gre", Remote: addr("198.18.0.2"),
			Local: addr("198.18.0.1"), TTL: new(uint8(64)), PMTUDisc: new(true), Device: new(int32(3)), TOS: new(uint8(0x11)),
			IFlags: new(rtnl.GreKey | rtnl.GreSeq), OFlags: new(rtnl.GreKey | rtnl.GreCsum), IKey: new(uint32(5)), OKey: new(uint32(5))}}, false,
			"gre1: gre/ip remote 198.18.0.2 local 198.18.0.1 dev v0 ttl 64 tos inherit/" + dsfieldName(0x10) + " key 5\n" +
				"  Drop packets out of sequence.\n  Checksum output packets."},
		{rtnl.Link{Name: "gre2", Kind: "gre", Type: rtnl.LinkTypeIPGRE, Info: &rtnl.Gre{Kind: "gre", TOS: new(uint8(0x10)),
			PMTUDisc: new(true), IFlags: new(rtnl.GreKey), OFlags: new(rtnl.GreKey), IKey: new(uint32(5)), OKey: new(uint32(6))}}, false,
			"gre2: gre/ip remote any local any ttl inherit tos " + dsfieldName(0x10) + " ikey 5 okey 6"},
		{rtnl.Link{Name: "tunl0", Kind: "ipip", Type: rtnl.LinkTypeTunnel, Info: &rtnl.IPTunnel{Kind: "ipip", Proto: new(uint8(0)),
			PMTUDisc: new(false), TTL: new(uint8(0))}}, false, "tunl0: any/ip remote any local any ttl inherit nopmtudisc"},
		{rtnl.Link{Name: "ipip1", Kind: "ipip", Type: rtnl.LinkTypeTunnel, Info: &rtnl.IPTunnel{Kind: "ipip", Proto: new(uint8(4)),
			PMTUDisc: new(true), TTL: new(uint8(9)), Remote: addr("198.18.0.2"), TOS: new(uint8(1))}}, false,
			"ipip1: ip/ip remote 198.18.0.2 local any ttl 9 tos inherit"},
		{rtnl.Link{Name: "sit0", Kind: "sit", Type: rtnl.LinkTypeSIT, Info: &rtnl.IPTunnel{Kind: "sit", Proto: new(uint8(41)),
			PMTUDisc: new(false), TTL: new(uint8(64)), SixRDPrefix: addr("2002::"), SixRDPrefixLen: new(uint16(16)),
			SixRDRelayPrefix: addr("0.0.0.0"), SixRDRelayPrefixLen: new(uint16(0))}}, false,
			"sit0: ipv6/ip remote any local any ttl 64 nopmtudisc 6rd-prefix 2002::/16"},
		{rtnl.Link{Name: "sit1", Kind: "sit", Type: rtnl.LinkTypeSIT, Info: &rtnl.IPTunnel{Kind: "sit", Proto: new(uint8(41)),
			PMTUDisc: new(true), Local: addr("198.18.0.1"), SixRDPrefix: addr("2001:db8::"), SixRDPrefixLen: new(uint16(32)),
			SixRDRelayPrefix: addr("198.18.0.0"), SixRDRelayPrefixLen: new(uint16(15))}}, false,
			"sit1: ipv6/ip remote any local 198.18.0.1 ttl inherit 6rd-prefix 2001:db8::/32 6rd-relay_prefix 198.18.0.0/15"},
		{rtnl.Link{Name: "vti1", Kind: "vti", Type: rtnl.LinkTypeTunnel, Info: &rtnl.Vti{Kind: "vti", Remote: addr("198.18.0.2"),
			IKey: new(uint32(5)), OKey: new(uint32(5))}}, false, "vti1: ip/ip remote 198.18.0.2 local any ttl inherit nopmtudisc"},
		// Not listed by ip tunnel: Ethernet-type kinds, and the other
		// family's.
		{rtnl.Link{Name: "gt1", Kind: "gretap", Type: rtnl.LinkTypeEther, Info: &rtnl.Gre{Kind: "gretap"}}, false, ""},
		{rtnl.Link{Name: "t6", Kind: "ip6tnl", Type: rtnl.LinkTypeTunnel6, Info: &rtnl.IPTunnel{Kind: "ip6tnl"}}, false, ""},
		{rtnl.Link{Name: "gre0", Kind: "gre", Type: rtnl.LinkTypeIPGRE, Info: &rtnl.Gre{Kind: "gre", TTL: new(uint8(0))}}, true, ""},
		{rtnl.Link{Name: "ip6tnl0", Kind: "ip6tnl", Type: rtnl.LinkTypeTunnel6, Info: &rtnl.IPTunnel{Kind: "ip6tnl", Proto: new(uint8(41)),
			TTL: new(uint8(0)), EncapLimit: new(uint8(0)), FlowInfo: new(uint32(0)), Flags: new(uint32(0))}}, true,
			"ip6tnl0: ipv6/ipv6 remote :: local :: encaplimit 0 hoplimit inherit tclass 0x00 flowlabel 0x00000 (flowinfo 0x00000000)"},
		{rtnl.Link{Name: "t6", Kind: "ip6tnl", Type: rtnl.LinkTypeTunnel6, Info: &rtnl.IPTunnel{Kind: "ip6tnl", Proto: new(uint8(4)),
			Remote: addr("2001:db8::2"), Local: addr("2001:db8::1"), Device: new(int32(3)), TTL: new(uint8(64)), EncapLimit: new(uint8(4)),
			FlowInfo: new(uint32(0x02012345)), Flags: new(uint32(rtnl.IP6TunnelRcvDscpCopy | rtnl.IP6TunnelAllowLocalRemote))}}, true,
			"t6: ip/ipv6 remote 2001:db8::2 local 2001:db8::1 dev v0 encaplimit 4 hoplimit 64 tclass 0x20 flowlabel 0x12345 " +
				"(flowinfo 0x02012345) dscp inherit allow-localremote"},
		{rtnl.Link{Name: "t6b", Kind: "ip6tnl", Type: rtnl.LinkTypeTunnel6, Info: &rtnl.IPTunnel{Kind: "ip6tnl", Proto: new(uint8(0)),
			TTL: new(uint8(0)), FlowInfo: new(uint32(0)),
			Flags: new(uint32(rtnl.IP6TunnelIgnoreEncapLimit | rtnl.IP6TunnelUseOrigTClass | rtnl.IP6TunnelUseOrigFlowLabel))}}, true,
			"t6b: any/ipv6 remote :: local :: encaplimit none hoplimit inherit tclass inherit flowlabel inherit (flowinfo 0x00000000)"},
		{rtnl.Link{Name: "g6", Kind: "ip6gre", Type: rtnl.LinkTypeIP6GRE, Info: &rtnl.Gre{Kind: "ip6gre", Remote: addr("2001:db8::2"),
			TTL: new(uint8(64)), EncapLimit: new(uint8(4)), FlowInfo: new(uint32(0)), Flags: new(rtnl.IP6TunnelFlags(0)),
			IFlags: new(rtnl.GreKey), OFlags: new(rtnl.GreKey | rtnl.GreSeq), IKey: new(uint32(3)), OKey: new(uint32(4))}}, true,
			"g6: gre/ipv6 remote 2001:db8::2 local :: encaplimit 4 hoplimit 64 tclass 0x00 flowlabel 0x00000 (flowinfo 0x00000000)" +
				" ikey 3 okey 4\n  Sequence packets on output."},
		{rtnl.Link{Name: "v6", Kind: "vti6", Type: rtnl.LinkTypeTunnel6, Info: &rtnl.Vti{Kind: "vti6", Remote: addr("2001:db8::2")}}, true,
			"v6: ipv6/ipv6 remote 2001:db8::2 local :: encaplimit 0 hoplimit inherit tclass 0x00 flowlabel 0x00000 (flowinfo 0x00000000)"},
	} {
		p, ok := tunnelParamsOf(&tc.link, tc.six)
		got := ""
		if ok {
			got = p.text(t.Context(), e, tc.six)
		}
		if got != tc.want {
			t.Errorf("%s (six %v):\n got %q\nwant %q", tc.link.Name, tc.six, got, tc.want)
		}
	}
	// JSON: ip's keys (print_tunnel's PRINT_ANY and PRINT_JSON).
	ej := &env{indexes: e.indexes, names: e.names}
	ej.opts.JSON = true
	for _, tc := range []struct {
		link rtnl.Link
		six  bool
		want string
	}{
		{rtnl.Link{Name: "gre1", Kind: "gre", Type: rtnl.LinkTypeIPGRE, Info: &rtnl.Gre{Kind: "gre", Remote: addr("198.18.0.2"),
			TTL: new(uint8(64)), PMTUDisc: new(false), Device: new(int32(3)), TOS: new(uint8(0x21)),
			IFlags: new(rtnl.GreKey | rtnl.GreSeq), OFlags: new(rtnl.GreKey), IKey: new(uint32(5)), OKey: new(uint32(5))}}, false,
			`{"ifname":"gre1","mode":"gre/ip","remote":"198.18.0.2","local":"0.0.0.0","dev":"v0","ttl":64,"tos":"` +
				dsfieldName(0x21) + `","nopmtudisc":null,"key":5,"flags":["rx_drop_ooseq"]}`},
		{rtnl.Link{Name: "sit1", Kind: "sit", Type: rtnl.LinkTypeSIT, Info: &rtnl.IPTunnel{Kind: "sit", Proto: new(uint8(41)),
			PMTUDisc: new(true), SixRDPrefix: addr("2001:db8::"), SixRDPrefixLen: new(uint16(32)),
			SixRDRelayPrefix: addr("198.18.0.0"), SixRDRelayPrefixLen: new(uint16(15))}}, false,
			`{"ifname":"sit1","mode":"ipv6/ip","remote":"0.0.0.0","local":"0.0.0.0","6rd-prefix":"2001:db8::","6rd-prefixlen":32,` +
				`"6rd-relay_prefix":"198.18.0.0","6rd-relay_prefixlen":15}`},
		{rtnl.Link{Name: "t6", Kind: "ip6tnl", Type: rtnl.LinkTypeTunnel6, Info: &rtnl.IPTunnel{Kind: "ip6tnl", Proto: new(uint8(41)),
			Remote: addr("2001:db8::2"), TTL: new(uint8(0)), EncapLimit: new(uint8(4)), FlowInfo: new(uint32(0x00012345)),
			Flags: new(uint32(rtnl.IP6TunnelUseOrigTClass | rtnl.IP6TunnelAllowLocalRemote))}}, true,
			`{"ifname":"t6","mode":"ipv6/ipv6","remote":"2001:db8::2","local":"::","encap_limit":4,"ip6_tnl_f_use_orig_tclass":null,` +
				`"flowlabel":"0x12345","flowinfo":"0x00012345","ip6_tnl_f_allow_local_remote":null}`},
	} {
		p, ok := tunnelParamsOf(&tc.link, tc.six)
		if !ok {
			t.Fatalf("%s: not a tunnel", tc.link.Name)
		}
		b, _ := appendJSON(nil, p.format(t.Context(), ej, tc.six).obj)
		if string(b) != tc.want {
			t.Errorf("%s JSON:\n got %s\nwant %s", tc.link.Name, b, tc.want)
		}
	}
	// -s: the counters as ip's tnl_print_stats.
	p := tunnelParams{stats: rtnl.LinkStats64{RxPackets: 1, RxBytes: 2, RxErrors: 3, RxFrameErrors: 4, RxFIFOErrors: 5,
		Multicast: 6, TxPackets: 7, TxBytes: 8, TxErrors: 9, Collisions: 10, TxCarrierErrors: 11, TxDropped: 12}}
	want := "\nRX: Packets    Bytes        Errors CsumErrs OutOfSeq Mcasts\n" +
		"    1          2            3      4        5        6       \n" +
		"TX: Packets    Bytes        Errors DeadLoop NoRoute  NoBufs\n" +
		"    7          8            9      10       11       12    "
	if got := p.statsText(); got != want {
		t.Errorf("stats:\n%q\nwant\n%q", got, want)
	}
}

// TestTunnelSetFromCurrent: link set ... type KIND WORDS (and tunnel
// change) starts from what the kernel reports for the tunnel and changes
// what the words say, as ip's parsers do; a link without tunnel settings
// is ip's "Failed to get existing tunnel info.".
func TestTunnelSetFromCurrent(t *testing.T) {
	addr := netip.MustParseAddr
	cur := &rtnl.Gre{Kind: "gre", Device: new(int32(3)), IFlags: new(rtnl.GreKey), OFlags: new(rtnl.GreKey), IKey: new(uint32(5)),
		OKey: new(uint32(5)), Local: addr("198.18.0.1"), Remote: addr("198.18.0.2"), TTL: new(uint8(64)), TOS: new(uint8(0)),
		PMTUDisc: new(true), Fwmark: new(uint32(9)), IgnoreDF: new(false)}
	s := newTunnelState("gre")
	if err := s.load(cur); err != nil {
		t.Fatal(err)
	}
	if err := s.apply([]string{"ttl", "9", "nokey", "ocsum"}); err != nil {
		t.Fatal(err)
	}
	got := s.info().(*rtnl.Gre)
	want := &rtnl.Gre{Kind: "gre", Device: new(int32(3)), IFlags: new(rtnl.GreFlags(0)), OFlags: new(rtnl.GreCsum),
		IKey: new(uint32(0)), OKey: new(uint32(0)), Local: addr("198.18.0.1"), Remote: addr("198.18.0.2"), TTL: new(uint8(9)),
		TOS: new(uint8(0)), PMTUDisc: new(true), Fwmark: new(uint32(9)), Encap: rtnl.TunnelEncap{Type: new(rtnl.TunnelEncapNone),
			Flags: new(rtnl.TunnelEncapFlags(0)), SrcPort: new(uint16(0)), DstPort: new(uint16(0))}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("gre set:\n got %+v\nwant %+v", got, want)
	}
	// sit: the 6rd prefix kept, the mode changed.
	s = newTunnelState("sit")
	if err := s.load(&rtnl.IPTunnel{Kind: "sit", Proto: new(uint8(41)), SixRDPrefix: addr("2001:db8::"),
		SixRDPrefixLen: new(uint16(32)), TTL: new(uint8(64)), PMTUDisc: new(true)}); err != nil {
		t.Fatal(err)
	}
	if err := s.apply([]string{"mode", "any"}); err != nil {
		t.Fatal(err)
	}
	st := s.info().(*rtnl.IPTunnel)
	if *st.Proto != 0 || st.SixRDPrefix != addr("2001:db8::") || *st.SixRDPrefixLen != 32 || *st.TTL != 64 {
		t.Errorf("sit set: %+v", st)
	}
	// No tunnel settings to start from.
	for _, info := range []rtnl.LinkInfo{&rtnl.Gre{Kind: "gre"}, &rtnl.Veth{}, nil, &rtnl.Vti{Kind: "vti6"}} {
		if err := newTunnelState("gre").load(info); err == nil || err.Error() != "Failed to get existing tunnel info." {
			t.Errorf("%T: %v", info, err)
		}
	}
}
