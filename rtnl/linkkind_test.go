//go:build linux

package rtnl

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"reflect"
	"syscall"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netns"
	"github.com/nlkit/nlkit/nlattr"
	"golang.org/x/sys/unix"
)

// lkIPInfoData returns iproute2's linkinfo.info_data for one link.
func lkIPInfoData(t *testing.T, ns *netns.NS, name string) json.RawMessage {
	t.Helper()
	var ip []lkIPLink
	out := kerneltest.Run(t, ns, "ip", "-j", "-d", "link", "show", "dev", name)
	if err := json.Unmarshal(out, &ip); err != nil || len(ip) != 1 {
		t.Fatalf("parsing ip -j -d link show dev %s: %v\n%s", name, err, out)
	}
	return ip[0].LinkInfo.Data
}

func TestLinkKindBridge(t *testing.T) {
	c, ns := lkSetup(t)
	def := lkAdd(t, c, Link{Name: "br0", Info: &Bridge{}})
	// Kernels built without CONFIG_BRIDGE_VLAN_FILTERING report no VLAN
	// settings and refuse them.
	vlans := def.Info.(*Bridge).VlanDefaultPVID != nil
	want := &Bridge{ForwardDelay: new(15 * time.Second), HelloTime: new(2 * time.Second), MaxAge: new(20 * time.Second),
		AgeingTime: new(300 * time.Second), StpState: new(uint32(0)), Priority: new(uint16(32768)),
		VlanFiltering: new(false), MulticastSnooping: new(true)}
	if vlans {
		want.VlanProtocol, want.VlanDefaultPVID = VlanProto8021Q, new(uint16(1))
	}
	if def.Kind != "bridge" || !reflect.DeepEqual(lkBridgeBasics(def.Info), want) {
		t.Errorf("default bridge: %s %s\nwant %s", def.Kind, lkJSON(def.Info), lkJSON(want))
	}
	lkCompareInfoData(t, def, lkIPInfoData(t, ns, "br0"))

	if b := def.Info.(*Bridge); b.BridgeID == nil || b.RootID == nil || *b.MulticastHashMax != 4096 ||
		*b.MulticastQueryInterval != 125*time.Second || b.GroupAddr.String() != "01:80:c2:00:00:00" || b.NoLinkLocalLearn == nil {
		t.Errorf("default bridge state: %s", lkJSON(b))
	}
	set := &Bridge{ForwardDelay: new(4 * time.Second), HelloTime: new(time.Second), MaxAge: new(10 * time.Second),
		AgeingTime: new(time.Minute), StpState: new(uint32(1)), Priority: new(uint16(4096)),
		MulticastSnooping: new(false)}
	more := Bridge{MulticastQuerier: new(true), GroupFwdMask: new(uint16(8)), MulticastLastMemberCount: new(uint32(3)),
		MulticastQueryInterval: new(100 * time.Second), NoLinkLocalLearn: new(true), GroupAddr: lkMAC("01:80:c2:00:00:05"),
		MulticastIGMPVersion: new(uint8(3)), MulticastHashMax: new(uint32(1024))}
	if vlans {
		set.VlanFiltering, set.VlanProtocol, set.VlanDefaultPVID = new(true), VlanProto8021AD, new(uint16(10))
	} else {
		testKernelError(t, c.AddLink(t.Context(), Link{Name: "br1", Info: &Bridge{VlanFiltering: new(true)}}),
			"add link", syscall.EOPNOTSUPP)
	}
	withMore := *set
	withMore.MulticastQuerier, withMore.GroupFwdMask, withMore.MulticastLastMemberCount = more.MulticastQuerier, more.GroupFwdMask, more.MulticastLastMemberCount
	withMore.MulticastQueryInterval, withMore.NoLinkLocalLearn, withMore.GroupAddr = more.MulticastQueryInterval, more.NoLinkLocalLearn, more.GroupAddr
	withMore.MulticastIGMPVersion, withMore.MulticastHashMax = more.MulticastIGMPVersion, more.MulticastHashMax
	got := lkAdd(t, c, Link{Name: "br1", Info: &withMore})
	if set.VlanFiltering == nil {
		set.VlanFiltering = new(false) // reported even when not supported
	}
	gb := got.Info.(*Bridge)
	if !reflect.DeepEqual(*gb.MulticastQuerier, true) || *gb.GroupFwdMask != 8 || *gb.MulticastLastMemberCount != 3 ||
		*gb.MulticastQueryInterval != 100*time.Second || !*gb.NoLinkLocalLearn || gb.GroupAddr.String() != "01:80:c2:00:00:05" ||
		*gb.MulticastIGMPVersion != 3 || *gb.MulticastHashMax != 1024 {
		t.Errorf("bridge settings read back: %s", lkJSON(gb))
	}
	if !reflect.DeepEqual(lkBridgeBasics(got.Info), set) {
		t.Errorf("bridge read back %s\nwant %s", lkJSON(got.Info), lkJSON(set))
	}
	lkCompareInfoData(t, got, lkIPInfoData(t, ns, "br1"))

	// The VLAN settings' encoding, whatever the kernel supports.
	vb := &Bridge{VlanFiltering: new(true), VlanProtocol: VlanProto8021AD, VlanDefaultPVID: new(uint16(10))}
	body, _ := appendLinkRequest(nil, &Link{Name: "b", Info: vb})
	if !bytes.Contains(body, []byte{6, 0, unix.IFLA_BR_VLAN_PROTOCOL, 0, 0x88, 0xa8}) {
		t.Errorf("IFLA_BR_VLAN_PROTOCOL not big-endian:\n% x", body)
	}
	if dl, err := decodeLink(body); err != nil || !reflect.DeepEqual(dl.Info, vb) {
		t.Errorf("VLAN settings round trip: %s, %v", lkJSON(dl.Info), err)
	}
}

