//go:build linux

package fuzz

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nlkit/nlkit/genl"
	"github.com/nlkit/nlkit/internal/fuzz/corpus"
	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/netns"
	"github.com/nlkit/nlkit/nlattr"
)

// recordEnv must be "1" for TestRecordFuzzSeeds to run.
const recordEnv = "NLKIT_RECORD_FUZZ_SEEDS"

// moduleRoot is the module's root relative to this package's directory.
const moduleRoot = "../.."

// targets lists every fuzz target that gets recorded seeds: its package
// directory and the most seeds it keeps. Recorded inputs are
// deduplicated by content and, for dumps of many objects, by shape (the
// fixed header's kind fields and the attribute types present), so the
// limits rarely bind.
var targets = map[string]struct {
	pkg   string
	limit int
}{
	"FuzzParseMessages":  {"netlink", 16},
	"FuzzParseAck":       {"netlink", 40},
	"FuzzParseDone":      {"netlink", 24},
	"FuzzDecoder":        {"nlattr", 32},
	"FuzzDecodeLink":     {"rtnl", 32},
	"FuzzDecodeAddress":  {"rtnl", 24},
	"FuzzDecodeNeighbor": {"rtnl", 24},
	"FuzzDecodeRoute":    {"rtnl", 40},
	"FuzzDecodeRule":     {"rtnl", 24},
	"FuzzFamily":         {"genl", 32},
	"FuzzPolicy":         {"genl", 32},
	"FuzzAttrSet":        {"genl", 24},
	"FuzzDevice":         {"genl/netdev", 16},
	"FuzzBitset":         {"genl/ethtool", 24},
	"FuzzLinkModes":      {"genl/ethtool", 16},
	"FuzzLinkInfo":       {"genl/ethtool", 16},
	"FuzzChannels":       {"genl/ethtool", 16},
	"FuzzRings":          {"genl/ethtool", 16},
	"FuzzFeatures":       {"genl/ethtool", 12},
	"FuzzEntry":          {"genl/tcpmetrics", 16},
	"FuzzEndpoint":       {"genl/mptcp", 16},
	"FuzzEvent":          {"genl/mptcp", 32},
}

// Sizes the targets accept (see their fuzz tests): FuzzParseMessages
// ignores inputs over 1024 bytes, the acknowledgement targets slices over
// 512.
const (
	maxDatagram = 1024
	maxAckSlice = 512
)

