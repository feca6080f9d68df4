//go:build linux

package rtnl

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io/fs"
	"net"
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/netns"
	"github.com/nlkit/nlkit/nlattr"
	"golang.org/x/sys/unix"
)

// Helpers of the link tests carry the prefix "lk" so they cannot clash
// with other tests of the package.

// lkSetup gives the test a fresh namespace and a Conn in it.
func lkSetup(t *testing.T) (*Conn, *netns.NS) {
	t.Helper()
	ns := kerneltest.NetNS(t)
	return testDial(t, ns), ns
}

// lkAdd creates l and returns it as read back by name.
func lkAdd(t *testing.T, c *Conn, l Link) Link {
	t.Helper()
	if err := c.AddLink(t.Context(), l); err != nil {
		t.Fatalf("AddLink(%s): %v", lkJSON(l), err)
	}
	return lkGet(t, c, l.Name)
}

// lkGet reads a link by name, checking that a lookup by index agrees.
func lkGet(t *testing.T, c *Conn, name string) Link {
	t.Helper()
	l, err := c.LinkByName(t.Context(), name)
	if err != nil {
		t.Fatalf("LinkByName(%q): %v", name, err)
	}
	byIndex, err := c.Link(t.Context(), l.Index)
	if err != nil {
		t.Fatalf("Link(%d): %v", l.Index, err)
	}
	if a, b := lkStatic(l), lkStatic(byIndex); !reflect.DeepEqual(a, b) {
		t.Fatalf("LinkByName and Link differ:\n%s\n%s", lkJSON(a), lkJSON(b))
	}
	return l
}

// lkStatic drops what changes on its own (counters, bridge timers).
func lkStatic(l Link) Link {
	l.Stats = LinkStats64{}
	if b, ok := l.Info.(*Bridge); ok {
		c := *b
		c.HelloTimer, c.TCNTimer, c.TopologyChangeTimer, c.GCTimer = nil, nil, nil, nil
		l.Info = &c
	}
	if p, ok := l.Port.(*BridgePort); ok {
		c := *p
		c.HoldTimer, c.MessageAgeTimer, c.ForwardDelayTimer = 0, 0, 0
		l.Port = &c
	}
	return l
}

// lkJSON renders a link for failure messages (pointers shown by value).
func lkJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return err.Error()
	}
	return string(b)
}

// lkLinks lists the links matching f.
func lkLinks(t *testing.T, c *Conn, f LinkFilter) []Link {
	t.Helper()
	return testList(t, c.Links, f, "Links")
}

// lkNames lists the names of links, sorted.
func lkNames(links []Link) []string {
	var names []string
	for _, l := range links {
		names = append(names, l.Name)
	}
	slices.Sort(names)
	return names
}

func lkAddr(s string) netip.Addr { return netip.MustParseAddr(s) }

func lkMAC(s string) net.HardwareAddr {
	hw, err := net.ParseMAC(s)
	if err != nil {
		panic(err)
	}
	return hw
}

func TestLinkFreshNamespace(t *testing.T) {
	c, _ := lkSetup(t)
	links := lkLinks(t, c, LinkFilter{})
	if len(links) != 1 {
		t.Fatalf("fresh namespace has %d links, want only lo: %s", len(links), lkJSON(links))
	}
	lo := links[0]
	if lo.Index != 1 || lo.Name != "lo" || lo.Kind != "" || lo.Info != nil || lo.Port != nil ||
		lo.Type != LinkTypeLoopback || lo.MTU != 65536 || lo.OperState != OperUnknown ||
		lo.Flags&(LinkUp|LinkLoopback) != LinkUp|LinkLoopback || !lo.HasStats || lo.Master != 0 ||
		lo.HasLinkNetNSID || !bytes.Equal(lo.HardwareAddr, make([]byte, 6)) {
		t.Errorf("lo = %s", lkJSON(lo))
	}
	if got := lkGet(t, c, "lo"); !reflect.DeepEqual(lkStatic(got), lkStatic(lo)) {
		t.Errorf("LinkByName(lo) = %s\nLinks gave %s", lkJSON(got), lkJSON(lo))
	}
	if got := lo.Flags.String(); got != "LOOPBACK,UP,LOWER_UP" {
		t.Errorf("lo flags %q", got)
	}
}

func TestLinkVethCreate(t *testing.T) {
	c, _ := lkSetup(t)
	v0 := lkAdd(t, c, Link{
		Name: "v0", MTU: 1450, HardwareAddr: lkMAC("02:00:00:00:00:01"), TxQueueLen: 500,
		Group: 7, Flags: LinkUp,
		Info: &Veth{PeerName: "v1", PeerHardwareAddr: lkMAC("02:00:00:00:00:02"), PeerMTU: 1400, PeerTxQueueLen: 600},
	})
	v1 := lkGet(t, c, "v1")
	if v0.Kind != "veth" || v1.Kind != "veth" {
		t.Errorf("kinds %q %q", v0.Kind, v1.Kind)
	}
	if _, ok := v0.Info.(*Veth); !ok {
		t.Errorf("Info %T, want *Veth", v0.Info)
	}
	if v0.Parent != v1.Index || v1.Parent != v0.Index {
		t.Errorf("parents %d %d, indexes %d %d", v0.Parent, v1.Parent, v0.Index, v1.Index)
	}
	if v0.MTU != 1450 || v0.HardwareAddr.String() != "02:00:00:00:00:01" || v0.TxQueueLen != 500 ||
		v0.Group != 7 || v0.Flags&LinkUp == 0 || v0.Type != LinkTypeEther ||
		v0.Broadcast.String() != "ff:ff:ff:ff:ff:ff" || v0.MinMTU != 68 || v0.MaxMTU == 0 {
		t.Errorf("v0 = %s", lkJSON(v0))
	}
	if v1.MTU != 1400 || v1.HardwareAddr.String() != "02:00:00:00:00:02" || v1.TxQueueLen != 600 || v1.Flags&LinkUp != 0 {
		t.Errorf("v1 = %s", lkJSON(v1))
	}
	// v0 is up, its peer is not: no carrier.
	if v0.Carrier || v0.Flags&LinkRunning != 0 || v0.Flags.Words()[0] != "NO-CARRIER" {
		t.Errorf("v0 carrier %v flags %v", v0.Carrier, v0.Flags)
	}

	// A veth without peer settings gets a peer named by the kernel.
	if err := c.AddLink(t.Context(), Link{Name: "v2", Kind: "veth"}); err != nil {
		t.Fatalf("AddLink(v2): %v", err)
	}
	v2 := lkGet(t, c, "v2")
	peer, err := c.Link(t.Context(), v2.Parent)
	if err != nil || !strings.HasPrefix(peer.Name, "veth") {
		t.Errorf("peer of v2: %s, %v", lkJSON(peer), err)
	}
}

