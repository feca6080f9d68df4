package ethtool

import (
	"reflect"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/genl"
	"github.com/nlkit/nlkit/nlattr"
)

func TestBitsetForms(t *testing.T) {
	for name, tc := range map[string]struct {
		in   []byte
		want Bitset
	}{
		"verbose with mask": {
			verbose(t, 40, false, []Bit{{35, "c", true}, {1, "a", true}, {3, "b", false}}),
			Bitset{Size: 40, Bits: []Bit{{1, "a", true}, {3, "b", false}, {35, "c", true}}},
		},
		"verbose list": {
			verbose(t, 40, true, []Bit{{2, "x", true}}),
			Bitset{Size: 40, NoMask: true, Bits: []Bit{{2, "x", true}}},
		},
		"compact with mask": {
			compact(t, 40, []uint32{0b0010, 1 << 3}, []uint32{0b1010, 1<<3 | 1<<7}),
			Bitset{Size: 40, Bits: []Bit{{1, "", true}, {3, "", false}, {35, "", true}, {39, "", false}}},
		},
		"compact list": {
			compact(t, 33, []uint32{1 << 31, 0b11}, nil),
			Bitset{Size: 33, NoMask: true, Bits: []Bit{{31, "", true}, {32, "", true}}}, // bit 33 is past Size
		},
	} {
		var b Bitset
		if err := b.UnmarshalBinary(tc.in); err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !reflect.DeepEqual(b, tc.want) {
			t.Errorf("%s:\n got  %#v\n want %#v", name, b, tc.want)
		}
	}
	b := Bitset{Bits: []Bit{{1, "a", true}, {3, "b", false}, {35, "", true}}}
	if !b.IsSet("a") || b.IsSet("b") || !b.Has("b") || b.Has("z") || !b.IndexSet(35) || b.IndexSet(3) || b.IndexSet(4) {
		t.Errorf("lookups wrong")
	}
	if s := b.String(); s != "a bit 35" {
		t.Errorf("String = %q", s)
	}
	if n := b.Names(); !reflect.DeepEqual(n, []string{"a", "b", "bit 35"}) {
		t.Errorf("Names = %v", n)
	}
}

func TestBitsetErrors(t *testing.T) {
	for name, in := range map[string][]byte{
		"odd words":       {7, 0, bitsetValue, 0, 1, 2, 3, 0, 8, 0, bitsetSize, 0, 8, 0, 0, 0},
		"value, no mask":  compact(t, 8, []uint32{1}, nil)[8:], // without the NOMASK flag
		"bit w/o index":   {12, 0, bitsetBits, 0x80, 8, 0, bitsBit, 0x80, 4, 0, bitValue, 0},
		"truncated":       {9, 0, 2, 0},
		"size wrong size": {6, 0, bitsetSize, 0, 1, 0, 0, 0},
	} {
		var b Bitset
		if err := b.UnmarshalBinary(in); err == nil {
			t.Errorf("%s: no error (%+v)", name, b)
		}
	}
}