// TestRecordFuzzSeeds records the seed corpora; see the package comment.
func TestRecordFuzzSeeds(t *testing.T) {
	if os.Getenv(recordEnv) != "1" {
		t.Skipf("set %s=1 (as root) to record the fuzz seeds from the kernel", recordEnv)
	}
	if binary.NativeEndian.Uint16([]byte{1, 0}) != 1 {
		t.Skip("the seeds are recorded on little-endian machines, like the ones in the fuzz tests")
	}
	kerneltest.Require(t)
	ns := kerneltest.NetNS(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	r := &recorder{t: t, ctx: ctx, ns: ns, w: make(map[string]*corpus.Writer)}
	for name, tg := range targets {
		w, err := corpus.NewWriter(filepath.Join(moduleRoot, tg.pkg, corpus.Dir(name)), tg.limit)
		if err != nil {
			t.Fatal(err)
		}
		r.w[name] = w
	}
	populate(t, ns)

	rt := r.dial(unix.NETLINK_ROUTE, netlink.Config{})
	r.moveToOtherNS(rt, "x1", kerneltest.NetNS(t))
	r.addressWithProto(rt)
	r.routeDumps(rt)
	r.routeErrors()

	g := r.dial(unix.NETLINK_GENERIC, netlink.Config{})
	fams := r.families(g)
	r.policies(g, fams)
	r.netdev(g, fams)
	r.ethtool(g, fams)
	r.tcpMetrics(g, fams)
	r.mptcp(g, fams)
	r.genlErrors(fams)

	names := slices.Sorted(func(yield func(string) bool) {
		for n := range targets {
			if !yield(n) {
				return
			}
		}
	})
	for _, n := range names {
		t.Logf("%-16s %-20s %3d seeds", targets[n].pkg, n, r.w[n].Len())
		if r.w[n].Len() == 0 {
			t.Errorf("%s: no seed recorded", n)
		}
	}
}

// populate fills ns with objects of every kind the decoders know, using
// iproute2 (run inside ns by kerneltest.Run; the host is never touched).
// Only addresses from 198.18.0.0/15 and 2001:db8::/32 are used.
func populate(t *testing.T, ns *netns.NS) {
	t.Helper()
	for _, line := range strings.Split(strings.TrimSpace(setup), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		args := strings.Fields(line)
		kerneltest.Run(t, ns, args[0], args[1:]...)
	}
}

// setup is run line by line by populate. The kernel here has no vlan,
// dummy or bond modules and no bridge VLAN filtering.
const setup = `
# Links: veth pairs, a bridge with two ports, macvlan, macvtap, vxlan over
# IPv4 and IPv6 and in external mode, ifb, tun and tap, a veth whose peer
# goes to another namespace (moved later, over netlink).
ip link add v0 address 02:00:00:00:00:01 type veth peer name v1 address 02:00:00:00:00:02
ip link add br0 address 02:00:00:00:00:10 type bridge mcast_stats_enabled 1 stp_state 0 forward_delay 400 hello_time 300 max_age 2000 ageing_time 30000 mcast_snooping 1 mcast_querier 1
ip link add v2 address 02:00:00:00:00:03 type veth peer name v3 address 02:00:00:00:00:04
ip link set v1 master br0
ip link set v3 master br0
ip link set v3 type bridge_slave cost 7 priority 5 guard on hairpin on learning off flood off mcast_flood on neigh_suppress on
ip link add mv0 link v0 address 02:00:00:00:00:05 type macvlan mode bridge
ip link add mv1 link v0 address 02:00:00:00:00:0b type macvlan mode private
ip link add mvt0 link v0 address 02:00:00:00:00:06 type macvtap mode vepa
ip link add vx4 address 02:00:00:00:00:07 type vxlan id 42 remote 198.18.9.2 local 198.18.0.1 dstport 4789 ttl 64 tos inherit srcport 5000 6000 dev v0 learning
ip link add vx6 address 02:00:00:00:00:08 type vxlan id 43 remote 2001:db8::2 local 2001:db8::1 dstport 4789 nolearning udp6zerocsumtx udp6zerocsumrx
ip link add vxe address 02:00:00:00:00:0a type vxlan external dstport 4790
ip link add ifb0 address 02:00:00:00:00:09 type ifb
ip tuntap add dev tp0 mode tap user 1000 group 1000
ip tuntap add dev tn0 mode tun multi_queue vnet_hdr
ip link add x0 address 02:00:00:00:00:0c type veth peer name x1
ip link set dev v0 alias uplink group 5 txqueuelen 500 mtu 1400
ip link property add dev v0 altname uplink0
ip link set dev br0 up
ip link set dev v1 up
ip link set dev v3 up
ip link set dev v2 up
ip link set dev v0 up
ip link set dev mv0 up
ip link set dev vx4 up
ip link set dev vxe up
ip link set dev ifb0 up

# Addresses: broadcast and label, noprefixroute with lifetimes and metric,
# peer, several on one link, scope link, IPv6 nodad/peer/lifetimes/
# mngtmpaddr/optimistic (and link-local ones from the links being up).
ip addr add 198.18.0.1/24 brd + dev v0 label v0:web
ip addr add 198.18.1.1/24 dev v0 noprefixroute valid_lft 600 preferred_lft 300 metric 20
ip addr add 198.18.5.1 peer 198.18.6.1/24 dev v0
ip addr add 198.18.2.1/24 dev br0
ip addr add 198.18.2.2/24 dev br0
ip addr add 198.18.3.1/32 dev mv0 scope link
ip -6 addr add 2001:db8::1/64 dev v0 nodad
ip -6 addr add 2001:db8:5::1 peer 2001:db8:6::1/64 dev v0 nodad
ip -6 addr add 2001:db8:7::1/64 dev v0 valid_lft 1000 preferred_lft 500 nodad noprefixroute
ip -6 addr add 2001:db8:2::1/64 dev br0 nodad mngtmpaddr
ip -6 addr add 2001:db8:8::1/64 dev mv0 optimistic

# Routes: metrics, onlink default, multipath, RTA_VIA, src/realm/tos,
# blackhole/unreachable/prohibit/throw in table 1000, multicast/broadcast/
# local/anycast in table 100, nexthop objects and groups, lightweight
# tunnel encap, IPv6 multipath/link-local gateway/pref/expires/source.
ip route add 198.18.5.0/24 via 198.18.0.2 dev v0 proto static metric 7 mtu lock 1400 advmss 1300 window 65535 rtt 10ms rttvar 5ms initcwnd 10 initrwnd 20 quickack 1 congctl cubic features ecn
ip route add default via 198.18.0.2 dev v0 onlink
ip route add 198.18.7.0/24 nexthop via 198.18.0.2 weight 3 nexthop via 198.18.0.3 weight 1
ip route add 198.18.8.0/24 via inet6 2001:db8::2 dev v0
ip route add 198.18.14.0/24 via 198.18.0.2 src 198.18.0.1 realm 5 tos 0x10
ip route add blackhole 198.18.6.0/24 table 1000
ip route add unreachable 198.18.10.0/24 table 1000
ip route add prohibit 198.18.11.0/24 table 1000
ip route add throw 198.18.12.0/24 table 1000
ip route add 198.18.15.0/24 dev br0 table 100 scope link proto kernel
ip route add multicast 239.1.0.0/16 dev v0 table 100
ip route add broadcast 198.18.16.255 dev v0 table 100
ip route add local 198.18.17.0/24 dev lo table 100
ip route add anycast 198.18.19.0/24 dev v0 table 100
ip nexthop add id 10 via 198.18.0.2 dev v0
ip nexthop add id 11 via 198.18.0.3 dev v0
ip nexthop add id 12 group 10/11,2
ip nexthop add id 13 via 2001:db8::2 dev v0
ip route add 198.18.13.0/24 nhid 12
ip route add 198.18.20.0/24 encap ip id 7 dst 198.18.9.9 dev vxe
ip -6 route add 2001:db8:5::/64 nexthop via 2001:db8::2 dev v0 weight 2 nexthop via 2001:db8::3 dev v0
ip -6 route add 2001:db8:9::/64 via fe80::2 dev v0 metric 512 pref high
ip -6 route add 2001:db8:a::/64 via 2001:db8::2 dev v0 expires 300
ip -6 route add 2001:db8:b::/64 via 2001:db8::2 dev v0 mtu 1280 hoplimit 32 table 1000
ip -6 route add unreachable 2001:db8:c::/64 table 1000
ip -6 route add 2001:db8:d::/64 from 2001:db8::/64 via 2001:db8::2 dev v0
ip -6 route add 2001:db8:e::/64 nhid 13

# Rules: selectors of every kind, goto, blackhole/unreachable/prohibit,
# realms, tun_id, l3mdev (and the default rules of every family).
ip rule add pref 100 not from 198.18.0.0/24 to 198.18.1.0/24 fwmark 0x10/0xff iif v0 oif v1 lookup 100
ip -6 rule add pref 200 from 2001:db8::/32 ipproto tcp sport 1000 dport 80-90 uidrange 100-200 lookup 1000 suppress_prefixlength 0 proto static
ip rule add pref 300 tos 0x10 lookup 1000 suppress_ifgroup 3
ip rule add pref 310 goto 400
ip rule add pref 320 from 198.18.3.0/24 blackhole
ip rule add pref 330 to 198.18.4.0/24 unreachable
ip rule add pref 340 to 198.18.4.0/24 prohibit
ip rule add pref 400 realms 3/5 lookup main
ip rule add pref 410 tun_id 5 lookup 100
ip rule add pref 420 l3mdev
ip rule add pref 430 fwmark 0x20 table 1000 ipproto udp dport 53

# Neighbours: states, extern_learn, managed, router and protocol, proxy,
# bridge and vxlan FDB entries.
ip neigh replace 198.18.0.2 lladdr 02:00:00:00:01:01 dev v0 nud permanent
ip neigh replace 198.18.0.3 lladdr 02:00:00:00:01:02 dev v0 nud stale
ip neigh replace 198.18.0.4 lladdr 02:00:00:00:01:03 dev v0 nud reachable
ip neigh add 198.18.0.5 lladdr 02:00:00:00:01:07 dev v0 nud noarp
ip neigh add 198.18.0.6 lladdr 02:00:00:00:01:04 dev v0 extern_learn
ip neigh add 198.18.0.7 dev v0 managed
ip -6 neigh add 2001:db8::2 lladdr 02:00:00:00:01:05 dev v0 router nud permanent protocol bgp
ip -6 neigh add fe80::2 lladdr 02:00:00:00:01:06 dev v0 nud stale
ip neigh add proxy 198.18.0.9 dev v0
ip -6 neigh add proxy 2001:db8::9 dev v0
bridge fdb add 02:00:00:00:02:01 dev v3 master static
bridge fdb add 02:00:00:00:02:02 dev v3 master dynamic
bridge fdb append 00:00:00:00:00:00 dev vx4 dst 198.18.9.3 self permanent
bridge fdb append 00:00:00:00:00:00 dev vx4 dst 198.18.9.4 self permanent port 4790 vni 100
bridge fdb add 02:00:00:00:02:03 dev vx6 dst 2001:db8::3 self
bridge mdb add dev br0 port v3 grp 239.1.1.1 permanent

# MPTCP endpoints of every flag, with a port and a device.
ip mptcp limits set subflows 2 add_addr_accepted 2
ip mptcp endpoint add 198.18.0.1 id 1 signal
ip mptcp endpoint add 198.18.1.1 id 2 subflow backup dev v0
ip mptcp endpoint add 2001:db8::1 id 3 signal port 10010
ip mptcp endpoint add 198.18.2.1 id 4 subflow fullmesh
ip mptcp endpoint add 2001:db8:7::1 id 5 signal
`

// recorder writes what the kernel says into the targets' corpora.
type recorder struct {
	t   *testing.T
	ctx context.Context
	ns  *netns.NS
	w   map[string]*corpus.Writer
}

// add writes one seed of target.
func (r *recorder) add(target, label string, args ...any) {
	r.t.Helper()
	w := r.w[target]
	if w == nil {
		r.t.Fatalf("no target %s", target)
	}
	if _, err := w.Add(label, args...); err != nil {
		r.t.Fatal(err)
	}
}

// tap keeps copies of the messages a Conn sends and receives (its
// Config.Trace).
type tap struct {
	mu   sync.Mutex
	sent []netlink.Message
	recv []netlink.Message
}

func (tp *tap) trace(d netlink.Direction, m netlink.Message) {
	m.Data = bytes.Clone(m.Data)
	tp.mu.Lock()
	defer tp.mu.Unlock()
	if d == netlink.Sent {
		tp.sent = append(tp.sent, m)
	} else {
		tp.recv = append(tp.recv, m)
	}
}

// take returns and forgets what was traced so far.
func (tp *tap) take() (sent, recv []netlink.Message) {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	sent, recv = tp.sent, tp.recv
	tp.sent, tp.recv = nil, nil
	return sent, recv
}

type conn struct {
	*netlink.Conn
	tap *tap
}

// dial opens a socket of protocol proto in the namespace, traced.
func (r *recorder) dial(proto int, cfg netlink.Config) *conn {
	r.t.Helper()
	tp := new(tap)
	cfg.NetNS, cfg.Trace = r.ns, tp.trace
	c, err := netlink.Dial(proto, &cfg)
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { c.Close() })
	return &conn{c, tp}
}