func TestLinkSet(t *testing.T) {
	c, _ := lkSetup(t)
	ctx := t.Context()
	v0 := lkAdd(t, c, Link{Name: "v0", Info: &Veth{PeerName: "v1"}})
	v1 := lkGet(t, c, "v1")
	idx := v0.Index

	check := func(what string, ch LinkChange, ok func(Link) bool) Link {
		t.Helper()
		if err := c.SetLink(ctx, idx, ch); err != nil {
			t.Fatalf("%s: SetLink: %v", what, err)
		}
		l, err := c.Link(ctx, idx)
		if err != nil {
			t.Fatalf("%s: Link: %v", what, err)
		}
		if !ok(l) {
			t.Errorf("%s: read back %s", what, lkJSON(l))
		}
		return l
	}
	check("rename", LinkChange{Name: "left"}, func(l Link) bool { return l.Name == "left" })
	check("mtu", LinkChange{MTU: 9000}, func(l Link) bool { return l.MTU == 9000 })
	check("address", LinkChange{HardwareAddr: lkMAC("02:aa:bb:cc:dd:ee")},
		func(l Link) bool { return l.HardwareAddr.String() == "02:aa:bb:cc:dd:ee" })
	check("txqlen", LinkChange{TxQueueLen: new(uint32(0))}, func(l Link) bool { return l.TxQueueLen == 0 })
	check("alias", LinkChange{Alias: new("an alias")}, func(l Link) bool { return l.Alias == "an alias" })
	check("alias removed", LinkChange{Alias: new("")}, func(l Link) bool { return l.Alias == "" })
	check("group", LinkChange{Group: new(uint32(42))}, func(l Link) bool { return l.Group == 42 })
	check("several at once", LinkChange{MTU: 1300, Name: "left2", Up: new(true)},
		func(l Link) bool { return l.MTU == 1300 && l.Name == "left2" && l.Flags&LinkUp != 0 })
	check("nothing", LinkChange{}, func(l Link) bool { return l.MTU == 1300 && l.Name == "left2" && l.Flags&LinkUp != 0 })

	// Both ends up: the carrier comes, operstate follows (asynchronously).
	if err := c.SetLinkUp(ctx, v1.Index); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		l, err := c.Link(ctx, idx)
		if err != nil {
			t.Fatal(err)
		}
		if l.OperState == OperUp && l.Carrier && l.Flags&(LinkRunning|LinkLowerUp) == LinkRunning|LinkLowerUp {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("link did not come up: %s", lkJSON(l))
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := c.SetLinkDown(ctx, idx); err != nil {
		t.Fatal(err)
	}
	if l, _ := c.Link(ctx, idx); l.Flags&LinkUp != 0 || l.OperState != OperDown {
		t.Errorf("after SetLinkDown: %s", lkJSON(l))
	}
}

func TestLinkMaster(t *testing.T) {
	c, _ := lkSetup(t)
	ctx := t.Context()
	br := lkAdd(t, c, Link{Name: "br0", Info: &Bridge{}})
	v0 := lkAdd(t, c, Link{Name: "v0", Info: &Veth{PeerName: "v1"}})
	if err := c.SetLinkMaster(ctx, v0.Index, br.Index); err != nil {
		t.Fatalf("SetLinkMaster: %v", err)
	}
	v0 = lkGet(t, c, "v0")
	bp, ok := v0.Port.(*BridgePort)
	if v0.Master != br.Index || !ok {
		t.Fatalf("port: master %d (want %d), Port %s", v0.Master, br.Index, lkJSON(v0.Port))
	}
	if bp.State != BridgePortDisabled || bp.Cost == 0 || bp.Priority != 32 || !bp.Learning || !bp.UnicastFlood {
		t.Errorf("bridge port %s", lkJSON(bp))
	}
	if got := lkNames(lkLinks(t, c, LinkFilter{Master: br.Index})); !slices.Equal(got, []string{"v0"}) {
		t.Errorf("ports of br0: %v", got)
	}
	if err := c.SetLinkNoMaster(ctx, v0.Index); err != nil {
		t.Fatalf("SetLinkNoMaster: %v", err)
	}
	if v0 = lkGet(t, c, "v0"); v0.Master != 0 || v0.Port != nil {
		t.Errorf("after nomaster: %s", lkJSON(v0))
	}
	// A master given at creation.
	v2 := lkAdd(t, c, Link{Name: "v2", Master: br.Index, Info: &Veth{PeerName: "v3"}})
	if v2.Master != br.Index {
		t.Errorf("created with master: %d", v2.Master)
	}
}

// lkRawCount counts the RTM_NEWLINK messages of a dump request with body,
// showing what the kernel filtered before this package's own check.
func lkRawCount(t *testing.T, c *Conn, body []byte) int {
	t.Helper()
	n := 0
	for m, err := range c.Netlink().Dump(t.Context(), netlink.Message{Header: netlink.Header{Type: unix.RTM_GETLINK}, Data: body}) {
		if err != nil {
			t.Fatalf("raw dump: %v", err)
		}
		if m.Header.Type == unix.RTM_NEWLINK {
			n++
		}
	}
	return n
}

func TestLinkFilter(t *testing.T) {
	c, _ := lkSetup(t)
	br := lkAdd(t, c, Link{Name: "br0", Info: &Bridge{}})
	lkAdd(t, c, Link{Name: "v0", Master: br.Index, Info: &Veth{PeerName: "v1"}})
	lkAdd(t, c, Link{Name: "v2", Master: br.Index, Info: &Veth{PeerName: "v3"}})
	lkAdd(t, c, Link{Name: "ifb0", Kind: "ifb"})

	for _, tc := range []struct {
		f    LinkFilter
		want []string
		raw  int // links the kernel sends, -1: all
	}{
		{LinkFilter{}, []string{"br0", "ifb0", "lo", "v0", "v1", "v2", "v3"}, -1},
		{LinkFilter{Kind: "veth"}, []string{"v0", "v1", "v2", "v3"}, 4},
		{LinkFilter{Kind: "bridge"}, []string{"br0"}, 1},
		{LinkFilter{Kind: "ifb"}, []string{"ifb0"}, 1},
		{LinkFilter{Master: br.Index}, []string{"v0", "v2"}, 2},
		{LinkFilter{Master: br.Index, Kind: "veth"}, []string{"v0", "v2"}, 2},
		{LinkFilter{Master: br.Index, Kind: "bridge"}, nil, 0},
		{LinkFilter{Master: -1}, []string{"br0", "ifb0", "lo", "v1", "v3"}, 5},
		// No such kind here (no module): the kernel ignores the kind,
		// the check in user space does not.
		{LinkFilter{Kind: "nlkit-none"}, nil, -1},
		{LinkFilter{Master: 999}, nil, 0},
	} {
		got := lkNames(lkLinks(t, c, tc.f))
		if !slices.Equal(got, tc.want) {
			t.Errorf("Links(%+v) = %v, want %v", tc.f, got, tc.want)
		}
		e := nlattr.NewEncoder(appendLinkMsg(nil, 0, 0, 0, 0))
		if tc.f.Master != 0 {
			e.Uint32(unix.IFLA_MASTER, uint32(tc.f.Master))
		}
		if tc.f.Kind != "" {
			e.Nest(unix.IFLA_LINKINFO)
			e.String(unix.IFLA_INFO_KIND, tc.f.Kind)
			e.End()
		}
		body, _ := e.Finish()
		want := tc.raw
		if want < 0 {
			want = 7
		}
		if n := lkRawCount(t, c, body); n != want {
			t.Errorf("kernel sent %d links for %+v, want %d", n, tc.f, want)
		}
	}

	// Breaking out early leaves the Conn usable.
	for range c.Links(t.Context(), LinkFilter{}) {
		break
	}
	if n := len(lkLinks(t, c, LinkFilter{})); n != 7 {
		t.Errorf("after an early break: %d links", n)
	}
}

func TestLinkNetNS(t *testing.T) {
	ns1, ns2 := kerneltest.NetNS(t), kerneltest.NetNS(t)
	c1, c2 := testDial(t, ns1), testDial(t, ns2)
	ctx := t.Context()

	// A veth whose peer is created in ns2.
	v0 := lkAdd(t, c1, Link{Name: "v0", Info: &Veth{PeerName: "p0", PeerNetNS: ns2}})
	if _, err := c1.LinkByName(ctx, "p0"); !errors.Is(err, syscall.ENODEV) {
		t.Errorf("peer visible in ns1: %v", err)
	}
	p0 := lkGet(t, c2, "p0")
	if !v0.HasLinkNetNSID || !p0.HasLinkNetNSID {
		t.Errorf("link netnsid: v0 %v/%d, p0 %v/%d", v0.HasLinkNetNSID, v0.LinkNetNSID, p0.HasLinkNetNSID, p0.LinkNetNSID)
	}
	if v0.Parent != p0.Index || p0.Parent != v0.Index {
		t.Errorf("parents across namespaces: v0 %d->%d, p0 %d->%d", v0.Index, v0.Parent, p0.Index, p0.Parent)
	}

	// Move v0 over: both ends in ns2, no netnsid any more.
	if err := c1.SetLinkNetNS(ctx, v0.Index, ns2); err != nil {
		t.Fatalf("SetLinkNetNS: %v", err)
	}
	if _, err := c1.LinkByName(ctx, "v0"); !errors.Is(err, syscall.ENODEV) {
		t.Errorf("v0 still in ns1: %v", err)
	}
	moved := lkGet(t, c2, "v0")
	if moved.HasLinkNetNSID || moved.Kind != "veth" {
		t.Errorf("moved link: %s", lkJSON(moved))
	}
	if p0 = lkGet(t, c2, "p0"); p0.HasLinkNetNSID || p0.Parent != moved.Index {
		t.Errorf("peer after move: %s", lkJSON(p0))
	}
	if err := c1.SetLinkNetNS(ctx, 1, nil); err == nil {
		t.Error("SetLinkNetNS(nil) succeeded")
	}
}

func TestLinkDelete(t *testing.T) {
	c, _ := lkSetup(t)
	ctx := t.Context()
	v0 := lkAdd(t, c, Link{Name: "v0", Info: &Veth{PeerName: "v1"}})
	if err := c.DeleteLink(ctx, v0.Index); err != nil {
		t.Fatalf("DeleteLink: %v", err)
	}
	// Both ends are gone.
	if got := lkNames(lkLinks(t, c, LinkFilter{})); !slices.Equal(got, []string{"lo"}) {
		t.Errorf("after delete: %v", got)
	}
}

func TestLinkErrors(t *testing.T) {
	c, _ := lkSetup(t)
	ctx := t.Context()
	v0 := lkAdd(t, c, Link{Name: "v0", Info: &Veth{PeerName: "v1"}})

	err := c.AddLink(ctx, Link{Name: "v0", Info: &Veth{PeerName: "v9"}})
	if !errors.Is(err, fs.ErrExist) {
		t.Errorf("AddLink twice: %v, want EEXIST", err)
	}
	testKernelError(t, err, `add link "v0": file exists`, syscall.EEXIST)

	testKernelError(t, c.DeleteLink(ctx, 9999), "delete link 9999: no such device", syscall.ENODEV)
	_, err = c.Link(ctx, 9999)
	testKernelError(t, err, "get link 9999: no such device", syscall.ENODEV)
	_, err = c.LinkByName(ctx, "nlkit-none")
	testKernelError(t, err, `get link "nlkit-none": no such device`, syscall.ENODEV)
	testKernelError(t, c.SetLink(ctx, 9999, LinkChange{MTU: 1400}), "set link 9999: no such device", syscall.ENODEV)

	ne := testKernelError(t, c.SetLink(ctx, v0.Index, LinkChange{MTU: 70000}), "set link", syscall.EINVAL)
	if ne.Message == "" {
		t.Errorf("bad MTU: no extended-ACK message: %v", ne)
	}
	testKernelError(t, c.AddLink(ctx, Link{Name: "v5", MTU: 20, Info: &Veth{PeerName: "v6"}}), "add link", syscall.EINVAL)
	// The kernel ignores flags for tun devices it cannot create.
	ne = testKernelError(t, c.AddLink(ctx, Link{Name: "tun0", Info: &TunTap{Mode: TunModeTap}}), "add link", syscall.EOPNOTSUPP)
	if ne.Message == "" {
		t.Errorf("tun via netlink: no extended-ACK message: %v", ne)
	}

	// Mistakes caught before anything is sent.
	var nerr *netlink.Error
	if err := c.AddLink(ctx, Link{Name: "x", Kind: "bridge", Info: &Veth{}}); err == nil || errors.As(err, &nerr) {
		t.Errorf("Kind/Info mismatch: %v", err)
	}
	closed, _ := netns.New()
	closed.Close()
	if err := c.SetLink(ctx, v0.Index, LinkChange{NetNS: closed}); err == nil || errors.As(err, &nerr) {
		t.Errorf("closed NetNS: %v", err)
	}
	if err := c.AddLink(ctx, Link{Name: "x", Info: &Veth{PeerNetNS: closed}}); err == nil || errors.As(err, &nerr) {
		t.Errorf("closed PeerNetNS: %v", err)
	}
	// Nothing was left behind.
	if got := lkNames(lkLinks(t, c, LinkFilter{})); !slices.Equal(got, []string{"lo", "v0", "v1"}) {
		t.Errorf("links after failures: %v", got)
	}
}

// lkIPLink is what the comparison reads from `ip -j -d link show`.
type lkIPLink struct {
	Index       int32    `json:"ifindex"`
	Name        string   `json:"ifname"`
	Flags       []string `json:"flags"`
	MTU         uint32   `json:"mtu"`
	MinMTU      uint32   `json:"min_mtu"`
	MaxMTU      uint32   `json:"max_mtu"`
	OperState   string   `json:"operstate"`
	TxQueueLen  uint32   `json:"txqlen"`
	LinkType    string   `json:"link_type"`
	Address     string   `json:"address"`
	Broadcast   string   `json:"broadcast"`
	Master      string   `json:"master"`
	Link        string   `json:"link"`
	LinkIndex   int32    `json:"link_index"`
	LinkNetNSID *int32   `json:"link_netnsid"`
	Alias       string   `json:"ifalias"`
	Promiscuity uint32   `json:"promiscuity"`
	AllMulti    *uint32  `json:"allmulti"`
	Qdisc       string   `json:"qdisc"`
	LinkMode    string   `json:"linkmode"`
	ProtoDown   bool     `json:"proto_down"`
	NumTx       uint32   `json:"num_tx_queues"`
	NumRx       uint32   `json:"num_rx_queues"`
	GSOMaxSize  uint32   `json:"gso_max_size"`
	GSOMaxSegs  uint32   `json:"gso_max_segs"`
	TSOMaxSize  uint32   `json:"tso_max_size"`
	TSOMaxSegs  uint32   `json:"tso_max_segs"`
	GROMaxSize  uint32   `json:"gro_max_size"`
	AddrGenMode string   `json:"inet6_addr_gen_mode"`
	AltNames    []string `json:"altnames"`
	LinkInfo    struct {
		Kind      string          `json:"info_kind"`
		Data      json.RawMessage `json:"info_data"`
		SlaveKind string          `json:"info_slave_kind"`
		SlaveData struct {
			State    string `json:"state"`
			Priority uint16 `json:"priority"`
			Cost     uint32 `json:"cost"`
			Learning bool   `json:"learning"`
		} `json:"info_slave_data"`
	} `json:"linkinfo"`
}

func TestLinkMatchesIproute2(t *testing.T) {
	ns, _ := kerneltest.NamedNetNS(t)
	c := testDial(t, ns)
	ns2 := kerneltest.NetNS(t)
	br := lkAdd(t, c, Link{Name: "br0", Flags: LinkUp, Info: &Bridge{StpState: new(uint32(1)), Priority: new(uint16(4096))}})
	lkAdd(t, c, Link{Name: "v0", Flags: LinkUp, Master: br.Index, Info: &Veth{PeerName: "v1"}})
	v1 := lkGet(t, c, "v1")
	if err := c.SetLink(t.Context(), v1.Index, LinkChange{Alias: new("peer")}); err != nil {
		t.Fatal(err)
	}
	// Flags this package does not set, to compare how they are listed.
	kerneltest.Run(t, ns, "ip", "link", "set", "v1", "promisc", "on", "allmulticast", "on", "arp", "off",
		"dynamic", "on", "trailers", "off", "up")
	lkAdd(t, c, Link{Name: "mv0", Parent: v1.Index, Info: &Macvlan{Mode: MacvlanPrivate}})
	lkAdd(t, c, Link{Name: "mvt0", Parent: v1.Index, Info: &Macvlan{Tap: true, Mode: MacvlanBridge}})
	lkAdd(t, c, Link{Name: "vx0", Info: &Vxlan{VNI: 42, Remote: lkAddr("198.18.0.2"), Local: lkAddr("198.18.0.1"), Port: 4789}})
	lkAdd(t, c, Link{Name: "vx6", Info: &Vxlan{VNI: 43, Remote: lkAddr("2001:db8::2"), Port: 4789, Learning: new(false)}})
	lkAdd(t, c, Link{Name: "ifb0", Kind: "ifb"})
	lkAdd(t, c, Link{Name: "x0", Flags: LinkUp, Info: &Veth{PeerName: "x1", PeerNetNS: ns2}})
	kerneltest.Run(t, ns, "ip", "tuntap", "add", "dev", "tap0", "mode", "tap")
	// Read-only state set with ip: alternative names, protodown (which
	// vxlan supports), no IPv6 (and so no address generation mode) below
	// 1280 bytes, another address generation mode, a dormant link mode.
	kerneltest.Run(t, ns, "ip", "link", "property", "add", "dev", "v0", "altname", "first-alt-name", "altname", "second")
	kerneltest.Run(t, ns, "ip", "link", "set", "vx0", "protodown", "on")
	kerneltest.Run(t, ns, "ip", "link", "set", "ifb0", "mtu", "1000")
	kerneltest.Run(t, ns, "ip", "link", "set", "mv0", "addrgenmode", "random")
	kerneltest.Run(t, ns, "ip", "link", "set", "tap0", "mode", "dormant")

	links := lkLinks(t, c, LinkFilter{})
	byName := map[string]Link{}
	for _, l := range links {
		byName[l.Name] = l
	}
	if l := byName["v0"]; !slices.Equal(l.AltNames, []string{"first-alt-name", "second"}) || l.Qdisc != "noqueue" ||
		l.NumTxQueues == 0 || l.GSOMaxSize == 0 || !l.HasAllMulti || !l.HasAddrGenMode || l.AddrGenMode != AddrGenModeEUI64 {
		t.Errorf("v0: %s", lkJSON(l))
	}
	if l := byName["vx0"]; !l.ProtoDown {
		t.Errorf("vx0: no protodown: %s", lkJSON(l))
	}
	if l := byName["ifb0"]; l.HasAddrGenMode {
		t.Errorf("ifb0 with MTU 1000 has IPv6: %s", lkJSON(l))
	}
	if l := byName["mv0"]; l.AddrGenMode != AddrGenModeRandom {
		t.Errorf("mv0: addrgenmode %v", l.AddrGenMode)
	}
	if l := byName["tap0"]; l.LinkMode != LinkModeDormant {
		t.Errorf("tap0: mode %v", l.LinkMode)
	}
	var ipLinks []lkIPLink
	out := kerneltest.Run(t, ns, "ip", "-j", "-d", "link", "show")
	if err := json.Unmarshal(out, &ipLinks); err != nil {
		t.Fatalf("parsing ip -j -d link show: %v\n%s", err, out)
	}
	if len(ipLinks) != len(links) {
		t.Fatalf("ip lists %d links, Links %d", len(ipLinks), len(links))
	}
	names := map[int32]string{}
	for _, l := range links {
		names[l.Index] = l.Name
	}
	for i, l := range links {
		ip := ipLinks[i]
		flags := slices.DeleteFunc(slices.Clone(ip.Flags), func(s string) bool { return s == "M-DOWN" })
		var nsid *int32
		if l.HasLinkNetNSID {
			nsid = &l.LinkNetNSID
		}
		// iproute2 names the parent, or gives its index when it lives in
		// another namespace.
		parent, parentIndex := names[l.Parent], int32(0)
		if l.HasLinkNetNSID {
			parent, parentIndex = "", l.Parent
		}
		got := lkIPLink{Index: l.Index, Name: l.Name, Flags: l.Flags.Words(), MTU: l.MTU, MinMTU: l.MinMTU,
			MaxMTU: l.MaxMTU, OperState: l.OperState.String(), TxQueueLen: l.TxQueueLen, LinkType: l.Type.String(),
			Address: l.HardwareAddr.String(), Broadcast: l.Broadcast.String(), Master: names[l.Master],
			Link: parent, LinkIndex: parentIndex, LinkNetNSID: nsid, Alias: l.Alias, Promiscuity: l.Promiscuity,
			Qdisc: l.Qdisc, LinkMode: l.LinkMode.String(), ProtoDown: l.ProtoDown, NumTx: l.NumTxQueues, NumRx: l.NumRxQueues,
			GSOMaxSize: l.GSOMaxSize, GSOMaxSegs: l.GSOMaxSegs, TSOMaxSize: l.TSOMaxSize, TSOMaxSegs: l.TSOMaxSegs,
			GROMaxSize: l.GROMaxSize, AltNames: l.AltNames}
		if l.HasAllMulti {
			got.AllMulti = &l.AllMulti
		}
		if l.HasAddrGenMode {
			got.AddrGenMode = l.AddrGenMode.String()
		}
		got.LinkInfo.Kind = l.Kind
		want := ip
		want.Flags = flags
		want.LinkInfo.Data = nil
		if l.Port != nil {
			got.LinkInfo.SlaveKind = l.Port.PortKind()
		}
		if bp, ok := l.Port.(*BridgePort); ok {
			got.LinkInfo.SlaveData.State = bp.State.String()
			got.LinkInfo.SlaveData.Priority = bp.Priority
			got.LinkInfo.SlaveData.Cost = bp.Cost
			got.LinkInfo.SlaveData.Learning = bp.Learning
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("link %d:\n ours %s\n ip   %s", i, lkJSON(got), lkJSON(want))
		}
		lkCompareInfoData(t, l, ip.LinkInfo.Data)
	}
}

// lkCompareInfoData compares Info with iproute2's info_data.
func lkCompareInfoData(t *testing.T, l Link, raw json.RawMessage) {
	t.Helper()
	var d map[string]any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &d); err != nil {
			t.Fatalf("%s: info_data: %v", l.Name, err)
		}
	}
	check := func(key string, got any) {
		t.Helper()
		want, ok := d[key]
		if !ok {
			t.Errorf("%s: iproute2 has no info_data.%s: %s", l.Name, key, raw)
			return
		}
		if lkJSON(got) != lkJSON(want) {
			t.Errorf("%s: info_data.%s: ours %s, ip %s", l.Name, key, lkJSON(got), lkJSON(want))
		}
	}
	switch info := l.Info.(type) {
	case *Bridge:
		check("forward_delay", linkCentiseconds(*info.ForwardDelay))
		check("hello_time", linkCentiseconds(*info.HelloTime))
		check("max_age", linkCentiseconds(*info.MaxAge))
		check("ageing_time", linkCentiseconds(*info.AgeingTime))
		check("stp_state", *info.StpState)
		check("priority", *info.Priority)
		check("vlan_filtering", linkBool(*info.VlanFiltering))
		check("mcast_snooping", linkBool(*info.MulticastSnooping))
	case *Macvlan:
		check("mode", info.Mode.String())
		check("bcqueuelen", *info.BcQueueLen)
		check("usedbcqueuelen", *info.UsedBcQueueLen)
	case *Vxlan:
		check("id", info.VNI)
		check("port", info.Port)
		check("learning", *info.Learning)
		check("ttl", info.TTL)
		check("port_range", map[string]uint16{"low": info.SrcPorts.Start, "high": info.SrcPorts.End})
		check("df", info.DF.String())
		check("ageing", uint32(*info.Ageing/time.Second))
		check("udp_csum", *info.UDPChecksum)
		check("udp_zero_csum6_tx", *info.UDP6ZeroChecksumTx)
		check("udp_zero_csum6_rx", *info.UDP6ZeroChecksumRx)
		suffix := map[bool]string{true: "", false: "6"}
		if info.Local.IsValid() {
			check("local"+suffix[info.Local.Is4()], info.Local.String())
		}
		if info.Remote.IsValid() {
			key := "remote"
			if info.Remote.IsMulticast() {
				key = "group"
			}
			check(key+suffix[info.Remote.Is4()], info.Remote.String())
		}
	case *TunTap:
		check("type", info.Mode.String())
		check("persist", info.Persist)
		check("pi", info.PI)
		check("vnet_hdr", info.VnetHdr)
		check("multi_queue", info.MultiQueue)
	case *Veth, *UnknownKind, nil:
		if len(d) != 0 {
			t.Errorf("%s: %T but iproute2 shows info_data %s", l.Name, info, raw)
		}
	default:
		t.Errorf("%s: unexpected Info %T", l.Name, info)
	}
}

