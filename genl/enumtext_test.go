package genl_test

import (
	"encoding"
	"fmt"
	"reflect"
	"testing"

	"github.com/nlkit/nlkit/genl"
	"github.com/nlkit/nlkit/genl/ethtool"
	"github.com/nlkit/nlkit/genl/mptcp"
	"github.com/nlkit/nlkit/genl/netdev"
)

// textEnum is what every enum of the genl packages is.
type textEnum interface {
	fmt.Stringer
	encoding.TextMarshaler
	encoding.TextAppender
}

// Every value of every enum, named or not, reads back from its text, and
// the text is String's.
func TestEnumText(t *testing.T) {
	for _, zero := range []textEnum{
		genl.Kind(0), genl.PolicyKind(0),
		ethtool.Duplex(0), ethtool.Port(0), ethtool.MDIMode(0), ethtool.Transceiver(0), ethtool.TCPDataSplit(0), ethtool.EventType(0),
		mptcp.EventType(0), netdev.EventType(0),
	} {
		typ := reflect.TypeOf(zero)
		for i := range 300 {
			v := reflect.New(typ).Elem()
			if v.OverflowUint(uint64(i)) {
				break
			}
			v.SetUint(uint64(i))
			e := v.Interface().(textEnum)
			text, err := e.MarshalText()
			if err != nil || string(text) != e.String() {
				t.Fatalf("%v(%d): MarshalText %q, %v; String %q", typ, i, text, err, e)
			}
			if b, err := e.AppendText([]byte("x")); err != nil || string(b) != "x"+e.String() {
				t.Fatalf("%v(%d): AppendText %q, %v", typ, i, b, err)
			}
			back := reflect.New(typ)
			if err := back.Interface().(encoding.TextUnmarshaler).UnmarshalText(text); err != nil || back.Elem().Uint() != uint64(i) {
				t.Fatalf("%v: UnmarshalText(%q) = %v, %v; want %d", typ, text, back.Elem(), err, i)
			}
		}
		if err := reflect.New(typ).Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte("no such word")); err == nil {
			t.Errorf("%v: UnmarshalText of a bogus word: no error", typ)
		}
	}
}
