//go:build linux

package ethtool

import (
	"context"
	"errors"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nlkit/nlkit/genl/internal/gtest"
	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netlink"
)

// dialVeth opens a Conn in a throwaway namespace holding the veth pair
// et0/et1 and returns et0.
func dialVeth(t *testing.T) (*Conn, Device) {
	t.Helper()
	cfg := gtest.Config(t)
	a, _ := gtest.Veth(t, cfg.NetNS, "et0", "et1")
	c, err := Dial(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, Device{Index: a, Name: "et0"}
}

func TestLinkInfo(t *testing.T) {
	c, dev := dialVeth(t)
	ctx := t.Context()
	for _, sel := range []Device{ByName(dev.Name), ByIndex(dev.Index)} {
		l, err := c.LinkInfo(ctx, sel)
		if err != nil {
			t.Fatal(err)
		}
		want := LinkInfo{Device: dev, Port: PortTP, Transceiver: TransceiverInternal}
		if l != want {
			t.Errorf("LinkInfo(%v) = %+v, want %+v", sel, l, want)
		}
	}
	all, err := netlink.Collect(c.LinkInfos(ctx))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, l := range all {
		names = append(names, l.Device.Name)
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"et0", "et1"}) {
		t.Errorf("LinkInfos: %v", all)
	}
}

func TestLinkModes(t *testing.T) {
	c, dev := dialVeth(t)
	l, err := c.LinkModes(t.Context(), ByName(dev.Name))
	if err != nil {
		t.Fatal(err)
	}
	// veth reports 10 Gb/s full duplex, no autonegotiation, no modes.
	if l.Device != dev || l.Speed != 10000 || l.Duplex != DuplexFull || l.Autoneg || l.Ours.Size == 0 {
		t.Errorf("LinkModes = %+v", l)
	}
	if s := l.String(); s != "et0 speed 10000Mb/s duplex Full autoneg off" {
		t.Errorf("String = %q", s)
	}
	compact, err := c.linkModes(t.Context(), ByName(dev.Name), flagCompactBitsets)
	if err != nil {
		t.Fatal(err)
	}
	if compact.Ours.Size != l.Ours.Size || compact.Speed != l.Speed {
		t.Errorf("compact %+v, verbose %+v", compact, l)
	}
}

func TestChannels(t *testing.T) {
	c, dev := dialVeth(t)
	ch, err := c.Channels(t.Context(), ByIndex(dev.Index))
	if err != nil {
		t.Fatal(err)
	}
	if ch.Device != dev || ch.RxCount < 1 || ch.TxCount < 1 || ch.RxMax < ch.RxCount || ch.TxMax < ch.TxCount {
		t.Errorf("Channels = %+v", ch)
	}
}

func TestRings(t *testing.T) {
	c, dev := dialVeth(t)
	_, err := c.Rings(t.Context(), ByName(dev.Name))
	var ne *netlink.Error
	if !errors.Is(err, syscall.EOPNOTSUPP) || !errors.As(err, &ne) || ne.Op != `ethtool get rings of "et0"` ||
		err.Error() != `ethtool: get rings of "et0": operation not supported` {
		t.Errorf("Rings(veth) = %v, want EOPNOTSUPP naming the device (veth has no rings)", err)
	}
}

func TestFeatures(t *testing.T) {
	c, dev := dialVeth(t)
	ctx := t.Context()
	f, err := c.Features(ctx, ByName(dev.Name))
	if err != nil {
		t.Fatal(err)
	}
	if f.Device != dev || len(f.HW.Bits) < 30 || f.HW.NoMask || !f.Active.NoMask {
		t.Fatalf("Features: device %v, %d known, masks %v %v", f.Device, len(f.HW.Bits), f.HW.NoMask, f.Active.NoMask)
	}
	if !f.Enabled("rx-checksum") || !f.Fixed("tx-checksum-ipv4") || f.Fixed("tx-generic-segmentation") {
		t.Errorf("veth features:\n%s", f)
	}
	for _, b := range f.Active.Bits {
		if !b.Set || b.Name != "" && !f.HW.Has(b.Name) {
			t.Errorf("active bit %+v not among the known ones", b)
		}
	}
	// String and Named list the named features only, as ethtool -k.
	unnamed := 0
	for _, x := range f.HW.Bits {
		if x.Name == "" {
			unnamed++
		}
	}
	named := f.Named()
	if unnamed == 0 || len(named) != len(f.HW.Bits)-unnamed {
		t.Errorf("%d bits, %d unnamed, Named lists %d", len(f.HW.Bits), unnamed, len(named))
	}
	s := f.String()
	if strings.Contains(s, "bit ") || strings.Count(s, "\n") != len(named)+1 || !strings.HasPrefix(s, "Features for et0:\n") {
		t.Errorf("String:\n%s", s)
	}
	for _, x := range named {
		if x.Name == "" || x.Active != f.Enabled(x.Name) || x.Fixed != f.Fixed(x.Name) || x.Requested != f.Wanted.IsSet(x.Name) {
			t.Errorf("Named: %+v", x)
		}
		line := x.Name + ": " + map[bool]string{true: "on", false: "off"}[x.Active]
		if !strings.Contains(s, "\n"+line) {
			t.Errorf("String lacks %q", line)
		}
	}
	if i := slices.IndexFunc(named, func(x Feature) bool { return x.Name == "tx-checksum-ipv4" }); i < 0 || !named[i].Fixed || !strings.Contains(s, "\ntx-checksum-ipv4: off [fixed]\n") {
		t.Errorf("tx-checksum-ipv4 not fixed:\n%s", s)
	}

	// The compact form carries the same bits, without names.
	cf, err := c.features(ctx, ByName(dev.Name), flagCompactBitsets)
	if err != nil {
		t.Fatal(err)
	}
	for name, p := range map[string][2]Bitset{"hw": {f.HW, cf.HW}, "wanted": {f.Wanted, cf.Wanted}, "active": {f.Active, cf.Active}, "nochange": {f.NoChange, cf.NoChange}} {
		v, k := p[0], p[1]
		if v.Size != k.Size || v.NoMask != k.NoMask || len(v.Bits) != len(k.Bits) {
			t.Errorf("%s: verbose %d bits (size %d), compact %d bits (size %d)", name, len(v.Bits), v.Size, len(k.Bits), k.Size)
			continue
		}
		for i := range v.Bits {
			if v.Bits[i].Index != k.Bits[i].Index || v.Bits[i].Set != k.Bits[i].Set || k.Bits[i].Name != "" {
				t.Errorf("%s bit %d: verbose %+v, compact %+v", name, i, v.Bits[i], k.Bits[i])
			}
		}
	}
}