func TestDecodeReplies(t *testing.T) {
	dev := Device{Index: 4, Name: "eth0"}
	var r Rings
	err := r.UnmarshalBinary(reply(t, func(e *nlattr.Encoder) {
		e.Uint32(ringsRxMax, 4096)
		e.Uint32(ringsTxMax, 4096)
		e.Uint32(ringsRx, 512)
		e.Uint32(ringsTx, 256)
		e.Uint8(ringsTCPDataSplit, 2)
		e.Uint8(ringsTxPush, 1)
		e.Uint32(ringsHDSThresh, 128)
		e.Uint32(99, 1) // newer than us
	}))
	if err != nil {
		t.Fatal(err)
	}
	want := Rings{Device: dev, RxMax: 4096, TxMax: 4096, Rx: 512, Tx: 256, TCPDataSplit: TCPDataSplitEnabled, TxPush: true, HDSThresh: 128}
	if r != want {
		t.Errorf("Rings = %+v", r)
	}
	if s := r.String(); s != "eth0 max rx 4096 rx-mini 0 rx-jumbo 0 tx 4096 current rx 512 rx-mini 0 rx-jumbo 0 tx 256" {
		t.Errorf("Rings String = %q", s)
	}
	var lm LinkModes
	err = lm.UnmarshalBinary(reply(t, func(e *nlattr.Encoder) {
		e.Uint8(linkmodesAutoneg, 1)
		e.Nest(linkmodesOurs)
		e.Bytes(0, nil)
		e.End()
		e.Uint32(linkmodesSpeed, SpeedUnknown)
		e.Uint8(linkmodesDuplex, uint8(DuplexUnknown))
		e.Uint32(linkmodesLanes, 4)
	}))
	if err != nil {
		t.Fatal(err)
	}
	if lm.Device != dev || !lm.Autoneg || lm.Lanes != 4 || lm.String() != "eth0 speed Unknown! duplex Unknown! autoneg on" {
		t.Errorf("LinkModes = %+v (%s)", lm, lm)
	}
	// A bit set inside a reply: modes by name.
	ours := verbose(t, 100, false, []Bit{{5, "1000baseT/Full", true}, {4, "1000baseT/Half", false}})
	e := nlattr.NewEncoder(nil)
	e.Bytes(linkmodesOurs|nlattr.Nested, ours)
	b, _ := e.Finish()
	if err := lm.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(lm.Supported(), []string{"1000baseT/Half", "1000baseT/Full"}) || !reflect.DeepEqual(lm.Advertised(), []string{"1000baseT/Full"}) {
		t.Errorf("Supported %v Advertised %v", lm.Supported(), lm.Advertised())
	}
	var li LinkInfo
	if err := li.UnmarshalBinary(reply(t, func(e *nlattr.Encoder) { e.Uint32(linkinfoPort, 1) })); err == nil {
		t.Errorf("u32 port: no error")
	}
	var f Features
	err = f.UnmarshalBinary(reply(t, func(e *nlattr.Encoder) {
		e.Bytes(featuresHW|nlattr.Nested, verbose(t, 3, false, []Bit{{0, "a", true}, {1, "b", false}, {2, "c", true}}))
		e.Bytes(featuresWanted|nlattr.Nested, verbose(t, 3, true, []Bit{{0, "a", true}, {2, "c", true}}))
		e.Bytes(featuresActive|nlattr.Nested, verbose(t, 3, true, []Bit{{0, "a", true}}))
		e.Bytes(featuresNoChange|nlattr.Nested, verbose(t, 3, true, nil))
	}))
	if err != nil {
		t.Fatal(err)
	}
	if want := "Features for eth0:\na: on\nb: off [fixed]\nc: off [requested on]\n"; f.String() != want {
		t.Errorf("Features String =\n%s\nwant\n%s", f, want)
	}
	// A retired bit has no name: left out, as ethtool -k leaves it out.
	err = f.UnmarshalBinary(reply(t, func(e *nlattr.Encoder) {
		e.Bytes(featuresHW|nlattr.Nested, verbose(t, 4, false, []Bit{{0, "a", true}, {1, "", false}, {2, "c", true}, {3, "d", false}}))
		e.Bytes(featuresWanted|nlattr.Nested, verbose(t, 4, true, []Bit{{0, "a", true}, {3, "d", true}}))
		e.Bytes(featuresActive|nlattr.Nested, verbose(t, 4, true, []Bit{{2, "c", true}}))
		e.Bytes(featuresNoChange|nlattr.Nested, verbose(t, 4, true, []Bit{{2, "c", true}}))
	}))
	if err != nil {
		t.Fatal(err)
	}
	if want := "Features for eth0:\na: off [requested on]\nc: on [fixed] [requested off]\nd: off [fixed] [requested on]\n"; f.String() != want {
		t.Errorf("Features String =\n%s\nwant\n%s", f, want)
	}
	wantNamed := []Feature{{Name: "a", Index: 0, Requested: true}, {Name: "c", Index: 2, Active: true, Fixed: true}, {Name: "d", Index: 3, Fixed: true, Requested: true}}
	if got := f.Named(); !reflect.DeepEqual(got, wantNamed) {
		t.Errorf("Named = %+v\nwant %+v", got, wantNamed)
	}
	var ch Channels
	if err := ch.UnmarshalBinary(reply(t, func(e *nlattr.Encoder) { e.Uint32(channelsCombinedMax, 8); e.Uint32(channelsCombinedCount, 4) })); err != nil || ch.CombinedMax != 8 || ch.CombinedCount != 4 {
		t.Errorf("Channels = %+v, %v", ch, err)
	}
	if !strings.Contains(ch.String(), "combined 4") {
		t.Errorf("Channels String = %q", ch)
	}
}

func TestStrings(t *testing.T) {
	for got, want := range map[string]string{
		PortDA.String(): "Direct Attach Copper", Port(9).String(): "Unknown! (9)",
		MDIX.String(): "on", MDIAuto.String(): "auto", TransceiverExternal.String(): "external",
		DuplexHalf.String(): "Half", TCPDataSplitDisabled.String(): "off",
		Device{Index: 3}.String(): "ifindex 3", ByName("x").String(): "x",
	} {
		if got != want {
			t.Errorf("%q, want %q", got, want)
		}
	}
}

// Notifications decode like the replies of their kind; others give the
// type and the device; a malformed one is an error.
func TestEventDecode(t *testing.T) {
	dev := Device{Index: 4, Name: "eth0"}
	ntf := func(cmd EventType, b []byte) genl.Notification {
		return genl.Notification{Message: genl.Message{Command: uint8(cmd), Data: b}, Family: FamilyName, Group: GroupMonitor}
	}
	ev, ok, err := event(ntf(ChannelsChanged, reply(t, func(e *nlattr.Encoder) { e.Uint32(channelsRxCount, 2) })))
	if err != nil || !ok || ev.Device != dev || ev.Channels == nil || ev.Channels.RxCount != 2 || ev.Rings != nil {
		t.Errorf("channels-ntf: %+v %v %v", ev, ok, err)
	}
	if s := ev.String(); s != "channels-ntf eth0" {
		t.Errorf("String %q", s)
	}
	ev, ok, err = event(ntf(PauseChanged, reply(t, func(e *nlattr.Encoder) {})))
	if err != nil || !ok || ev.Type != PauseChanged || ev.Device != dev || ev.Channels != nil {
		t.Errorf("pause-ntf: %+v %v %v", ev, ok, err)
	}
	if _, _, err := event(ntf(ChannelsChanged, []byte{8, 0, 1, 0})); err == nil {
		t.Errorf("malformed channels-ntf: no error")
	}
	if s := EventType(99).String(); s != "cmd-99" {
		t.Errorf("unknown type: %q", s)
	}
}
