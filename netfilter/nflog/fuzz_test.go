package nflog

import (
	"bytes"
	"context"
	"os"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/fuzz/corpus"
)

// FuzzEntry fuzzes the entry decoder (Entry.UnmarshalBinary) and checks
// that what it decodes encodes and decodes back to the same entry.
func FuzzEntry(f *testing.F) {
	b, _ := fullEntry().MarshalBinary()
	f.Add(b)
	f.Add([]byte{2, 0, 0, 1})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		var e Entry
		if err := e.UnmarshalBinary(b); err != nil {
			return
		}
		_ = e.String()
		enc, err := e.MarshalBinary()
		if err != nil {
			return // a field the encoder refuses (an 8+ byte address cannot decode, so none today)
		}
		var again Entry
		if err := again.UnmarshalBinary(enc); err != nil {
			t.Fatalf("re-decoding the encoding of %v: %v", e, err)
		}
		if d := diff(norm(&e), norm(&again)); d != "" {
			t.Fatalf("decode-encode-decode differs:\n%s", d)
		}
		enc2, _ := again.MarshalBinary()
		if !bytes.Equal(enc, enc2) {
			t.Fatalf("encoding not stable")
		}
	})
}

// The entries recorded from the kernel decode with the target's decoder.
func TestFuzzSeedsReachDecoder(t *testing.T) {
	seeds := corpus.Read(t, "FuzzEntry")
	for _, s := range seeds {
		var e Entry
		if err := e.UnmarshalBinary(s.Args[0].([]byte)); err != nil || e.Group == 0 || e.HWProtocol == 0 {
			t.Errorf("%s: %v, %v", s.Name, e, err)
		}
	}
	if len(seeds) < 3 {
		t.Errorf("%d seeds recorded from the kernel, want at least 3 (NLKIT_RECORD_FUZZ_SEEDS=1 go test -run TestRecordFuzzSeeds ./netfilter/nflog)", len(seeds))
	}
}

// TestRecordFuzzSeeds records real entries (IPv4 and IPv6, input and
// output hooks, with sequence numbers, a mark, an owner, a prefix) as
// seeds of FuzzEntry, when NLKIT_RECORD_FUZZ_SEEDS=1.
func TestRecordFuzzSeeds(t *testing.T) {
	if os.Getenv("NLKIT_RECORD_FUZZ_SEEDS") != "1" {
		t.Skip("records seeds only with NLKIT_RECORD_FUZZ_SEEDS=1")
	}
	p := newPair(t)
	logRule(t, p, 40, 9999, "seed-in", "")
	nft(t, p.b, `table inet nlkit_seed {
	chain pre { type filter hook prerouting priority -300; udp dport 9999 meta mark set 0x7; }
	chain out { type filter hook output priority 0; udp dport 9999 log group 40 prefix "seed-out"; }
}
`)
	c := dial(t, p.b, Config{Group: 40, Flags: FlagSeq | FlagSeqGlobal})
	send(t, sender(t, p.a, "udp4"), addrB4, 9999, 2, payloadN)
	send(t, sender(t, p.a, "udp6"), addrB6, 9999, 2, payloadN)
	send(t, sender(t, p.b, "udp4"), addrA4, 9999, 1, payloadN)
	w, err := corpus.NewWriter(corpus.Dir("FuzzEntry"), 8)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	n := 0
	for m, err := range c.Netfilter().Netlink().Receive(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if m.Header.Type != packetType {
			continue
		}
		if _, err := w.Add("nflog-entry", append([]byte(nil), m.Data...)); err != nil {
			t.Fatal(err)
		}
		if n++; n == 5 {
			break
		}
	}
	t.Logf("%d seeds written", w.Len())
}

// FuzzInstances fuzzes the reader of the kernel's table of log groups.
func FuzzInstances(f *testing.F) {
	f.Add([]byte("    5   3885     0 2    30    100  1\n"))
	f.Add([]byte("1 2 3\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		list, err := parseInstances(bytes.NewReader(b))
		for _, in := range list {
			if in.CopyMode > 0xff || in.Queued < 0 || in.CopyRange < 0 || in.Timeout < 0 {
				t.Fatalf("decoded %+v (err %v)", in, err)
			}
		}
	})
}