func TestLinkKindMacvlan(t *testing.T) {
	c, ns := lkSetup(t)
	p0 := lkAdd(t, c, Link{Name: "p0", Info: &Veth{PeerName: "q0"}})
	p1 := lkAdd(t, c, Link{Name: "p1", Info: &Veth{PeerName: "q1"}})
	for _, tc := range []struct {
		name   string
		parent int32
		info   *Macvlan
		want   *Macvlan
	}{
		{"mv0", p0.Index, &Macvlan{}, &Macvlan{Mode: MacvlanVEPA}},
		{"mv1", p0.Index, &Macvlan{Mode: MacvlanPrivate}, nil},
		{"mv2", p0.Index, &Macvlan{Mode: MacvlanBridge}, nil},
		{"mv3", p0.Index, &Macvlan{Mode: MacvlanSource}, nil},
		{"mvt0", p0.Index, &Macvlan{Tap: true, Mode: MacvlanBridge}, nil},
		{"mvt1", p0.Index, &Macvlan{Tap: true, Mode: MacvlanPrivate}, nil},
		{"mv4", p1.Index, &Macvlan{Mode: MacvlanPassthru, Flags: MacvlanNoPromisc}, nil},
		{"mv5", p0.Index, &Macvlan{Mode: MacvlanBridge, BcQueueLen: new(uint32(2000))}, nil},
	} {
		got := lkAdd(t, c, Link{Name: tc.name, Parent: tc.parent, Info: tc.info})
		want := tc.want
		if want == nil {
			want = tc.info
		}
		// The kernel's default queue length; the one in use is the
		// largest asked for on the lower device (2000, once mv5 asks).
		want = &Macvlan{Tap: want.Tap, Mode: want.Mode, Flags: want.Flags, BcQueueLen: want.BcQueueLen, UsedBcQueueLen: new(uint32(1000))}
		if want.BcQueueLen == nil {
			want.BcQueueLen = new(uint32(1000))
		}
		if tc.name == "mv5" {
			want.UsedBcQueueLen = new(uint32(2000))
		}
		if got.Parent != tc.parent || got.Kind != want.LinkKind() || !reflect.DeepEqual(got.Info, want) {
			t.Errorf("%s: kind %q parent %d info %s, want %q %d %s", tc.name, got.Kind, got.Parent,
				lkJSON(got.Info), want.LinkKind(), tc.parent, lkJSON(want))
		}
		lkCompareInfoData(t, got, lkIPInfoData(t, ns, tc.name))
	}
	// Macvlan needs a lower device.
	testKernelError(t, c.AddLink(t.Context(), Link{Name: "mv9", Info: &Macvlan{}}), "add link", syscall.EINVAL)
	// Only one passthru macvlan per lower device.
	testKernelError(t, c.AddLink(t.Context(), Link{Name: "mv9", Parent: p1.Index, Info: &Macvlan{Mode: MacvlanPassthru}}),
		"add link", syscall.EINVAL)
	if got := lkNames(lkLinks(t, c, LinkFilter{Kind: "macvtap"})); !reflect.DeepEqual(got, []string{"mvt0", "mvt1"}) {
		t.Errorf("macvtap links: %v", got)
	}
}