func TestErrors(t *testing.T) {
	c, _ := dialVeth(t)
	ctx := t.Context()
	_, err := c.LinkInfo(ctx, ByName("nosuch0"))
	var ne *netlink.Error
	if !errors.Is(err, syscall.ENODEV) || !errors.As(err, &ne) || ne.Message != "no device matches name" || ne.AttrType != headerDevName {
		t.Errorf("missing device by name: %v", err)
	}
	_, err = c.Features(ctx, ByIndex(9999))
	if !errors.As(err, &ne) || ne.Errno != syscall.ENODEV || ne.Message != "no device matches ifindex" || ne.AttrType != headerDevIndex {
		t.Errorf("missing device by index: %v", err)
	}
	if _, err := c.Channels(ctx, Device{}); err == nil {
		t.Errorf("no device: no error")
	}
}

// CommandNames names every request the kernel's ethtool family lists,
// and Family.Format and Policy.Format print the names.
func TestCommandNames(t *testing.T) {
	c, _ := dialVeth(t)
	ctx := t.Context()
	f, err := c.Genl().Family(ctx, FamilyName)
	if err != nil {
		t.Fatal(err)
	}
	names := CommandNames()
	for _, o := range f.Ops {
		if names[o.Command] == "" && o.Command <= 50 { // newer kernels may have more
			t.Errorf("command %d (%s) has no name", o.Command, o.Flags)
		}
	}
	for id, want := range map[uint8]string{msgStrsetGet: "strset-get", msgLinkinfoGet: "linkinfo-get", msgLinkmodesGet: "linkmodes-get",
		msgFeaturesGet: "features-get", msgRingsGet: "rings-get", msgChannelsGet: "channels-get"} {
		if names[id] != want {
			t.Errorf("command %d: %q, want %q", id, names[id], want)
		}
	}
	if id, ok := names.Command("rss-delete-act"); !ok || id != 50 {
		t.Errorf("Command(rss-delete-act) = %d %v", id, ok)
	}
	if d := f.Format(names); !strings.Contains(d, "  ID-0xb  features-get  ") {
		t.Errorf("Format:\n%s", d)
	}
	p, err := c.Genl().CommandPolicy(ctx, FamilyName, msgChannelsGet)
	if err != nil {
		t.Fatal(err)
	}
	if s := p.Format(names); !strings.Contains(s, "\n  cmd 17 channels-get do: policy #") {
		t.Errorf("Policy.Format:\n%s", s)
	}
}

// SetChannels changes a multi-queue veth's channels; the change is
// announced on the monitor group with the new counts, and errors name the
// device with the kernel's explanation.
func TestSetChannelsEvents(t *testing.T) {
	cfg := gtest.Config(t)
	kerneltest.Run(t, cfg.NetNS, "ip", "link", "add", "mq0", "numtxqueues", "4", "numrxqueues", "4",
		"type", "veth", "peer", "name", "mq1", "numtxqueues", "4", "numrxqueues", "4")
	c, err := Dial(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	dev := ByName("mq0")
	before, err := c.Channels(ctx, dev)
	if err != nil {
		t.Fatal(err)
	}
	if before.RxMax < 2 || before.TxMax < 2 {
		t.Fatalf("channels %v: want at least 2 of each", before)
	}
	if err := c.JoinGroup(ctx, GroupMonitor); err != nil {
		t.Fatal(err)
	}
	two := uint32(2)
	if err := c.SetChannels(ctx, dev, ChannelsChange{Rx: &two}); err != nil {
		t.Fatal(err)
	}
	after, err := c.Channels(ctx, dev)
	if err != nil {
		t.Fatal(err)
	}
	if after.RxCount != 2 || after.TxCount != before.TxCount {
		t.Errorf("after SetChannels(rx 2): %v (before %v)", after, before)
	}
	for ev, err := range c.Events(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if ev.Type != ChannelsChanged || ev.Channels == nil || ev.Device.Name != "mq0" {
			t.Fatalf("event %v (%+v), want channels-ntf of mq0", ev, ev)
		}
		if *ev.Channels != after {
			t.Errorf("event's channels %v, Channels says %v", *ev.Channels, after)
		}
		break
	}
	many := before.RxMax + 1
	err = c.SetChannels(ctx, dev, ChannelsChange{Rx: &many})
	var ne *netlink.Error
	if !errors.Is(err, syscall.EINVAL) || !errors.As(err, &ne) || ne.Message == "" ||
		!strings.HasPrefix(err.Error(), `ethtool: set channels of "mq0": invalid argument: `+ne.Message) {
		t.Errorf("SetChannels above the maximum: %v", err)
	}
	if err := c.SetChannels(ctx, Device{}, ChannelsChange{}); err == nil {
		t.Errorf("SetChannels without a device: no error")
	}
}
