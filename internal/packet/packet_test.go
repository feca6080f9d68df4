package packet

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func csum(b []byte) uint16 {
	var s uint32
	for i := 0; i+1 < len(b); i += 2 {
		s += uint32(binary.BigEndian.Uint16(b[i:]))
	}
	if len(b)%2 == 1 {
		s += uint32(b[len(b)-1]) << 8
	}
	for s>>16 != 0 {
		s = s&0xffff + s>>16
	}
	return ^uint16(s)
}

func v4(proto byte, src, dst string, l4 []byte, frag uint16) []byte {
	b := make([]byte, 20, 20+len(l4))
	b[0] = 0x45
	binary.BigEndian.PutUint16(b[2:], uint16(20+len(l4)))
	binary.BigEndian.PutUint16(b[6:], frag)
	b[8] = 64
	b[9] = proto
	s, d := netip.MustParseAddr(src).As4(), netip.MustParseAddr(dst).As4()
	copy(b[12:], s[:])
	copy(b[16:], d[:])
	binary.BigEndian.PutUint16(b[10:], csum(b))
	return append(b, l4...)
}

func v6(next byte, src, dst string, l4 []byte) []byte {
	b := make([]byte, 40, 40+len(l4))
	b[0] = 0x60
	binary.BigEndian.PutUint16(b[4:], uint16(len(l4)))
	b[6] = next
	b[7] = 64
	s, d := netip.MustParseAddr(src).As16(), netip.MustParseAddr(dst).As16()
	copy(b[8:], s[:])
	copy(b[24:], d[:])
	return append(b, l4...)
}

func udp(sp, dp uint16, payload int) []byte {
	b := make([]byte, 8+payload)
	binary.BigEndian.PutUint16(b[0:], sp)
	binary.BigEndian.PutUint16(b[2:], dp)
	binary.BigEndian.PutUint16(b[4:], uint16(8+payload))
	return b
}

func tcp(sp, dp uint16, seq, ack uint32, flags byte, opts []byte, payload int) []byte {
	b := make([]byte, 20, 20+len(opts)+payload)
	binary.BigEndian.PutUint16(b[0:], sp)
	binary.BigEndian.PutUint16(b[2:], dp)
	binary.BigEndian.PutUint32(b[4:], seq)
	binary.BigEndian.PutUint32(b[8:], ack)
	b[12] = byte((20+len(opts))/4) << 4
	b[13] = flags
	binary.BigEndian.PutUint16(b[14:], 64240)
	b = append(b, opts...)
	return append(b, make([]byte, payload)...)
}

func icmpEcho(typ byte, id, seq uint16, payload int) []byte {
	b := make([]byte, 8+payload)
	b[0] = typ
	binary.BigEndian.PutUint16(b[4:], id)
	binary.BigEndian.PutUint16(b[6:], seq)
	return b
}

var samples = []struct {
	name string
	pkt  []byte
	want string
}{
	{"udp4", v4(17, "198.18.0.1", "198.18.0.2", udp(40000, 5001, 12), 0), "IP 198.18.0.1.40000 > 198.18.0.2.5001: UDP, length 12"},
	{"syn4", v4(6, "198.18.0.1", "198.18.0.2", tcp(40000, 5001, 1000, 0, 0x02, []byte{2, 4, 5, 0xb4}, 0), 0), "IP 198.18.0.1.40000 > 198.18.0.2.5001: Flags [S], seq 1000, win 64240, options [...], length 0"},
	{"synack4", v4(6, "198.18.0.2", "198.18.0.1", tcp(5001, 40000, 7, 1001, 0x12, nil, 0), 0), "IP 198.18.0.2.5001 > 198.18.0.1.40000: Flags [S.], seq 7, ack 1001, win 64240, length 0"},
	{"data4", v4(6, "198.18.0.1", "198.18.0.2", tcp(40000, 5001, 1001, 8, 0x18, nil, 100), 0), "IP 198.18.0.1.40000 > 198.18.0.2.5001: Flags [P.], seq 1001:1101, ack 8, win 64240, length 100"},
	{"ack4", v4(6, "198.18.0.1", "198.18.0.2", tcp(40000, 5001, 1101, 8, 0x10, nil, 0), 0), "IP 198.18.0.1.40000 > 198.18.0.2.5001: Flags [.], ack 8, win 64240, length 0"},
	{"fin4", v4(6, "198.18.0.1", "198.18.0.2", tcp(40000, 5001, 1101, 8, 0x11, nil, 0), 0), "IP 198.18.0.1.40000 > 198.18.0.2.5001: Flags [F.], seq 1101, ack 8, win 64240, length 0"},
	{"rst4", v4(6, "198.18.0.1", "198.18.0.2", tcp(40000, 5001, 1101, 0, 0x04, nil, 0), 0), "IP 198.18.0.1.40000 > 198.18.0.2.5001: Flags [R], seq 1101, win 64240, length 0"},
	{"echo4", v4(1, "198.18.0.1", "198.18.0.2", icmpEcho(8, 7, 3, 56), 0), "IP 198.18.0.1 > 198.18.0.2: ICMP echo request, id 7, seq 3, length 64"},
	{"reply4", v4(1, "198.18.0.2", "198.18.0.1", icmpEcho(0, 7, 3, 56), 0), "IP 198.18.0.2 > 198.18.0.1: ICMP echo reply, id 7, seq 3, length 64"},
	{"udp6", v6(17, "2001:db8::1", "2001:db8::2", udp(40000, 5001, 30)), "IP6 2001:db8::1.40000 > 2001:db8::2.5001: UDP, length 30"},
	{"syn6", v6(6, "2001:db8::1", "2001:db8::2", tcp(40000, 443, 5, 0, 0x02, nil, 0)), "IP6 2001:db8::1.40000 > 2001:db8::2.443: Flags [S], seq 5, win 64240, length 0"},
	{"echo6", v6(58, "2001:db8::1", "2001:db8::2", icmpEcho(128, 9, 1, 16)), "IP6 2001:db8::1 > 2001:db8::2: ICMP6, echo request, id 9, seq 1, length 24"},
}