func TestLinkKindVxlan(t *testing.T) {
	c, ns := lkSetup(t)
	lower := lkAdd(t, c, Link{Name: "u0", Info: &Veth{PeerName: "u1"}})
	for _, tc := range []struct {
		name string
		info Vxlan
	}{
		{"vx4", Vxlan{VNI: 42, Remote: lkAddr("198.18.0.2"), Local: lkAddr("198.18.0.1"), Port: 4789, TTL: 64, TOS: 0x10, Learning: new(false)}},
		{"vx6", Vxlan{VNI: 43, Remote: lkAddr("2001:db8::2"), Local: lkAddr("2001:db8::1"), Port: 4790, TTL: 10,
			SrcPorts: &PortRange{1000, 2000}, Ageing: new(100 * time.Second), UDP6ZeroChecksumTx: new(true), UDP6ZeroChecksumRx: new(true)}},
		{"vxdf", Vxlan{VNI: 46, Remote: lkAddr("198.18.0.2"), DF: new(VxlanDFInherit), UDPChecksum: new(false)}},
		{"vxm4", Vxlan{VNI: 44, Remote: lkAddr("239.1.1.1"), Device: lower.Index, Port: 4789}},
		{"vxm6", Vxlan{VNI: 45, Remote: lkAddr("ff05::100"), Device: lower.Index, Port: 4789, Learning: new(true)}},
		{"vxd", Vxlan{VNI: 1<<24 - 1}},
	} {
		info := tc.info
		got := lkAdd(t, c, Link{Name: tc.name, Info: &info})
		want := tc.info
		vxlanReported(&want) // what the kernel reports when not set
		if got.Kind != "vxlan" || !reflect.DeepEqual(got.Info, &want) {
			t.Errorf("%s: %q %s\nwant %s", tc.name, got.Kind, lkJSON(got.Info), lkJSON(want))
		}
		lkCompareInfoData(t, got, lkIPInfoData(t, ns, tc.name))
	}
	// A VNI must fit in 24 bits; a multicast group needs a device.
	testKernelError(t, c.AddLink(t.Context(), Link{Name: "vxbad", Info: &Vxlan{VNI: 1 << 24}}), "add link", syscall.ERANGE)
	testKernelError(t, c.AddLink(t.Context(), Link{Name: "vxbad", Info: &Vxlan{VNI: 7, Remote: lkAddr("239.1.1.1")}}),
		"add link", syscall.EINVAL)
	// Mixed families.
	ne := testKernelError(t, c.AddLink(t.Context(), Link{Name: "vxbad",
		Info: &Vxlan{VNI: 7, Remote: lkAddr("2001:db8::2"), Local: lkAddr("198.18.0.1")}}), "add link", syscall.EINVAL)
	if ne.Message == "" {
		t.Errorf("mixed families: no extended-ACK message: %v", ne)
	}
}

func TestLinkKindIfb(t *testing.T) {
	c, _ := lkSetup(t)
	for _, l := range []Link{
		{Name: "ifb0", Kind: "ifb"},
		{Name: "ifb1", Info: &UnknownKind{Kind: "ifb"}},
		{Name: "ifb2", Kind: "ifb", Info: &UnknownKind{Kind: "ifb"}},
	} {
		got := lkAdd(t, c, l)
		if got.Kind != "ifb" || !reflect.DeepEqual(got.Info, &UnknownKind{Kind: "ifb"}) || got.Flags&LinkNoARP == 0 {
			t.Errorf("%s: %s", l.Name, lkJSON(got))
		}
	}
}

func TestLinkKindVlanEncoding(t *testing.T) {
	// No 8021q module in the test kernel: check the bytes and the round
	// trip instead.
	l := Link{Name: "eth0.100", Parent: 2, Info: &Vlan{ID: 100, Protocol: VlanProto8021AD}}
	body, err := appendLinkRequest(nil, &l)
	if err != nil {
		t.Fatal(err)
	}
	want := nlattr.NewEncoder(appendLinkMsg(nil, 0, 0, 0, 0))
	want.String(unix.IFLA_IFNAME, "eth0.100")
	want.Uint32(unix.IFLA_LINK, 2)
	want.Nest(unix.IFLA_LINKINFO)
	want.String(unix.IFLA_INFO_KIND, "vlan")
	want.Nest(unix.IFLA_INFO_DATA)
	want.Bytes(unix.IFLA_VLAN_ID, binary.NativeEndian.AppendUint16(nil, 100))
	want.Bytes(unix.IFLA_VLAN_PROTOCOL, []byte{0x88, 0xa8}) // big-endian
	want.End()
	want.End()
	wb, _ := want.Finish()
	if !bytes.Equal(body, wb) {
		t.Errorf("request\n% x\nwant\n% x", body, wb)
	}
	got, err := decodeLink(body)
	if err != nil {
		t.Fatal(err)
	}
	if got.Kind != "vlan" || !reflect.DeepEqual(got.Info, l.Info) || got.Parent != 2 {
		t.Errorf("decoded %s", lkJSON(got))
	}
	// Protocol unset: only the id is sent (the kernel picks 802.1Q).
	body, _ = appendLinkRequest(nil, &Link{Name: "v", Parent: 2, Info: &Vlan{ID: 0}})
	got, _ = decodeLink(body)
	if !reflect.DeepEqual(got.Info, &Vlan{}) {
		t.Errorf("decoded %s", lkJSON(got.Info))
	}
	for p, s := range map[VlanProtocol]string{VlanProto8021Q: "802.1Q", VlanProto8021AD: "802.1ad", 0x9100: "0x9100"} {
		if p.String() != s {
			t.Errorf("%#x: %q, want %q", uint16(p), p.String(), s)
		}
	}
}