// exchange is one request and every message the kernel answered with.
type exchange struct {
	req   []byte            // the request as sent: header and payload
	msgs  []netlink.Message // the replies before the end, with headers
	end   netlink.Message   // NLMSG_DONE or NLMSG_ERROR (Type 0 if none)
	err   error
	label string
}

// finish collects the traced messages of the request just made.
func (c *conn) finish(label string, err error) exchange {
	sent, recv := c.tap.take()
	x := exchange{err: err, label: label}
	if len(sent) != 1 {
		panic(fmt.Sprintf("%s: %d messages sent", label, len(sent)))
	}
	x.req, _ = netlink.AppendMessage(nil, sent[0].Header, sent[0].Data)
	for _, m := range recv {
		if m.Header.Sequence != sent[0].Header.Sequence {
			continue
		}
		switch m.Header.Type {
		case netlink.TypeDone, netlink.TypeError:
			x.end = m
		default:
			x.msgs = append(x.msgs, m)
		}
	}
	return x
}

// dump runs a dump request.
func (r *recorder) dump(c *conn, label string, typ netlink.MessageType, body []byte) exchange {
	var err error
	for _, e := range c.Dump(r.ctx, netlink.Message{Header: netlink.Header{Type: typ}, Data: body}) {
		if e != nil {
			err = e
		}
	}
	x := c.finish(label, err)
	if x.end.Header.Type == 0 {
		r.t.Fatalf("%s: no end of dump (%v)", label, err)
	}
	return x
}

// do runs a request that is acknowledged.
func (r *recorder) do(c *conn, label string, typ netlink.MessageType, flags netlink.Flags, body []byte) exchange {
	_, err := c.Execute(r.ctx, netlink.Message{Header: netlink.Header{Type: typ, Flags: flags}, Data: body})
	x := c.finish(label, err)
	if x.end.Header.Type == 0 {
		r.t.Fatalf("%s: no acknowledgement (%v)", label, err)
	}
	return x
}

// ends records the NLMSG_DONE or NLMSG_ERROR that ended x, and x's
// messages as datagrams (up to maxDatagram bytes each).
func (r *recorder) ends(x exchange, datagrams int) {
	r.t.Helper()
	if len(x.req) <= maxAckSlice && len(x.end.Data) <= maxAckSlice {
		switch x.end.Header.Type {
		case netlink.TypeError:
			r.add("FuzzParseAck", x.label, uint16(x.end.Header.Flags), x.end.Data, x.req)
		case netlink.TypeDone:
			r.add("FuzzParseDone", x.label, uint16(x.end.Header.Flags), x.end.Data, x.req)
		}
	}
	all := append(slices.Clone(x.msgs), x.end)
	for i := 0; i < len(all) && datagrams > 0; datagrams-- {
		var b []byte
		for ; i < len(all); i++ {
			n := netlink.Align(netlink.HeaderLen + len(all[i].Data))
			if len(b)+n > maxDatagram {
				break
			}
			b, _ = netlink.AppendMessage(b, all[i].Header, all[i].Data)
		}
		if len(b) == 0 {
			i++ // a message too big alone
			continue
		}
		r.add("FuzzParseMessages", x.label, b)
	}
}