func TestSummary(t *testing.T) {
	for _, s := range samples {
		if got := Summary(s.pkt).String(); got != s.want {
			t.Errorf("%s:\n got %s\nwant %s", s.name, got, s.want)
		}
	}
	i := Summary(samples[0].pkt)
	if i.Version != 4 || i.SrcPort != 40000 || i.DstPort != 5001 || i.Protocol != ProtoUDP || i.PayloadLength != 12 || i.Length != 40 || i.TTL != 64 {
		t.Errorf("udp4 fields %+v", i)
	}
}

// TestSummaryLikeTcpdump writes the samples to a pcap file and checks that
// tcpdump reads it and describes each packet as Summary does (TCP options
// shortened to "[...]": Summary does not list them; -S: absolute sequence
// numbers, as a packet described alone has).
func TestSummaryLikeTcpdump(t *testing.T) {
	td, err := exec.LookPath("tcpdump")
	if err != nil {
		for _, p := range []string{"/usr/bin/tcpdump", "/usr/sbin/tcpdump"} {
			if _, e := os.Stat(p); e == nil {
				td, err = p, nil
			}
		}
	}
	if err != nil {
		if os.Getenv("NLKIT_KERNEL_TESTS") == "require" {
			t.Fatal("tcpdump not found: install the Debian package tcpdump")
		}
		t.Skip("tcpdump not found: install the Debian package tcpdump")
	}
	var buf bytes.Buffer
	w, err := NewWriter(&buf, LinkRaw, 0)
	if err != nil {
		t.Fatal(err)
	}
	ts := time.Unix(1_700_000_000, 123456789)
	for _, s := range samples {
		if err := w.WritePacket(ts, s.pkt, len(s.pkt)); err != nil {
			t.Fatal(err)
		}
	}
	// A record cut short by a snap length keeps its original length.
	if err := w.WritePacket(ts, samples[0].pkt[:28], len(samples[0].pkt)); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "s.pcap")
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(td, "-n", "-S", "-t", "-r", file).CombinedOutput()
	if err != nil {
		t.Fatalf("tcpdump: %v\n%s", err, out)
	}
	opts := regexp.MustCompile(`options \[[^]]*\]`)
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if strings.HasPrefix(l, "reading from file") {
			continue
		}
		lines = append(lines, opts.ReplaceAllString(l, "options [...]"))
	}
	if len(lines) != len(samples)+1 {
		t.Fatalf("tcpdump read %d records, want %d:\n%s", len(lines), len(samples)+1, out)
	}
	for i, s := range samples {
		if lines[i] != s.want {
			t.Errorf("%s: tcpdump says\n  %s\nSummary says\n  %s", s.name, lines[i], s.want)
		}
	}
	if !strings.Contains(lines[len(samples)], "198.18.0.1.40000 > 198.18.0.2.5001") {
		t.Errorf("the cut record: %s", lines[len(samples)])
	}
	// The timestamp survives at nanosecond precision.
	out, err = exec.Command(td, "-n", "--nano", "-tt", "-c", "1", "-r", file).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "1700000000.123456789 ") {
		t.Errorf("timestamp: %v\n%s", err, out)
	}
}

// TestSummaryCut: every prefix of every sample is described without a
// panic, and a prefix shorter than the headers says it was truncated.
func TestSummaryCut(t *testing.T) {
	for _, s := range samples {
		for n := range len(s.pkt) {
			i := Summary(s.pkt[:n])
			if i.String() == "" {
				t.Fatalf("%s cut to %d: empty text", s.name, n)
			}
			hdr := 20
			if s.pkt[0]>>4 == 6 {
				hdr = 40
			}
			if n > 0 && n < hdr+4 && !i.Truncated {
				t.Fatalf("%s cut to %d: %q not marked truncated", s.name, n, i)
			}
		}
	}
}

func FuzzSummary(f *testing.F) {
	for _, s := range samples {
		f.Add(s.pkt)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if Summary(b).String() == "" {
			t.Fatal("empty text")
		}
	})
}