func TestLinkFlagsWords(t *testing.T) {
	for _, tc := range []struct {
		f    LinkFlags
		want string
	}{
		{0, ""},
		{LinkUp | LinkRunning | LinkLowerUp | LinkBroadcast | LinkMulticast, "BROADCAST,MULTICAST,UP,LOWER_UP"},
		{LinkUp | LinkBroadcast | LinkMulticast, "NO-CARRIER,BROADCAST,MULTICAST,UP"},
		{LinkLoopback | LinkUp | LinkRunning | LinkLowerUp, "LOOPBACK,UP,LOWER_UP"},
		{LinkPointToPoint | LinkNoARP | LinkPromisc | LinkAllMulti | LinkMaster | LinkSlave | LinkDebug |
			LinkDynamic | LinkAutoMedia | LinkPortSel | LinkNoTrailers | LinkDormant | LinkEcho,
			"POINTOPOINT,NOARP,ALLMULTI,PROMISC,MASTER,SLAVE,DEBUG,DYNAMIC,AUTOMEDIA,PORTSEL,NOTRAILERS,DORMANT,ECHO"},
		{LinkBroadcast | 1<<20, "BROADCAST,100000"},
	} {
		if got := tc.f.String(); got != tc.want {
			t.Errorf("%#x: %q, want %q", uint32(tc.f), got, tc.want)
		}
	}
	for s, want := range map[string]string{
		OperUp.String(): "UP", OperLowerLayerDown.String(): "LOWERLAYERDOWN", OperState(9).String(): "9",
		LinkTypeEther.String(): "ether", LinkTypeNone.String(): "none", LinkType(4242).String(): "[4242]",
	} {
		if s != want {
			t.Errorf("String() = %q, want %q", s, want)
		}
	}
}

