package ynl

import (
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"syscall"
	"testing"
	"time"

	"github.com/nlkit/nlkit/genl"
	"github.com/nlkit/nlkit/genl/ethtool"
	"github.com/nlkit/nlkit/genl/mptcp"
	"github.com/nlkit/nlkit/genl/netdev"
	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/rtnl"
	genethtool "github.com/nlkit/nlkit/ynl/gen/ethtool"
	genmptcp "github.com/nlkit/nlkit/ynl/gen/mptcppm"
	gennetdev "github.com/nlkit/nlkit/ynl/gen/netdev"
	gennlctrl "github.com/nlkit/nlkit/ynl/gen/nlctrl"
	genrtaddr "github.com/nlkit/nlkit/ynl/gen/rtaddr"
	genrtlink "github.com/nlkit/nlkit/ynl/gen/rtlink"
	genrtroute "github.com/nlkit/nlkit/ynl/gen/rtroute"
)

// Differential tests of generated code against the hand-written clients,
// in throwaway namespaces.

func TestKernelGeneratedNetdev(t *testing.T) {
	ns := kerneltest.NetNS(t)
	veth(t, ns, "gv0", "gv1")
	ctx := t.Context()
	cfg := &netlink.Config{NetNS: ns}
	hand, err := netdev.Dial(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer hand.Close()
	gen, err := gennetdev.Dial(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer gen.Close()
	devs, err := netlink.Collect(hand.Devices(ctx))
	if err != nil {
		t.Fatal(err)
	}
	got, err := netlink.Collect(gen.Devices(ctx, nil))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(devs) || len(got) != 3 {
		t.Fatalf("generated %d devices, netdev %d", len(got), len(devs))
	}
	for i, d := range devs {
		g := got[i]
		if int32(g.Ifindex.Val) != d.Index || uint64(g.XDPFeatures.Val) != uint64(d.XDPFeatures) || uint64(g.XSKFeatures.Val) != uint64(d.XSKFeatures) {
			t.Errorf("device %d: generated %+v, netdev %v", i, g, d)
		}
		one, err := gen.Device(ctx, &gennetdev.Dev{Ifindex: gennetdev.Some(uint32(d.Index))})
		if err != nil || one.Ifindex != g.Ifindex || one.XDPFeatures != g.XDPFeatures {
			t.Errorf("Device(%d) = %+v, %v", d.Index, one, err)
		}
	}
	if _, err := gen.Device(ctx, &gennetdev.Dev{Ifindex: gennetdev.Some[uint32](9999)}); err == nil || err.Error()[:len("netdev: dev-get: no such device")] != "netdev: dev-get: no such device" {
		t.Errorf("Device(9999): %v", err)
	}
}

func TestKernelGeneratedRoutes(t *testing.T) {
	ns := kerneltest.NetNS(t)
	veth(t, ns, "gr0", "gr1")
	kerneltest.Run(t, ns, "ip", "addr", "add", "198.18.0.1/24", "dev", "gr0")
	ctx := t.Context()
	cfg := &netlink.Config{NetNS: ns}
	r, err := rtnl.Dial(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	gen, err := genrtroute.Dial(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer gen.Close()
	link, err := r.LinkByName(ctx, "gr0")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		err := gen.AddRoute(ctx, &genrtroute.RouteAttrs{
			Header: genrtroute.Rtmsg{RtmFamily: syscall.AF_INET, RtmDstLen: 32, RtmTable: 254, RtmProtocol: 4, RtmScope: 253, RtmType: genrtroute.RtmTypeUnicast},
			RtaDst: netip.AddrFrom4([4]byte{198, 19, 0, byte(i + 1)}), RtaOif: genrtroute.Some(uint32(link.Index)),
		}, netlink.Create|netlink.Excl)
		if err != nil {
			t.Fatal(err)
		}
	}
	err = gen.AddRoute(ctx, &genrtroute.RouteAttrs{
		Header: genrtroute.Rtmsg{RtmFamily: syscall.AF_INET, RtmDstLen: 32, RtmTable: 254, RtmProtocol: 4, RtmScope: 253, RtmType: genrtroute.RtmTypeUnicast},
		RtaDst: netip.AddrFrom4([4]byte{198, 19, 0, 1}), RtaOif: genrtroute.Some(uint32(link.Index)),
	}, netlink.Create|netlink.Excl)
	if err == nil || err.Error()[:len("rt-route: newroute: file exists")] != "rt-route: newroute: file exists" {
		t.Errorf("duplicate route: %v", err)
	}
	var genList, handList []string
	for rt, err := range gen.Routes(ctx, &genrtroute.RouteAttrs{Header: genrtroute.Rtmsg{RtmFamily: syscall.AF_INET}}) {
		if err != nil {
			t.Fatal(err)
		}
		if rt.RtaTable.Val != 254 {
			continue
		}
		genList = append(genList, fmt.Sprintf("%s %d %s", netip.PrefixFrom(rt.RtaDst, int(rt.Header.RtmDstLen)), rt.RtaOif.Val, rt.Header.RtmType))
	}
	hand, err := r.RouteList(ctx, rtnl.RouteFilter{Family: rtnl.FamilyIPv4, Table: rtnl.TableMain})
	if err != nil {
		t.Fatal(err)
	}
	for _, rt := range hand {
		handList = append(handList, fmt.Sprintf("%s %d %s", rt.Dst, rt.OutIndex, rt.Type))
	}
	sort.Strings(genList)
	sort.Strings(handList)
	if !slices.Equal(genList, handList) || len(genList) != 11 {
		t.Errorf("routes:\ngenerated %q\nrtnl      %q", genList, handList)
	}
}

func TestKernelGeneratedAddrs(t *testing.T) {
	ns := kerneltest.NetNS(t)
	veth(t, ns, "ga0", "ga1")
	ctx := t.Context()
	cfg := &netlink.Config{NetNS: ns}
	r, err := rtnl.Dial(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	gen, err := genrtaddr.Dial(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer gen.Close()
	link, _ := r.LinkByName(ctx, "ga0")
	a := netip.MustParseAddr("198.18.7.1")
	err = gen.AddAddress(ctx, &genrtaddr.AddrAttrs{Header: genrtaddr.Ifaddrmsg{IfaFamily: syscall.AF_INET, IfaPrefixlen: 24, IfaIndex: uint32(link.Index)}, IfaLocal: a, IfaAddress: a}, netlink.Create|netlink.Excl)
	if err != nil {
		t.Fatal(err)
	}
	hand, err := r.AddressList(ctx, rtnl.AddressFilter{Family: rtnl.FamilyIPv4})
	if err != nil {
		t.Fatal(err)
	}
	var genList, handList []string
	for v, err := range gen.Addresses(ctx, &genrtaddr.AddrAttrs{Header: genrtaddr.Ifaddrmsg{IfaFamily: syscall.AF_INET}}) {
		if err != nil {
			t.Fatal(err)
		}
		genList = append(genList, fmt.Sprintf("%d %s %s %v", v.Header.IfaIndex, netip.PrefixFrom(v.IfaLocal, int(v.Header.IfaPrefixlen)), v.IfaLabel.Val, v.IfaFlags.Val&genrtaddr.IfaFlagsPermanent != 0))
	}
	for _, x := range hand {
		handList = append(handList, fmt.Sprintf("%d %s %s %v", x.Index, x.Prefix, x.Label, x.Flags&rtnl.AddressPermanent != 0))
	}
	if !slices.Equal(genList, handList) || len(genList) != 2 {
		t.Errorf("addresses:\ngenerated %q\nrtnl      %q", genList, handList)
	}
}

func TestKernelGeneratedGenl(t *testing.T) {
	ns := kerneltest.NetNS(t)
	veth(t, ns, "gt0", "gt1")
	ctx := t.Context()
	cfg := &netlink.Config{NetNS: ns}
	g, err := genl.Dial(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()

	// nlctrl: the family list
	ctrl := gennlctrl.NewConn(g)
	fams, err := netlink.Collect(ctrl.Families(ctx, nil))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		want, err := g.Family(ctx, f.FamilyName.Val)
		if err != nil {
			t.Fatal(err)
		}
		if f.FamilyID.Val != want.ID || f.Version.Val != want.Version || len(f.Ops) != len(want.Ops) || len(f.McastGroups) != len(want.Groups) {
			t.Errorf("%s: generated %+v, genl %v", f.FamilyName.Val, f, want)
		}
		for i, o := range want.Ops {
			if f.Ops[i].ID.Val != uint32(o.Command) || uint32(f.Ops[i].Flags.Val) != uint32(o.Flags) {
				t.Errorf("%s op %d: generated %+v, genl %v", f.FamilyName.Val, i, f.Ops[i], o)
			}
		}
	}

	// ethtool: channels of a veth
	eth := genethtool.NewConn(g)
	handEth := ethtool.NewConn(g)
	ch, err := eth.Channels(ctx, &genethtool.Channels{Header: &genethtool.Header{DevName: genethtool.Some("gt0")}})
	if err != nil {
		t.Fatal(err)
	}
	want, err := handEth.Channels(ctx, ethtool.ByName("gt0"))
	if err != nil {
		t.Fatal(err)
	}
	if ch.RxMax.Val != want.RxMax || ch.TxMax.Val != want.TxMax || ch.RxCount.Val != want.RxCount || ch.TxCount.Val != want.TxCount ||
		int32(ch.Header.DevIndex.Val) != want.Device.Index {
		t.Errorf("channels: generated %+v, ethtool %v", ch, want)
	}

	// mptcp_pm: limits set by generated code, read by the hand-written client
	pm := genmptcp.NewConn(g)
	if err := pm.SetLimits(ctx, &genmptcp.Attr{RcvAddAddrs: genmptcp.Some[uint32](2), Subflows: genmptcp.Some[uint32](4)}, 0); err != nil {
		t.Fatal(err)
	}
	l, err := mptcp.NewConn(g).Limits(ctx)
	if err != nil {
		t.Fatal(err)
	}
	gl, err := pm.Limits(ctx, nil)
	if err != nil || l.AddAddrAccepted != 2 || l.Subflows != 4 || gl.RcvAddAddrs.Val != 2 || gl.Subflows.Val != 4 {
		t.Errorf("limits: generated %+v %v, mptcp %v", gl, err, l)
	}
}

// rt-link through generated code: linkinfo data as a typed sub-message
// chosen by the kind, both ways.
func TestKernelGeneratedLinks(t *testing.T) {
	ns := kerneltest.NetNS(t)
	kerneltest.Run(t, ns, "ip", "link", "add", "gbr0", "type", "bridge", "forward_delay", "700")
	ctx := t.Context()
	cfg := &netlink.Config{NetNS: ns}
	gen, err := genrtlink.Dial(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer gen.Close()
	err = gen.AddLink(ctx, &genrtlink.LinkAttrs{
		Ifname: genrtlink.Some("gvx9"),
		Linkinfo: &genrtlink.LinkinfoAttrs{Kind: genrtlink.Some("vxlan"), Data: &genrtlink.LinkinfoDataMsg{
			Vxlan: &genrtlink.LinkinfoVxlanAttrs{ID: genrtlink.Some[uint32](9), Port: genrtlink.Some[uint16](4791)},
		}},
	}, netlink.Create|netlink.Excl)
	if err != nil {
		t.Fatal(err)
	}
	r, err := rtnl.Dial(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	hand, err := r.LinkList(ctx, rtnl.LinkFilter{})
	if err != nil {
		t.Fatal(err)
	}
	links, err := netlink.Collect(gen.Links(ctx, nil))
	if err != nil {
		t.Fatal(err)
	}
	if len(links) != len(hand) || len(links) != 3 {
		t.Fatalf("generated %d links, rtnl %d", len(links), len(hand))
	}
	for i, l := range links {
		h := hand[i]
		if l.Header.IfiIndex != h.Index || l.Ifname.Val != h.Name || l.MTU.Val != h.MTU {
			t.Errorf("link %d: generated %+v, rtnl %+v", i, l, h)
		}
		switch info := h.Info.(type) {
		case *rtnl.Vxlan:
			if l.Linkinfo == nil || l.Linkinfo.Data == nil || l.Linkinfo.Data.Vxlan == nil || l.Linkinfo.Data.Vxlan.ID.Val != info.VNI || l.Linkinfo.Data.Vxlan.Port.Val != info.Port || info.VNI != 9 || info.Port != 4791 {
				t.Errorf("vxlan: generated %+v, rtnl %+v", l.Linkinfo, info)
			}
		case *rtnl.Bridge:
			if l.Linkinfo == nil || l.Linkinfo.Data == nil || l.Linkinfo.Data.Bridge == nil || l.Linkinfo.Data.Bridge.ForwardDelay.Val != 700 {
				t.Errorf("bridge: generated %+v", l.Linkinfo.Data)
			}
		}
	}
}

// Typed events of generated code: a device added in the namespace comes
// as Event.DevAddNtf, from group mgmt.
func TestKernelGeneratedEvents(t *testing.T) {
	ns := kerneltest.NetNS(t)
	gen, err := gennetdev.Dial(&netlink.Config{NetNS: ns})
	if err != nil {
		t.Fatal(err)
	}
	defer gen.Close()
	ctx, cancel := contextTimeout(t, 5*time.Second)
	defer cancel()
	if err := gen.JoinGroup(ctx, "mgmt"); err != nil {
		t.Fatal(err)
	}
	veth(t, ns, "ge0", "ge1")
	for ev, err := range gen.Events(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if ev.Op != "dev-add-ntf" || ev.Group != "mgmt" || ev.DevAddNtf == nil || !ev.DevAddNtf.Ifindex.Set {
			t.Errorf("event %+v", ev)
		}
		break
	}
}