func TestLinkKindVethPeerEncoding(t *testing.T) {
	info := &Veth{PeerName: "peer", PeerHardwareAddr: lkMAC("02:00:00:00:00:09"), PeerMTU: 1400, PeerTxQueueLen: 10}
	body, err := appendLinkRequest(nil, &Link{Name: "v0", Info: info})
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeLink(body)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Info, info) {
		t.Errorf("peer %s, want %s", lkJSON(got.Info), lkJSON(info))
	}
	// VETH_INFO_PEER starts with the peer's struct ifinfomsg.
	i := bytes.Index(body, []byte("peer\x00"))
	if i < 0 || !bytes.Equal(body[i-4-linkMsgLen:i-4], make([]byte, linkMsgLen)) {
		t.Errorf("no zero ifinfomsg before the peer's IFLA_IFNAME:\n% x", body)
	}
}

func TestLinkKindUnknown(t *testing.T) {
	data := []byte{8, 0, 1, 0, 0xde, 0xad, 0xbe, 0xef}
	e := nlattr.NewEncoder(appendLinkMsg(nil, LinkTypeEther, 3, 0, 0))
	e.String(unix.IFLA_IFNAME, "wg0")
	e.Nest(unix.IFLA_LINKINFO)
	e.String(unix.IFLA_INFO_KIND, "wireguard")
	e.Bytes(unix.IFLA_INFO_DATA|nlattr.Nested, data)
	e.String(unix.IFLA_INFO_SLAVE_KIND, "vrf")
	e.Bytes(unix.IFLA_INFO_SLAVE_DATA|nlattr.Nested, data[:4])
	e.End()
	msg, _ := e.Finish()
	l, err := decodeLink(msg)
	if err != nil {
		t.Fatal(err)
	}
	if l.Kind != "wireguard" || !reflect.DeepEqual(l.Info, &UnknownKind{Kind: "wireguard", Data: data}) ||
		!reflect.DeepEqual(l.Port, &UnknownPort{Kind: "vrf", Data: data[:4]}) {
		t.Errorf("decoded %s", lkJSON(l))
	}
	// The raw data goes back out unchanged.
	body, err := appendLinkRequest(nil, &l)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(body, data) {
		t.Errorf("request lost the raw data:\n% x", body)
	}
}

func TestLinkKindTunTap(t *testing.T) {
	c, ns := lkSetup(t)
	kerneltest.Run(t, ns, "ip", "tuntap", "add", "dev", "tap0", "mode", "tap")
	kerneltest.Run(t, ns, "ip", "tuntap", "add", "dev", "tun0", "mode", "tun", "user", "1000", "group", "1001",
		"pi", "vnet_hdr", "multi_queue")
	for _, tc := range []struct {
		name string
		typ  LinkType
		want *TunTap
	}{
		{"tap0", LinkTypeEther, &TunTap{Mode: TunModeTap, Persist: true}},
		{"tun0", LinkTypeNone, &TunTap{Mode: TunModeTun, Owner: new(uint32(1000)), Group: new(uint32(1001)),
			PI: true, VnetHdr: true, Persist: true, MultiQueue: true}},
	} {
		got := lkGet(t, c, tc.name)
		if got.Kind != "tun" || got.Type != tc.typ || !reflect.DeepEqual(got.Info, tc.want) {
			t.Errorf("%s: kind %q type %v info %s\nwant %s", tc.name, got.Kind, got.Type, lkJSON(got.Info), lkJSON(tc.want))
		}
		lkCompareInfoData(t, got, lkIPInfoData(t, ns, tc.name))
	}
	if got := lkNames(lkLinks(t, c, LinkFilter{Kind: "tun"})); !reflect.DeepEqual(got, []string{"tap0", "tun0"}) {
		t.Errorf("tun links: %v", got)
	}
}

// lkBridgeBasics returns the first ten settings of a decoded *Bridge.
func lkBridgeBasics(info LinkInfo) *Bridge {
	b := info.(*Bridge)
	return &Bridge{ForwardDelay: b.ForwardDelay, HelloTime: b.HelloTime, MaxAge: b.MaxAge, AgeingTime: b.AgeingTime,
		StpState: b.StpState, Priority: b.Priority, VlanFiltering: b.VlanFiltering, VlanProtocol: b.VlanProtocol,
		VlanDefaultPVID: b.VlanDefaultPVID, MulticastSnooping: b.MulticastSnooping}
}