// lkMessage encodes l as the kernel would send it (all attributes).
func lkMessage(t testing.TB, l *Link) []byte {
	t.Helper()
	e := nlattr.NewEncoder(appendLinkMsg(nil, l.Type, l.Index, l.Flags, 0))
	if err := appendLinkAttrs(e, l, true); err != nil {
		t.Fatalf("encoding %s: %v", lkJSON(l), err)
	}
	b, err := e.Finish()
	if err != nil {
		t.Fatalf("encoding %s: %v", lkJSON(l), err)
	}
	return b
}

// lkFullLink has every field set.
func lkFullLink() Link {
	l := Link{Index: 7, Name: "vx0", Kind: "vxlan", Type: LinkTypeEther, Flags: LinkUp | LinkBroadcast | LinkMulticast,
		MTU: 1450, MinMTU: 68, MaxMTU: 65535, HardwareAddr: lkMAC("02:00:00:00:00:07"),
		Broadcast: lkMAC("ff:ff:ff:ff:ff:ff"), Master: 3, Parent: 2, HasParent: true, OperState: OperLowerLayerDown, Carrier: true,
		TxQueueLen: 1000, Alias: "alias", Group: 9, Promiscuity: 2, LinkNetNSID: 0, HasLinkNetNSID: true, NewNetNSID: 4, HasNewNetNSID: true, NewIndex: 12,
		HasStats: true, AllMulti: 1, HasAllMulti: true, Qdisc: "noqueue", LinkMode: LinkModeDormant, ProtoDown: true,
		NumTxQueues: 2, NumRxQueues: 3, ParentDev: "0000:00:03.0", ParentBus: "pci", GSOMaxSize: 65536, GSOMaxSegs: 65535, TSOMaxSize: 524280, TSOMaxSegs: 65534,
		GROMaxSize: 65537, AddrGenMode: AddrGenModeStablePrivacy, HasAddrGenMode: true, AltNames: []string{"a", "bb"},
		Info: &Vxlan{VNI: 1 << 20, Remote: lkAddr("2001:db8::1"), Local: lkAddr("2001:db8::2"), Device: 2, Port: 4789,
			TTL: 64, TOS: 0x10, Learning: new(false), SrcPorts: &PortRange{100, 200}, DF: new(VxlanDFSet),
			Ageing: new(30 * time.Second), UDPChecksum: new(true), UDP6ZeroChecksumTx: new(false), UDP6ZeroChecksumRx: new(true)},
		Port: &BridgePort{State: BridgePortForwarding, Priority: 32, Cost: 100, Learning: true, UnicastFlood: true,
			MulticastFlood: true, BroadcastFlood: true, Isolated: true, Hairpin: true, Guard: true, RootBlock: true,
			MulticastRouter: 2, GroupFwdMask: 0x4000, BackupPort: 4, ID: 0x8001, No: 1, DesignatedCost: 5,
			DesignatedBridge: BridgeID{0x8000, [6]byte{2, 0, 0, 0, 0, 1}}, HoldTimer: 1230 * time.Millisecond},
	}
	for i, f := range l.Stats.fields() {
		*f = uint64(i+1) << 33
	}
	return l
}