// shape is a message's kind fields and the types of its top-level
// attributes, in order: two messages of one shape exercise mostly the
// same decoding.
func shape(b []byte, hdrLen int, kind ...int) string {
	var s strings.Builder
	for _, k := range kind {
		if k < len(b) {
			fmt.Fprintf(&s, "%d.", b[k])
		}
	}
	if len(b) < hdrLen {
		return s.String()
	}
	d := nlattr.NewDecoder(b[hdrLen:])
	for d.Next() {
		fmt.Fprintf(&s, "/%d", d.RawType())
	}
	return s.String()
}

// distinct returns the messages whose shape was not seen before.
func distinct(seen map[string]bool, msgs []netlink.Message, hdrLen int, kind ...int) []netlink.Message {
	var out []netlink.Message
	for _, m := range msgs {
		k := shape(m.Data, hdrLen, kind...)
		if !seen[k] {
			seen[k] = true
			out = append(out, m)
		}
	}
	return out
}

// attrString returns the string attribute typ of the attributes in b.
func attrString(b []byte, typ uint16) string {
	d := nlattr.NewDecoder(b)
	for d.Next() {
		if d.Type() == typ {
			return d.String()
		}
	}
	return ""
}

// label makes s usable in a file name.
func label(parts ...any) string {
	s := fmt.Sprint(parts...)
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '.':
			return r
		}
		return '-'
	}, s)
}

func enc(hdr []byte, attrs func(e *nlattr.Encoder)) []byte {
	e := nlattr.NewEncoder(hdr)
	if attrs != nil {
		attrs(e)
	}
	b, err := e.Finish()
	if err != nil {
		panic(err)
	}
	return b
}

// Route netlink message bodies.
func ifinfomsg(family uint8, index int32) []byte {
	b := make([]byte, 16)
	b[0] = family
	binary.NativeEndian.PutUint32(b[4:], uint32(index))
	return b
}

func ifaddrmsg(family, prefixLen uint8, index int32) []byte {
	b := []byte{family, prefixLen, 0, 0, 0, 0, 0, 0}
	binary.NativeEndian.PutUint32(b[4:], uint32(index))
	return b
}

func rtmsg(family, dstLen, table, protocol, scope, typ uint8) []byte {
	return []byte{family, dstLen, 0, 0, table, protocol, scope, typ, 0, 0, 0, 0}
}

func ndmsg(family uint8, index int32, flags uint8) []byte {
	b := make([]byte, 12)
	b[0] = family
	binary.NativeEndian.PutUint32(b[4:], uint32(index))
	b[10] = flags
	return b
}

func genlHdr(cmd, version uint8) []byte { return []byte{cmd, version, 0, 0} }

const (
	iflaIfname    = 3  // IFLA_IFNAME
	iflaMTU       = 4  // IFLA_MTU
	iflaExtMask   = 29 // IFLA_EXT_MASK
	iflaNetNSFD   = 28 // IFLA_NET_NS_FD
	rtextVF       = 1  // RTEXT_FILTER_VF
	rtextBrVLAN   = 2  // RTEXT_FILTER_BRVLAN
	rtextNoStats  = 8  // RTEXT_FILTER_SKIP_STATS
	ifaAddress    = 1  // IFA_ADDRESS
	ifaLocal      = 2  // IFA_LOCAL
	ifaCacheInfo  = 6  // IFA_CACHEINFO
	ifaFlags      = 8  // IFA_FLAGS
	ifaRtPriority = 9  // IFA_RT_PRIORITY
	ifaProto      = 11 // IFA_PROTO
	rtaDst        = 1  // RTA_DST
	rtaOif        = 4  // RTA_OIF
	rtaTable      = 15 // RTA_TABLE
	ntfProxy      = 8  // NTF_PROXY
)

// index returns the interface index of the link called name (a GET doit).
func (r *recorder) index(c *conn, name string) int32 {
	r.t.Helper()
	msgs, err := c.Execute(r.ctx, netlink.Message{Header: netlink.Header{Type: unix.RTM_GETLINK},
		Data: enc(ifinfomsg(0, 0), func(e *nlattr.Encoder) { e.String(iflaIfname, name); e.Uint32(iflaExtMask, rtextNoStats) })})
	c.tap.take()
	if err != nil || len(msgs) != 1 || len(msgs[0].Data) < 16 {
		r.t.Fatalf("link %s: %v", name, err)
	}
	return int32(binary.NativeEndian.Uint32(msgs[0].Data[4:]))
}

// moveToOtherNS moves the link name into other (IFLA_NET_NS_FD), so that
// its peer reports IFLA_LINK_NETNSID.
func (r *recorder) moveToOtherNS(c *conn, name string, other *netns.NS) {
	idx := r.index(c, name)
	x := r.do(c, "ack-newlink-netns", unix.RTM_NEWLINK, 0, enc(ifinfomsg(0, idx), func(e *nlattr.Encoder) {
		e.Uint32(iflaNetNSFD, uint32(other.Fd()))
	}))
	if x.err != nil {
		r.t.Fatal(x.err)
	}
	r.ends(x, 1)
}

// addressWithProto adds an address with what iproute2 6.1 cannot set
// (IFA_PROTO), then adds it again for an EEXIST.
func (r *recorder) addressWithProto(c *conn) {
	idx := r.index(c, "v0")
	body := enc(ifaddrmsg(unix.AF_INET, 24, idx), func(e *nlattr.Encoder) {
		a := netip.MustParseAddr("198.18.4.1")
		e.Addr(ifaLocal, a)
		e.Addr(ifaAddress, a)
		e.Uint8(ifaProto, 7)
		e.Uint32(ifaRtPriority, 30)
		e.Uint32(ifaFlags, unix.IFA_F_NOPREFIXROUTE)
		ci := make([]byte, 16)
		binary.NativeEndian.PutUint32(ci[0:], 300) // ifa_prefered
		binary.NativeEndian.PutUint32(ci[4:], 600) // ifa_valid
		e.Bytes(ifaCacheInfo, ci)
	})
	x := r.do(c, "ack-newaddr", unix.RTM_NEWADDR, netlink.Create|netlink.Excl, body)
	if x.err != nil {
		r.t.Fatal(x.err)
	}
	r.ends(x, 1)
	r.ends(r.do(c, "ack-newaddr-eexist", unix.RTM_NEWADDR, netlink.Create|netlink.Excl, body), 1)
}

