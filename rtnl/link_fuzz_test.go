//go:build linux

package rtnl

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"github.com/nlkit/nlkit/nlattr"
)

func TestLinkDecodeSeeds(t *testing.T) {
	want := map[string]func(Link) bool{
		"lo": func(l Link) bool { return l.Name == "lo" && l.Index == 1 && l.Type == LinkTypeLoopback && l.Kind == "" },
		"v1": func(l Link) bool {
			bp, ok := l.Port.(*BridgePort)
			return l.Name == "v1" && l.Kind == "veth" && l.Master == 4 && ok && bp.State == BridgePortDisabled
		},
		"br0": func(l Link) bool {
			b, ok := l.Info.(*Bridge)
			return l.Name == "br0" && ok && b.ForwardDelay != nil && b.MulticastSnooping != nil && *b.MulticastSnooping
		},
		"vx6": func(l Link) bool {
			v, ok := l.Info.(*Vxlan)
			return ok && v.VNI == 43 && v.Remote == lkAddr("2001:db8::2") && v.Local == lkAddr("2001:db8::1") &&
				v.Port == 4789 && v.Learning != nil && !*v.Learning
		},
		"mv0": func(l Link) bool {
			m, ok := l.Info.(*Macvlan)
			return ok && l.Kind == "macvlan" && !m.Tap && m.Mode == MacvlanBridge && l.Parent == 3
		},
		"tp0": func(l Link) bool {
			tt, ok := l.Info.(*TunTap)
			return ok && tt.Mode == TunModeTap && tt.Persist
		},
		"x0": func(l Link) bool { return l.Name == "x0" && l.HasLinkNetNSID && l.LinkNetNSID == 0 && l.Parent != 0 },
	}
	for name := range lkSeeds {
		l, err := decodeLink(lkSeed(t, name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !l.HasStats || l.MTU == 0 || len(l.HardwareAddr) != 6 || !want[name](l) {
			t.Errorf("%s: decoded %s", name, lkJSON(l))
		}
	}
}

// lkEncodeFull encodes l like lkMessage, returning errors: the codec.
func lkEncodeFull(l *Link) ([]byte, error) { return l.MarshalBinary() }

// FuzzDecodeLink decodes link messages. What decodes must not alias its
// input, and must survive encode -> decode unchanged, with encode ->
// decode -> encode giving the same bytes.
func FuzzDecodeLink(f *testing.F) {
	for name := range lkSeeds {
		f.Add(lkSeed(f, name))
	}
	full := lkFullLink()
	f.Add(lkMessage(f, &full))
	f.Add(make([]byte, linkMsgLen))
	f.Fuzz(func(t *testing.T, b []byte) {
		own := bytes.Clone(b)
		l, err := decodeLink(own)
		if err != nil {
			return
		}
		for i := range own {
			own[i] ^= 0xff
		}
		if again, _ := decodeLink(b); !reflect.DeepEqual(l, again) {
			t.Fatalf("decoded link aliases its input:\n%s\n%s", lkJSON(l), lkJSON(again))
		}
		b2, err := lkEncodeFull(&l)
		if errors.Is(err, nlattr.ErrTooLong) {
			return // re-encoding adds NUL terminators; a full nest can overflow
		}
		if err != nil {
			t.Fatalf("encoding %s: %v", lkJSON(l), err)
		}
		l2, err := decodeLink(b2)
		if err != nil {
			t.Fatalf("decoding re-encoded %s: %v\n% x", lkJSON(l), err, b2)
		}
		if !reflect.DeepEqual(l, l2) {
			t.Fatalf("round trip changed the link:\n%s\n%s", lkJSON(l), lkJSON(l2))
		}
		b3, err := lkEncodeFull(&l2)
		if err != nil || !bytes.Equal(b2, b3) {
			t.Fatalf("encoding not stable (%v):\n% x\n% x", err, b2, b3)
		}
	})
}