func TestLinkEncodeDecode(t *testing.T) {
	for _, l := range []Link{
		lkFullLink(),
		{Index: 1, Name: "lo", Type: LinkTypeLoopback},
		{Index: 2, Name: "p0", Kind: "dummy", Info: &UnknownKind{Kind: "dummy", Data: []byte{8, 0, 1, 0, 1, 2, 3, 4}},
			Port: &UnknownPort{Kind: "bond", Data: []byte{5, 0, 1, 0, 1, 0, 0, 0}}},
		{Index: 3, Name: "ifb0", Kind: "ifb", Info: &UnknownKind{Kind: "ifb"}},
		{Index: 4, Name: "eth0", Port: &BridgePort{State: BridgePortBlocking}},
	} {
		got, err := decodeLink(lkMessage(t, &l))
		if err != nil {
			t.Fatalf("decoding %s: %v", lkJSON(l), err)
		}
		if !reflect.DeepEqual(got, l) {
			t.Errorf("round trip:\n got %s\nwant %s", lkJSON(got), lkJSON(l))
		}
	}
}

func TestLinkDecodeErrors(t *testing.T) {
	hdr := appendLinkMsg(nil, LinkTypeEther, 5, 0, 0)
	attrs := func(f func(e *nlattr.Encoder)) []byte {
		e := nlattr.NewEncoder(slices.Clone(hdr))
		f(e)
		b, err := e.Finish()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, tc := range []struct {
		name string
		msg  []byte
		want string // in the error; "" for success
		is   error
	}{
		{"short header", hdr[:15], "shorter than struct ifinfomsg", nil},
		{"header only", hdr, "", nil},
		{"mtu u16", attrs(func(e *nlattr.Encoder) { e.Uint16(unix.IFLA_MTU, 1500) }), "IFLA_MTU", nlattr.ErrBadLength},
		{"operstate u32", attrs(func(e *nlattr.Encoder) { e.Uint32(unix.IFLA_OPERSTATE, 6) }), "IFLA_OPERSTATE", nlattr.ErrBadLength},
		{"addrgenmode u32", attrs(func(e *nlattr.Encoder) {
			e.Nest(unix.IFLA_AF_SPEC)
			e.Nest(unix.AF_INET6)
			e.Uint32(unix.IFLA_INET6_ADDR_GEN_MODE, 1)
			e.End()
			e.End()
		}), "IFLA_AF_SPEC", nlattr.ErrBadLength},
		{"altname bad", attrs(func(e *nlattr.Encoder) { e.Bytes(unix.IFLA_PROP_LIST, []byte{12, 0, 53, 0, 1, 2}) }), "IFLA_PROP_LIST", nlattr.ErrTruncated},
		{"allmulti u8", attrs(func(e *nlattr.Encoder) { e.Uint8(unix.IFLA_ALLMULTI, 1) }), "IFLA_ALLMULTI", nlattr.ErrBadLength},
		{"stats64 short", attrs(func(e *nlattr.Encoder) { e.Bytes(unix.IFLA_STATS64, make([]byte, 100)) }), "IFLA_STATS64", nlattr.ErrBadLength},
		{"stats64 odd", attrs(func(e *nlattr.Encoder) { e.Bytes(unix.IFLA_STATS64, make([]byte, 201)) }), "IFLA_STATS64", nlattr.ErrBadLength},
		{"stats64 older kernel", attrs(func(e *nlattr.Encoder) { e.Bytes(unix.IFLA_STATS64, make([]byte, 184)) }), "", nil},
		{"stats64 newer kernel", attrs(func(e *nlattr.Encoder) { e.Bytes(unix.IFLA_STATS64, make([]byte, 216)) }), "", nil},
		{"unknown attribute", attrs(func(e *nlattr.Encoder) { e.Bytes(999, []byte{1, 2, 3}) }), "", nil},
		{"vxlan port", attrs(func(e *nlattr.Encoder) {
			e.Nest(unix.IFLA_LINKINFO)
			e.String(unix.IFLA_INFO_KIND, "vxlan")
			e.Nest(unix.IFLA_INFO_DATA)
			e.Uint32(unix.IFLA_VXLAN_ID, 1)
			e.Uint32(unix.IFLA_VXLAN_PORT, 4789)
			e.End()
			e.End()
		}), "IFLA_LINKINFO/IFLA_INFO_DATA/IFLA_VXLAN_PORT", nlattr.ErrBadLength},
		{"vxlan group6 with 4 bytes", attrs(func(e *nlattr.Encoder) {
			e.Nest(unix.IFLA_LINKINFO)
			e.Nest(unix.IFLA_INFO_DATA) // data before kind
			e.Bytes(unix.IFLA_VXLAN_GROUP6, []byte{198, 18, 0, 1})
			e.End()
			e.String(unix.IFLA_INFO_KIND, "vxlan")
			e.End()
		}), "IFLA_LINKINFO/IFLA_INFO_DATA/IFLA_VXLAN_GROUP6", nlattr.ErrBadLength},
		{"bridge port state", attrs(func(e *nlattr.Encoder) {
			e.Nest(unix.IFLA_LINKINFO)
			e.String(unix.IFLA_INFO_SLAVE_KIND, "bridge")
			e.Nest(unix.IFLA_INFO_SLAVE_DATA)
			e.Uint16(unix.IFLA_BRPORT_STATE, 3)
			e.End()
			e.End()
		}), "IFLA_LINKINFO/IFLA_INFO_SLAVE_DATA/IFLA_BRPORT_STATE", nlattr.ErrBadLength},
		{"veth peer short", attrs(func(e *nlattr.Encoder) {
			e.Nest(unix.IFLA_LINKINFO)
			e.String(unix.IFLA_INFO_KIND, "veth")
			e.Nest(unix.IFLA_INFO_DATA)
			e.Bytes(vethInfoPeer, make([]byte, 8))
			e.End()
			e.End()
		}), "IFLA_LINKINFO/IFLA_INFO_DATA/VETH_INFO_PEER", nlattr.ErrBadLength},
		{"veth peer mtu", attrs(func(e *nlattr.Encoder) {
			pe := nlattr.NewEncoder(appendLinkMsg(nil, 0, 0, 0, 0))
			pe.Uint8(unix.IFLA_MTU, 1)
			peer, _ := pe.Finish()
			e.Nest(unix.IFLA_LINKINFO)
			e.String(unix.IFLA_INFO_KIND, "veth")
			e.Nest(unix.IFLA_INFO_DATA)
			e.Bytes(vethInfoPeer, peer)
			e.End()
			e.End()
		}), "IFLA_LINKINFO/IFLA_INFO_DATA/VETH_INFO_PEER/IFLA_MTU", nlattr.ErrBadLength},
		{"truncated attribute", append(slices.Clone(hdr), 0x20, 0, 3, 0, 'x'), "IFLA_IFNAME", nlattr.ErrTruncated},
	} {
		_, err := decodeLink(tc.msg)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: error %v, want one naming %s", tc.name, err, tc.want)
		case tc.is != nil && !errors.Is(err, tc.is):
			t.Errorf("%s: error %v is not %v", tc.name, err, tc.is)
		}
	}
}