// routeDumps dumps links, addresses, routes, rules and neighbours.
func (r *recorder) routeDumps(c *conn) {
	// Links: every link without statistics, a few with, and the bridge
	// ports' AF_BRIDGE view.
	seen := map[string]bool{}
	addLinks := func(x exchange, what string, stats func(name string) bool) {
		for _, m := range x.msgs {
			if len(m.Data) < 16 {
				continue
			}
			name := attrString(m.Data[16:], iflaIfname)
			if stats(name) && !seen[what+name] {
				seen[what+name] = true
				r.add("FuzzDecodeLink", label("link-", what, name), m.Data)
			}
		}
	}
	x := r.dump(c, "dump-link", unix.RTM_GETLINK, enc(ifinfomsg(0, 0), func(e *nlattr.Encoder) { e.Uint32(iflaExtMask, rtextVF|rtextNoStats) }))
	addLinks(x, "", func(string) bool { return true })
	r.ends(x, 1)
	r.attrs(x.msgs[:1], 16)
	x = r.dump(c, "dump-link-stats", unix.RTM_GETLINK, enc(ifinfomsg(0, 0), func(e *nlattr.Encoder) { e.Uint32(iflaExtMask, rtextVF) }))
	addLinks(x, "stats-", func(n string) bool { return n == "lo" || n == "v0" || n == "br0" || n == "x0" })
	r.ends(x, 0)
	x = r.dump(c, "dump-link-bridge", unix.RTM_GETLINK, enc(ifinfomsg(unix.AF_BRIDGE, 0), func(e *nlattr.Encoder) { e.Uint32(iflaExtMask, rtextBrVLAN) }))
	addLinks(x, "bridge-", func(string) bool { return true })
	r.ends(x, 1)
	r.attrs(x.msgs[:1], 16)

	// Addresses.
	x = r.dump(c, "dump-addr", unix.RTM_GETADDR, ifaddrmsg(0, 0, 0))
	for _, m := range distinct(map[string]bool{}, x.msgs, 8, 0, 2, 3) {
		fam := "inet"
		if m.Data[0] == unix.AF_INET6 {
			fam = "inet6"
		}
		r.add("FuzzDecodeAddress", label("addr-", fam), m.Data)
	}
	r.ends(x, 2)
	r.attrs(x.msgs, 8)

	// Routes of both families, every table.
	rseen := map[string]bool{}
	for _, fam := range []uint8{unix.AF_INET, unix.AF_INET6} {
		x = r.dump(c, label("dump-route-", routeFamily(fam)), unix.RTM_GETROUTE, rtmsg(fam, 0, 0, 0, 0, 0))
		for _, m := range distinct(rseen, x.msgs, 12, 0, 5, 6, 7, 8) {
			r.add("FuzzDecodeRoute", label("route-", routeFamily(m.Data[0]), "-", routeType(m.Data[7])), m.Data)
		}
		r.ends(x, 2)
		r.attrs(x.msgs, 12)
	}
	// A filtered dump: table 1000 only, ends with NLM_F_DUMP_FILTERED.
	x = r.dump(c, "dump-route-filtered", unix.RTM_GETROUTE, enc(rtmsg(unix.AF_INET, 0, 0, 0, 0, 0), func(e *nlattr.Encoder) { e.Uint32(rtaTable, 1000) }))
	r.ends(x, 1)

	// Rules of every family (IPMR and IP6MR included).
	x = r.dump(c, "dump-rule", unix.RTM_GETRULE, make([]byte, 12))
	for _, m := range distinct(map[string]bool{}, x.msgs, 12, 0, 4, 7) {
		r.add("FuzzDecodeRule", label("rule-", routeFamily(m.Data[0])), m.Data)
	}
	r.ends(x, 2)
	r.attrs(x.msgs, 12)

	// Neighbours, proxies and the bridge/vxlan FDB.
	nseen := map[string]bool{}
	for _, q := range []struct {
		what string
		body []byte
	}{
		{"neigh", ndmsg(0, 0, 0)},
		{"neigh-proxy", ndmsg(unix.AF_INET, 0, ntfProxy)},
		{"neigh-proxy6", ndmsg(unix.AF_INET6, 0, ntfProxy)},
		{"neigh-fdb", ndmsg(unix.AF_BRIDGE, 0, 0)},
	} {
		x = r.dump(c, "dump-"+q.what, unix.RTM_GETNEIGH, q.body)
		for _, m := range distinct(nseen, x.msgs, 12, 0, 8, 9, 10, 11) {
			r.add("FuzzDecodeNeighbor", label(q.what, "-", routeFamily(m.Data[0])), m.Data)
		}
		r.ends(x, 1)
		r.attrs(x.msgs, 12)
	}
}

// attrs records the attributes of the first messages of msgs (after a
// fixed header of hdrLen bytes) for the attribute decoder.
func (r *recorder) attrs(msgs []netlink.Message, hdrLen int) {
	n := 0
	for _, m := range msgs {
		if len(m.Data) > hdrLen && len(m.Data)-hdrLen <= 2048 && n < 2 {
			r.add("FuzzDecoder", label("attrs-", m.Header.Type), m.Data[hdrLen:])
			n++
		}
	}
}

func routeFamily(f uint8) string {
	switch f {
	case unix.AF_UNSPEC:
		return "unspec"
	case unix.AF_INET:
		return "inet"
	case unix.AF_INET6:
		return "inet6"
	case unix.AF_BRIDGE:
		return "bridge"
	case 128: // RTNL_FAMILY_IPMR
		return "ipmr"
	case 129: // RTNL_FAMILY_IP6MR
		return "ip6mr"
	}
	return fmt.Sprint("family", f)
}

func routeType(t uint8) string {
	names := []string{"unspec", "unicast", "local", "broadcast", "anycast", "multicast", "blackhole",
		"unreachable", "prohibit", "throw", "nat", "xresolve"}
	if int(t) < len(names) {
		return names[t]
	}
	return fmt.Sprint("type", t)
}

