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