func TestLinkDecodeDoesNotAlias(t *testing.T) {
	l := lkFullLink()
	l.Info = &UnknownKind{Kind: "foo", Data: []byte{8, 0, 1, 0, 1, 2, 3, 4}}
	l.Kind = "foo"
	l.Port = &UnknownPort{Kind: "bar", Data: []byte{5, 0, 1, 0, 9, 0, 0, 0}}
	msg := lkMessage(t, &l)
	got, err := decodeLink(msg)
	if err != nil {
		t.Fatal(err)
	}
	for i := range msg {
		msg[i] = 0xa5
	}
	if !reflect.DeepEqual(got, l) {
		t.Errorf("decoded link changed with its buffer:\n got %s\nwant %s", lkJSON(got), lkJSON(l))
	}
}

func TestLinkRequestEncoding(t *testing.T) {
	// AddLink sends the settable fields only, and flags with the same
	// change mask.
	l := lkFullLink()
	body, err := appendLinkRequest(nil, &l)
	if err != nil {
		t.Fatal(err)
	}
	if f, ch := binary.NativeEndian.Uint32(body[8:]), binary.NativeEndian.Uint32(body[12:]); f != uint32(l.Flags) || ch != uint32(l.Flags) {
		t.Errorf("flags %#x change %#x", f, ch)
	}
	got, err := decodeLink(body)
	if err != nil {
		t.Fatal(err)
	}
	want := Link{Index: l.Index, Flags: l.Flags, Name: l.Name, Kind: l.Kind, MTU: l.MTU, HardwareAddr: l.HardwareAddr,
		Broadcast: l.Broadcast, Master: l.Master, Parent: l.Parent, HasParent: l.Parent != 0, TxQueueLen: l.TxQueueLen,
		Group: l.Group, NumTxQueues: l.NumTxQueues, NumRxQueues: l.NumRxQueues, ParentDev: l.ParentDev, Info: l.Info}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("request carries:\n got %s\nwant %s", lkJSON(got), lkJSON(want))
	}
}