// routeErrors provokes the kernel's error replies: plain, with extended
// ACK messages and offsets, without NETLINK_CAP_ACK (the request echoed),
// without extended ACKs, and dump errors carried by NLMSG_DONE.
func (r *recorder) routeErrors() {
	for _, cfg := range []struct {
		what string
		cfg  netlink.Config
	}{
		{"", netlink.Config{}},
		{"nocap-", netlink.Config{DisableCapAck: true}},
		{"noext-", netlink.Config{DisableExtendedAck: true}},
	} {
		c := r.dial(unix.NETLINK_ROUTE, cfg.cfg)
		v0 := r.index(c, "v0")
		do := func(what string, typ netlink.MessageType, flags netlink.Flags, body []byte) {
			x := r.do(c, label("ack-", cfg.what, what), typ, flags, body)
			r.ends(x, 1)
		}
		do("mtu-too-small", unix.RTM_NEWLINK, 0, enc(ifinfomsg(0, v0), func(e *nlattr.Encoder) { e.Uint32(iflaMTU, 10) }))
		do("mtu-ok", unix.RTM_NEWLINK, 0, enc(ifinfomsg(0, v0), func(e *nlattr.Encoder) { e.Uint32(iflaMTU, 1400) }))
		do("getlink-nodev", unix.RTM_GETLINK, 0, enc(ifinfomsg(0, 0), func(e *nlattr.Encoder) { e.String(iflaIfname, "nosuchdev") }))
		do("getlink-badattr", unix.RTM_GETLINK, 0, enc(ifinfomsg(0, v0), func(e *nlattr.Encoder) { e.Uint32(0x3ff, 1) }))
		do("delroute-esrch", unix.RTM_DELROUTE, 0, enc(rtmsg(unix.AF_INET, 24, unix.RT_TABLE_MAIN, 0, 0, unix.RTN_UNICAST), func(e *nlattr.Encoder) {
			e.Addr(rtaDst, netip.MustParseAddr("198.18.99.0"))
		}))
		do("newroute-nodev", unix.RTM_NEWROUTE, netlink.Create, enc(rtmsg(unix.AF_INET, 24, unix.RT_TABLE_MAIN, unix.RTPROT_STATIC, 0, unix.RTN_UNICAST), func(e *nlattr.Encoder) {
			e.Addr(rtaDst, netip.MustParseAddr("198.18.98.0"))
			e.Uint32(rtaOif, 9999)
		}))
		do("newneigh-nodst", unix.RTM_NEWNEIGH, netlink.Create, ndmsg(unix.AF_INET, v0, 0))
		// Dump errors, reported by NLMSG_DONE.
		x := r.dump(c, label("done-", cfg.what, "link-badindex"), unix.RTM_GETLINK, ifinfomsg(0, v0))
		r.ends(x, 1)
		x = r.dump(c, label("done-", cfg.what, "addr-badattr"), unix.RTM_GETADDR, enc(ifaddrmsg(0, 0, 0), func(e *nlattr.Encoder) { e.Uint32(0x3ff, 1) }))
		r.ends(x, 1)
		x = r.dump(c, label("done-", cfg.what, "route-badheader"), unix.RTM_GETROUTE, rtmsg(unix.AF_INET, 7, 0, 0, 0, 0))
		r.ends(x, 1)
	}
}

// family is what the recorder needs of a generic netlink family.
type family struct {
	id     uint16
	groups map[string]uint32
}

// families dumps the controller's families (FuzzFamily) and returns them
// by name.
func (r *recorder) families(c *conn) map[string]family {
	x := r.dump(c, "dump-genl-family", unix.GENL_ID_CTRL, genlHdr(unix.CTRL_CMD_GETFAMILY, 2))
	r.ends(x, 1)
	fams := make(map[string]family)
	n := 0
	for _, m := range x.msgs {
		attrs := m.Data[genl.HeaderLen:]
		var f genl.Family
		if err := f.UnmarshalBinary(attrs); err != nil {
			r.t.Fatalf("family: %v", err)
		}
		g := make(map[string]uint32)
		for _, gr := range f.Groups {
			g[gr.Name] = gr.ID
		}
		fams[f.Name] = family{f.ID, g}
		r.add("FuzzFamily", label("family-", f.Name), attrs)
		if n < 6 {
			r.add("FuzzAttrSet", label("ctrl-family-", f.Name), uint8(1), attrs)
			n++
		}
	}
	r.attrs(x.msgs[:1], genl.HeaderLen)
	return fams
}

// policies dumps the attribute policies of small families and of one
// ethtool command (FuzzPolicy: single messages and whole dumps).
func (r *recorder) policies(c *conn, fams map[string]family) {
	for _, q := range []struct {
		family string
		op     int
	}{{"nlctrl", -1}, {"tcp_metrics", -1}, {"netdev", -1}, {"mptcp_pm", -1}, {"ethtool", 2}, {"nlctrl", unix.CTRL_CMD_GETPOLICY}} {
		if _, ok := fams[q.family]; !ok {
			r.t.Logf("no family %s: no policy recorded", q.family)
			continue
		}
		what := q.family
		body := enc(genlHdr(unix.CTRL_CMD_GETPOLICY, 2), func(e *nlattr.Encoder) {
			e.String(unix.CTRL_ATTR_FAMILY_NAME, q.family)
			if q.op >= 0 {
				e.Uint32(unix.CTRL_ATTR_OP, uint32(q.op))
				what = fmt.Sprint(q.family, "-op", q.op)
			}
		})
		x := r.dump(c, label("dump-policy-", what), unix.GENL_ID_CTRL, body)
		if x.err != nil {
			r.t.Fatalf("policy %s: %v", what, x.err)
		}
		r.ends(x, 1)
		// FuzzPolicy takes dump replies as sent: netlink messages.
		var all []byte
		for i, m := range x.msgs {
			one, _ := netlink.AppendMessage(nil, m.Header, m.Data)
			all = append(all, one...)
			if i < 4 {
				r.add("FuzzPolicy", label("policy-", what), one)
			}
			if i < 2 {
				r.add("FuzzAttrSet", label("ctrl-policy-", what), uint8(1), m.Data[genl.HeaderLen:])
			}
		}
		if len(all) <= 8192 {
			r.add("FuzzPolicy", label("policy-all-", what), all)
		}
		r.attrs(x.msgs[1:], genl.HeaderLen)
	}
}

