package cli

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"io"
	"testing"

	"github.com/nlkit/nlkit/netlink"
)

// FuzzRawRecords: the records nl decodes itself from raw route-netlink
// messages (nexthops, netconf, address labels) and monitor file's stream
// never panic, whatever the bytes; what they print as JSON is JSON.
func FuzzRawRecords(f *testing.F) {
	f.Add(uint16(rtmNewNexthop), []byte{2, 0, 3, 0, 0, 0, 0, 0, 8, 0, 1, 0, 1, 0, 0, 0, 8, 0, 6, 0, 198, 18, 2, 2})
	f.Add(uint16(rtmNewNetconf), []byte{2, 0, 0, 0, 8, 0, 1, 0, 255, 255, 255, 255, 8, 0, 3, 0, 2, 0, 0, 0})
	f.Add(uint16(rtmNewAddrLabel), []byte{10, 0, 64, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 2, 0, 5, 0, 0, 0})
	f.Fuzz(func(t *testing.T, typ uint16, data []byte) {
		for _, asJSON := range []bool{false, true} {
			e := &env{opts: Options{JSON: asJSON, Details: true}, stdout: io.Discard, stderr: io.Discard,
				names: map[string]int32{"lo": 1}, indexes: map[int32]string{1: "lo"}}
			m := netlink.Message{Header: netlink.Header{Type: netlink.MessageType(typ)}, Data: data}
			ctx := context.Background()
			for _, p := range []*printer{e.nexthopFormat(ctx, m), e.netconfFormat(ctx, m)} {
				checkRecordJSON(t, p)
			}
			if len(data) >= ifaddrlblmsgLen {
				checkRecordJSON(t, e.addrlabelFormat(ctx, data))
			}
			var b bytes.Buffer
			binary.Write(&b, binary.NativeEndian, netlink.Header{Length: uint32(16 + len(data)), Type: netlink.MessageType(typ)})
			b.Write(data)
			parseMessages(b.Bytes())
		}
	})
}

// checkRecordJSON wants a JSON record to encode as JSON.
func checkRecordJSON(t *testing.T, p *printer) {
	t.Helper()
	if p == nil || !p.json {
		return
	}
	b, err := appendJSON(nil, p.obj)
	if err != nil || !json.Valid(b) {
		t.Fatalf("record is not JSON: %v %s", err, b)
	}
}

// FuzzIPPretty: ip's pretty layout of JSON never panics, and of valid
// JSON gives JSON with the same value.
func FuzzIPPretty(f *testing.F) {
	f.Add([]byte(`[{"a":1,"b":["x","y"],"c":{"d":[]},"e":[{"f":null}]}]`))
	f.Add([]byte(`]]}}{[`))
	f.Fuzz(func(t *testing.T, in []byte) {
		out := ipPretty(nil, in)
		var a, b any
		if json.Unmarshal(in, &a) != nil {
			return
		}
		var compact bytes.Buffer
		if json.Compact(&compact, in) != nil {
			return
		}
		out = ipPretty(nil, compact.Bytes())
		if err := json.Unmarshal(out, &b); err != nil {
			t.Fatalf("%s -> %s: %v", in, out, err)
		}
	})
}

// TestProgText: the program's name put in help and messages when nl is
// invoked as ip, and nowhere else (a device or namespace named nl).
func TestProgText(t *testing.T) {
	for _, tc := range [][2]string{
		{"Usage: nl neigh { add | del }\n       nl neigh get ADDR\n", "Usage: ip neigh { add | del }\n       ip neigh get ADDR\n"},
		{"Usage:\tnl netns list\n\tnl netns add NAME\n", "Usage:\tip netns list\n\tip netns add NAME\n"},
		{`Object "x" is unknown, try "nl help".` + "\n", `Object "x" is unknown, try "ip help".` + "\n"},
		{`Option "-q" is unknown, try "nl -help".` + "\n", `Option "-q" is unknown, try "ip -help".` + "\n"},
		{`Device "nl" does not exist.` + "\n", `Device "nl" does not exist.` + "\n"},
		{`Cannot open network namespace "nl": No such file` + "\n", `Cannot open network namespace "nl": No such file` + "\n"},
		{"only channels\n", "only channels\n"},
		{`"nl address" alone is "nl address show"`, `"ip address" alone is "ip address show"`},
	} {
		if got := string(progText([]byte(tc[0]), "ip")); got != tc[1] {
			t.Errorf("%q: %q, want %q", tc[0], got, tc[1])
		}
		if got := string(progText([]byte(tc[0]), "nl")); got != tc[0] {
			t.Errorf("as nl, %q changed to %q", tc[0], got)
		}
	}
}