// TestLinkChangeKindNetNSAlias covers SetLink with kind settings, AddLink
// into another namespace and AddLink with an alias.
func TestLinkChangeKindNetNSAlias(t *testing.T) {
	ns := kerneltest.NetNS(t)
	other := kerneltest.NetNS(t)
	c, co := testDial(t, ns), testDial(t, other)
	ctx := t.Context()

	br := lkAdd(t, c, Link{Name: "br0", Info: &Bridge{}})
	fd := 7 * time.Second
	if err := c.SetLink(ctx, br.Index, LinkChange{Info: &Bridge{ForwardDelay: &fd, MulticastSnooping: new(false)}}); err != nil {
		t.Fatalf("SetLink(bridge settings): %v", err)
	}
	b := lkGet(t, c, "br0").Info.(*Bridge)
	if *b.ForwardDelay != fd || *b.MulticastSnooping || *b.HelloTime != 2*time.Second {
		t.Errorf("after change: %s", lkJSON(b))
	}
	// Settings of another kind, or of a kind without changelink.
	v := lkAdd(t, c, Link{Name: "v0", Info: &Veth{PeerName: "v1"}})
	err := c.SetLink(ctx, v.Index, LinkChange{Info: &Bridge{ForwardDelay: &fd}})
	if !errors.Is(err, syscall.EOPNOTSUPP) {
		t.Errorf("bridge settings on a veth: %v", err)
	}
	mtu := uint32(1400)
	if err := c.SetLink(ctx, br.Index, LinkChange{MTU: mtu, Info: &Bridge{}}); err != nil || lkGet(t, c, "br0").MTU != mtu {
		t.Errorf("SetLink(MTU with empty settings): %v", err)
	}

	// Created in the other namespace, with its stacked-on link here.
	if err := c.AddLink(ctx, Link{Name: "mv0", Parent: v.Index, NetNS: other, Info: &Macvlan{Mode: MacvlanBridge}}); err != nil {
		t.Fatalf("AddLink(NetNS): %v", err)
	}
	if _, err := c.LinkByName(ctx, "mv0"); !errors.Is(err, syscall.ENODEV) {
		t.Errorf("mv0 in the Conn's namespace: %v", err)
	}
	if l, err := co.LinkByName(ctx, "mv0"); err != nil || l.Kind != "macvlan" || !l.HasLinkNetNSID {
		t.Errorf("mv0 in the other namespace: %s %v", lkJSON(l), err)
	}

	// Alias: set by a second request, found by name or by index.
	if l := lkAdd(t, c, Link{Name: "ifb7", Kind: "ifb", Alias: "by name"}); l.Alias != "by name" {
		t.Errorf("alias by name: %q", l.Alias)
	}
	if err := c.AddLink(ctx, Link{Index: 77, Name: "ifb8", Kind: "ifb", Alias: "by index"}); err != nil {
		t.Fatal(err)
	}
	if l, err := c.Link(ctx, 77); err != nil || l.Alias != "by index" {
		t.Errorf("alias by index: %s %v", lkJSON(l), err)
	}
	for _, l := range []Link{{Kind: "ifb", Alias: "x"}, {Name: "ifb9", Kind: "ifb", Alias: "x", NetNS: other}} {
		if err := c.AddLink(ctx, l); err == nil || !strings.Contains(err.Error(), "Alias") {
			t.Errorf("AddLink(%s): %v", lkJSON(l), err)
		}
	}
}