// genlDump dumps a family's command cmd.
func (r *recorder) genlDump(c *conn, fams map[string]family, name, what string, cmd, version uint8, attrs func(e *nlattr.Encoder)) exchange {
	f, ok := fams[name]
	if !ok {
		r.t.Fatalf("no generic netlink family %s", name)
	}
	x := r.dump(c, what, netlink.MessageType(f.id), enc(genlHdr(cmd, version), attrs))
	if x.err != nil {
		r.t.Fatalf("%s: %v", what, x.err)
	}
	return x
}

// netdev dumps the netdev family's devices (FuzzDevice).
func (r *recorder) netdev(c *conn, fams map[string]family) {
	x := r.genlDump(c, fams, "netdev", "dump-netdev", 1 /* NETDEV_CMD_DEV_GET */, 1, nil)
	r.ends(x, 1)
	for _, m := range x.msgs {
		r.add("FuzzDevice", "netdev-dev", m.Data[genl.HeaderLen:])
	}
}

// ethtool dumps link info, link modes, features, rings and channels of
// every device, with bit sets in both forms.
func (r *recorder) ethtool(c *conn, fams map[string]family) {
	for _, q := range []struct {
		target  string
		cmd     uint8
		compact int      // how many replies to keep with compact bit sets
		verbose int      // and with verbose ones (names of every bit)
		bitset  []uint16 // attributes that are bit sets
		bitsets int      // of how many replies (per form) to keep them
	}{
		{"FuzzLinkInfo", 2, 8, 8, nil, 0},
		{"FuzzLinkModes", 4, 8, 8, []uint16{3, 4}, 8},
		{"FuzzFeatures", 11, 6, 2, []uint16{2, 3, 4, 5}, 2},
		{"FuzzRings", 15, 8, 8, nil, 0},
		{"FuzzChannels", 17, 8, 8, nil, 0},
	} {
		for _, flags := range []uint32{1 /* compact */, 0} {
			what := label("dump-ethtool-", q.target[4:], "-flags", flags)
			x := r.genlDump(c, fams, "ethtool", what, q.cmd, 1, func(e *nlattr.Encoder) {
				e.Nest(1) // ETHTOOL_A_*_HEADER
				e.Uint32(3, flags)
				e.End()
			})
			r.ends(x, 1)
			keep := q.compact
			if flags == 0 {
				keep = q.verbose
			}
			for i, m := range x.msgs {
				attrs := m.Data[genl.HeaderLen:]
				if i < keep {
					r.add(q.target, label(strings.ToLower(q.target[4:]), "-flags", flags), attrs)
				}
				if q.cmd == 2 && i < 4 {
					// No device here has rings (netdevsim and
					// real NICs do): FuzzRings gets the
					// header every reply starts with.
					d := nlattr.NewDecoder(attrs)
					for d.Next() {
						if d.Type() == 1 {
							r.add("FuzzRings", "rings-header-from-linkinfo", attrs[d.Offset():d.Offset()+nlattr.HeaderLen+d.Len()])
						}
					}
				}
				d := nlattr.NewDecoder(attrs)
				for d.Next() {
					if i < q.bitsets && slices.Contains(q.bitset, d.Type()) && d.Len() <= 4096 {
						r.add("FuzzBitset", label("bitset-", strings.ToLower(q.target[4:]), "-", d.Type(), "-flags", flags), d.Bytes())
					}
				}
			}
			r.t.Logf("%s: %d messages", what, len(x.msgs))
			if flags == 1 {
				r.attrs(x.msgs[:min(1, len(x.msgs))], genl.HeaderLen)
			}
		}
	}
}

// tcpMetrics makes TCP connections over IPv4 and IPv6 and dumps the
// metrics the kernel saved (FuzzEntry).
func (r *recorder) tcpMetrics(c *conn, fams map[string]family) {
	for _, q := range []struct{ network, addr string }{
		{"tcp4", "127.0.0.1:0"}, {"tcp4", "198.18.0.1:0"}, {"tcp6", "[::1]:0"}, {"tcp6", "[2001:db8::1]:0"},
	} {
		r.tcpConnect(q.network, q.addr)
	}
	x := r.genlDump(c, fams, "tcp_metrics", "dump-tcp-metrics", 1 /* TCP_METRICS_CMD_GET */, 1, nil)
	r.ends(x, 1)
	for _, m := range x.msgs {
		r.add("FuzzEntry", "tcp-metrics", m.Data[genl.HeaderLen:])
	}
}

// tcpConnect makes a TCP connection to addr in the namespace, exchanges
// data (for an RTT sample) and closes it from the client side, so the
// kernel saves its metrics.
func (r *recorder) tcpConnect(network, addr string) {
	r.t.Helper()
	err := r.ns.Do(func() error {
		ln, err := net.Listen(network, addr)
		if err != nil {
			return err
		}
		defer ln.Close()
		done := make(chan error, 1)
		go func() {
			s, err := ln.Accept()
			if err != nil {
				done <- err
				return
			}
			defer s.Close()
			_, err = io.Copy(s, s)
			done <- err
		}()
		c, err := net.Dial(network, ln.Addr().String())
		if err != nil {
			return err
		}
		buf := make([]byte, 1000)
		for range 5 {
			if _, err := c.Write(buf); err != nil {
				return err
			}
			if _, err := io.ReadFull(c, buf); err != nil {
				return err
			}
		}
		c.(*net.TCPConn).CloseWrite()
		io.Copy(io.Discard, c)
		c.Close()
		return <-done
	})
	if err != nil {
		r.t.Fatalf("TCP connection to %s: %v", addr, err)
	}
}

