package rtnl

import (
	"bytes"
	"encoding"
	"reflect"
	"testing"
)

// The object codecs round-trip: UnmarshalBinary(MarshalBinary(x)) == x for
// what the kernel sends, and AppendBinary keeps what b held.
func TestObjectCodecRoundTrip(t *testing.T) {
	type codec interface {
		encoding.BinaryMarshaler
		encoding.BinaryAppender
	}
	check := func(name string, msg []byte, fresh func() encoding.BinaryUnmarshaler) {
		t.Helper()
		v := fresh()
		if err := v.UnmarshalBinary(msg); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		enc, err := reflect.ValueOf(v).Elem().Interface().(codec).MarshalBinary()
		if err != nil {
			t.Fatalf("%s: MarshalBinary: %v", name, err)
		}
		back := fresh()
		if err := back.UnmarshalBinary(enc); err != nil {
			t.Fatalf("%s: decoding the encoding: %v", name, err)
		}
		if !reflect.DeepEqual(back, v) {
			t.Errorf("%s: round trip\n got %+v\nwant %+v", name, back, v)
		}
		app, err := reflect.ValueOf(v).Elem().Interface().(codec).AppendBinary([]byte("head"))
		if err != nil || !bytes.Equal(app, append([]byte("head"), enc...)) {
			t.Errorf("%s: AppendBinary = % x, %v; want head + % x", name, app, err, enc)
		}
	}
	full := lkFullLink()
	check("full link", lkMessage(t, &full), func() encoding.BinaryUnmarshaler { return new(Link) })
	for name := range lkSeeds {
		check("link "+name, lkSeed(t, name), func() encoding.BinaryUnmarshaler { return new(Link) })
	}
	for i, s := range addrSeeds {
		var a Address
		if a.UnmarshalBinary(anSeed(t, s)) != nil || !a.Prefix.IsValid() {
			continue // seeds of malformed messages
		}
		check("address seed "+string(rune('0'+i)), anSeed(t, s), func() encoding.BinaryUnmarshaler { return new(Address) })
	}
	for i, s := range neighSeeds {
		var n Neighbor
		if n.UnmarshalBinary(anSeed(t, s)) != nil || !n.Addr.IsValid() {
			continue
		}
		check("neighbor seed "+string(rune('0'+i)), anSeed(t, s), func() encoding.BinaryUnmarshaler { return new(Neighbor) })
	}
	// An error leaves the zero value.
	l := lkFullLink()
	if err := l.UnmarshalBinary([]byte{1, 2}); err == nil || !reflect.DeepEqual(l, Link{}) {
		t.Errorf("UnmarshalBinary of garbage: %v, %+v", err, l)
	}
	a := Address{Index: 3}
	if err := a.UnmarshalBinary([]byte{1, 2}); err == nil || !reflect.DeepEqual(a, Address{}) {
		t.Errorf("Address.UnmarshalBinary of garbage: %v, %+v", err, a)
	}
	if _, err := (Address{}).MarshalBinary(); err == nil {
		t.Error("Address without Prefix encoded")
	}
}