// mptcp dumps the endpoints (FuzzEndpoint) and records the events of
// MPTCP connections over IPv4 and IPv6 (FuzzEvent): listeners, connections
// with announced addresses and extra subflows, a removed endpoint, closes.
func (r *recorder) mptcp(c *conn, fams map[string]family) {
	x := r.genlDump(c, fams, "mptcp_pm", "dump-mptcp-endpoints", 3 /* MPTCP_PM_CMD_GET_ADDR */, 1, nil)
	r.ends(x, 1)
	for _, m := range x.msgs {
		r.add("FuzzEndpoint", "mptcp-endpoint", m.Data[genl.HeaderLen:])
	}

	f := fams["mptcp_pm"]
	ev := r.dial(unix.NETLINK_GENERIC, netlink.Config{})
	group, ok := f.groups["mptcp_pm_events"]
	if !ok {
		r.t.Fatal("no mptcp_pm_events group")
	}
	if err := ev.JoinGroup(group); err != nil {
		r.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(r.ctx)
	var events []netlink.Message
	done := make(chan struct{})
	go func() {
		defer close(done)
		for n, err := range ev.Receive(ctx) {
			if err != nil {
				if ctx.Err() != nil {
					return
				}
				continue
			}
			if n.Header.Type == netlink.MessageType(f.id) {
				n.Message.Data = bytes.Clone(n.Message.Data)
				events = append(events, n.Message)
			}
		}
	}()

	r.mptcpConnection(unix.AF_INET, 10000)
	r.mptcpConnection(unix.AF_INET6, 10001)
	time.Sleep(500 * time.Millisecond)
	cancel()
	<-done
	ev.tap.take()

	seen := map[string]bool{}
	for _, m := range events {
		if len(m.Data) < genl.HeaderLen {
			continue
		}
		cmd := m.Data[0]
		attrs := m.Data[genl.HeaderLen:]
		k := fmt.Sprint(cmd, shape(attrs, 0))
		if seen[k] {
			continue
		}
		seen[k] = true
		r.add("FuzzEvent", label("mptcp-event-", cmd), cmd, attrs)
		if len(seen) <= 2 {
			r.add("FuzzDecoder", label("attrs-mptcp-event-", cmd), attrs)
		}
	}
	if len(events) == 0 {
		r.t.Error("no MPTCP event recorded")
	}
}

// mptcpConnection opens an MPTCP listener and a connection to it over
// loopback, lets the path manager announce addresses and open subflows,
// removes an endpoint while connected, then closes everything.
func (r *recorder) mptcpConnection(family, port int) {
	r.t.Helper()
	sock := func() int {
		var fd int
		if err := r.ns.Do(func() (err error) {
			fd, err = unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, unix.IPPROTO_MPTCP)
			return err
		}); err != nil {
			r.t.Fatal(err)
		}
		return fd
	}
	var wild, loop unix.Sockaddr
	if family == unix.AF_INET {
		wild, loop = &unix.SockaddrInet4{Port: port}, &unix.SockaddrInet4{Port: port, Addr: [4]byte{127, 0, 0, 1}}
	} else {
		wild, loop = &unix.SockaddrInet6{Port: port}, &unix.SockaddrInet6{Port: port, Addr: netip.IPv6Loopback().As16()}
	}
	l := sock()
	defer unix.Close(l)
	unix.SetsockoptInt(l, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1)
	if err := unix.Bind(l, wild); err != nil {
		r.t.Fatal(err)
	}
	if err := unix.Listen(l, 4); err != nil {
		r.t.Fatal(err)
	}
	cl := sock()
	if err := unix.Connect(cl, loop); err != nil {
		r.t.Fatal(err)
	}
	srv, _, err := unix.Accept4(l, unix.SOCK_CLOEXEC)
	if err != nil {
		r.t.Fatal(err)
	}
	buf := make([]byte, 1000)
	for range 3 {
		unix.Write(cl, buf)
		unix.Read(srv, buf)
		time.Sleep(100 * time.Millisecond)
	}
	if family == unix.AF_INET {
		// A removed endpoint: REMOVED and SUB_CLOSED events; add it back.
		kerneltest.Run(r.t, r.ns, "ip", "mptcp", "endpoint", "delete", "id", "1")
		time.Sleep(200 * time.Millisecond)
		kerneltest.Run(r.t, r.ns, "ip", "mptcp", "endpoint", "add", "198.18.0.1", "id", "1", "signal")
	}
	unix.Close(cl)
	unix.Close(srv)
	time.Sleep(200 * time.Millisecond)
}

// genlErrors provokes generic netlink error replies: an unknown family, a
// missing required attribute (NLMSGERR_ATTR_MISS_TYPE), an unknown
// device in a nested header (an offset into a nest), a bad dump request.
func (r *recorder) genlErrors(fams map[string]family) {
	c := r.dial(unix.NETLINK_GENERIC, netlink.Config{})
	x := r.do(c, "ack-genl-nofamily", unix.GENL_ID_CTRL, 0, enc(genlHdr(unix.CTRL_CMD_GETFAMILY, 2), func(e *nlattr.Encoder) {
		e.String(unix.CTRL_ATTR_FAMILY_NAME, "nosuchfamily")
	}))
	r.ends(x, 1)
	x = r.do(c, "ack-genl-family", unix.GENL_ID_CTRL, 0, enc(genlHdr(unix.CTRL_CMD_GETFAMILY, 2), func(e *nlattr.Encoder) {
		e.String(unix.CTRL_ATTR_FAMILY_NAME, "nlctrl")
	}))
	r.ends(x, 1)
	x = r.do(c, "ack-netdev-missing-ifindex", netlink.MessageType(fams["netdev"].id), 0, genlHdr(1, 1))
	r.ends(x, 1)
	x = r.do(c, "ack-ethtool-nodev", netlink.MessageType(fams["ethtool"].id), 0, enc(genlHdr(2, 1), func(e *nlattr.Encoder) {
		e.Nest(1)
		e.String(2, "nosuchdev")
		e.End()
	}))
	r.ends(x, 1)
	x = r.dump(c, "done-ethtool-badflags", netlink.MessageType(fams["ethtool"].id), enc(genlHdr(2, 1), func(e *nlattr.Encoder) {
		e.Nest(1)
		e.Uint32(3, 0xff)
		e.End()
	}))
	r.ends(x, 1)
	x = r.do(c, "ack-mptcp-dup-endpoint", netlink.MessageType(fams["mptcp_pm"].id), 0, enc(genlHdr(1 /* MPTCP_PM_CMD_ADD_ADDR */, 1), func(e *nlattr.Encoder) {
		e.Nest(1)
		e.Uint16(1, unix.AF_INET)
		e.Uint8(2, 1)
		e.Addr(3, netip.MustParseAddr("198.18.0.1"))
		e.Uint32(6, 1) // signal
		e.End()
	}))
	r.ends(x, 1)
}
