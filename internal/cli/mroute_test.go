package cli

import (
	"encoding/binary"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nlattr"
	"golang.org/x/sys/unix"
)

// mrouteMsg is a fabricated multicast route: what the kernel's ipmr and
// ip6mr send (this kernel has neither).
type mrouteMsg struct {
	del      bool
	family   byte
	src, dst string
	table    uint32
	iif      int32 // -1: no RTA_IIF
	oifs     [][2]int32
	noOifs   bool
	flags    uint32
	stats    []uint64
	expires  *uint64
	rtype    byte
}

func (r mrouteMsg) message(t testing.TB) netlink.Message {
	b := make([]byte, rtmsgLen)
	b[0] = r.family
	if r.src != "" {
		b[2] = byte(netip.MustParseAddr(r.src).BitLen())
	}
	if r.dst != "" {
		b[1] = byte(netip.MustParseAddr(r.dst).BitLen())
	}
	b[4] = byte(min(r.table, 252))
	b[7] = r.rtype
	if b[7] == 0 {
		b[7] = rtnMulticast
	}
	binary.NativeEndian.PutUint32(b[8:], r.flags)
	e := nlattr.NewEncoder(b)
	e.Uint32(unix.RTA_TABLE, r.table)
	if r.src != "" {
		e.Bytes(unix.RTA_SRC, netip.MustParseAddr(r.src).AsSlice())
	}
	if r.dst != "" {
		e.Bytes(unix.RTA_DST, netip.MustParseAddr(r.dst).AsSlice())
	}
	if r.iif >= 0 {
		e.Uint32(unix.RTA_IIF, uint32(r.iif))
	}
	if !r.noOifs {
		var mp []byte
		for _, o := range r.oifs {
			nh := make([]byte, rtnexthopLen)
			binary.NativeEndian.PutUint16(nh, rtnexthopLen)
			nh[3] = byte(o[1])
			binary.NativeEndian.PutUint32(nh[4:], uint32(o[0]))
			mp = append(mp, nh...)
		}
		e.Bytes(unix.RTA_MULTIPATH, mp)
	}
	if r.stats != nil {
		var s []byte
		for _, v := range r.stats {
			s = binary.NativeEndian.AppendUint64(s, v)
		}
		e.Bytes(rtaMFCStats, s)
	}
	if r.expires != nil {
		e.Uint64(rtaExpires, *r.expires)
	}
	data, err := e.Finish()
	if err != nil {
		t.Fatal(err)
	}
	typ := netlink.MessageType(unix.RTM_NEWROUTE)
	if r.del {
		typ = unix.RTM_DELROUTE
	}
	return netlink.Message{Header: netlink.Header{Type: typ}, Data: data}
}

func mrouteSamples() []mrouteMsg {
	age, zero := uint64(1234), uint64(0)
	return []mrouteMsg{
		{family: rtnlFamilyIPMR, src: "198.18.0.1", dst: "239.1.1.1", table: 253, iif: 1, oifs: [][2]int32{{1, 1}, {99, 3}},
			stats: []uint64{10, 1500, 0}, expires: &age},
		{family: rtnlFamilyIPMR, src: "198.18.0.2", dst: "239.1.1.2", table: 253, iif: 0, noOifs: true, flags: rtnhFUnresolved},
		{family: rtnlFamilyIPMR, dst: "239.1.1.3", table: 254, iif: 99, oifs: [][2]int32{{1, 2}}, flags: rtnhFOffload, stats: []uint64{1, 2, 3}},
		{del: true, family: rtnlFamilyIPMR, src: "198.18.0.4", dst: "239.1.1.4", table: 100, iif: 1, oifs: [][2]int32{{1, 1}}},
		{family: rtnlFamilyIPMR, src: "198.18.0.5", dst: "239.1.1.5", table: 1000, iif: 1, oifs: [][2]int32{}},
		{family: rtnlFamilyIP6MR, src: "2001:db8::1", dst: "ff0e::1", table: 253, iif: 1, oifs: [][2]int32{{1, 1}, {1, 255}},
			stats: []uint64{5, 0, 0}, expires: &zero},
		{family: rtnlFamilyIP6MR, dst: "ff0e::2", table: 254, iif: 1, noOifs: true},
		{family: rtnlFamilyIPMR, table: 253, iif: -1, noOifs: true},
		{family: rtnlFamilyIPMR, src: "198.18.0.9", dst: "239.1.1.9", table: 253, iif: 1, oifs: [][2]int32{{1, 1}}, flags: rtmFCloned},
	}
}

var mrouteMonitorClock = regexp.MustCompile(`Timestamp: .* usec|\[[0-9T:.-]+\] `)

// TestMrouteLikeIP: mroute show against ip on this kernel (which has no
// multicast routing: ip prints nothing for IPv4, and fails on the
// unicast routes the kernel answers for IPv6), then fabricated multicast
// routes of both families in a file, printed by ip's monitor file (its
// print_mroute) and nl's, with -s, -d, -N, -t, -ts, -c.
func TestMrouteLikeIP(t *testing.T) {
	ns, name := kerneltest.NamedNetNS(t)
	kerneltest.Run(t, ns, "ip", "link", "add", "v0", "type", "veth", "peer", "name", "v1")
	kerneltest.Run(t, ns, "ip", "link", "set", "v0", "up")
	kerneltest.Run(t, ns, "ip", "addr", "add", "2001:db8::1/64", "dev", "v0", "nodad")
	for _, line := range []string{
		"mroute show", "mroute", "-6 mroute show", "-j mroute", "-6 -j mroute", "-j -p -6 mroute", "-0 mroute",
		"mroute show table all", "mroute show table 5", "mroute show table foo", "mroute show iif nosuch", "mroute show iif v0",
		"mroute show from 198.18.0.1", "mroute show to 239.1.1.1", "mroute show 239.0.0.0/8", "mroute show from x", "mroute show x",
		"mroute help", "mroute frob", "mroute show to", "-6 mroute show table all", "-s mroute", "-6 mroute show iif nosuch",
		"mroute show default", "mroute show from any", "mroute show to all", "-6 mroute show table 253", "-6 mroute show table main",
		"mroute show t 5", "mroute show iif", "mroute h", "mroute show he", "-4 mroute list", "mroute lst iif lo",
		"mroute show table help", "-6 -s -d mroute show iif v0",
	} {
		args := strings.Fields(line)
		ipOut, ipErr, ipCode := ipResult(t, name, args...)
		nlOut, nlErr, nlCode := runAs(t, "ip", append([]string{"-n", name}, args...)...)
		if ipOut != nlOut || ipErr != nlErr || ipCode != nlCode {
			t.Errorf("%s:\n ip: exit %d %q %q\n nl: exit %d %q %q", line, ipCode, ipErr, ipOut, nlCode, nlErr, nlOut)
		}
	}
	var file []byte
	for _, r := range mrouteSamples() {
		m := r.message(t)
		file = binary.NativeEndian.AppendUint32(file, uint32(16+len(m.Data)))
		file = binary.NativeEndian.AppendUint16(file, uint16(m.Header.Type))
		file = append(file, make([]byte, 10)...)
		file = append(file, m.Data...)
	}
	f := filepath.Join(t.TempDir(), "mroutes")
	if err := os.WriteFile(f, file, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, o := range []string{"", "-s", "-d", "-s -d", "-N", "-t", "-ts", "-c", "-s -N -d"} {
		args := append(strings.Fields(o), "monitor", "file", f)
		ipOut, ipErr, ipCode := ipResult(t, name, args...)
		nlOut, nlErr, nlCode := runAs(t, "ip", append([]string{"-n", name}, args...)...)
		ipOut, nlOut = mrouteMonitorClock.ReplaceAllString(ipOut, "T"), mrouteMonitorClock.ReplaceAllString(nlOut, "T")
		if ipOut != nlOut || ipErr != nlErr || ipCode != nlCode || strings.Count(ipOut, "Iif:") != 8 {
			t.Errorf("%s monitor file:\n ip: exit %d %q\n%s\n nl: exit %d %q\n%s", o, ipCode, ipErr, ipOut, nlCode, nlErr, nlOut)
		}
	}
}

// TestMrouteJSON: the JSON of mroute show (which this kernel cannot
// produce, and ip's monitor does not print), as ip's print_mroute lays it
// out: src, dst, iif, the multipath array, state, offload as null, the
// counters and age with -s, the table.
func TestMrouteJSON(t *testing.T) {
	s := mrouteSamples()
	e := &env{opts: Options{JSON: true, Stats: true}, stderr: os.Stderr}
	e.remember(1, "lo")
	for i, want := range map[int]string{
		0: `{"src":"198.18.0.1","dst":"239.1.1.1","iif":"lo","multipath":[{"oif":"lo"},{"oif":"if99","ttl":3}],"state":"resolved","packets":10,"bytes":1500,"expires":12.34,"table":"default"}`,
		1: `{"src":"198.18.0.2","dst":"239.1.1.2","iif":"unresolved","state":"unresolved","table":"default"}`,
		2: `{"src":"unknown","dst":"239.1.1.3","iif":"if99","multipath":[{"oif":"lo","ttl":2}],"state":"resolved","offload":null,"packets":1,"bytes":2,"wrong_if":3}`,
		3: `{"deleted":true,"src":"198.18.0.4","dst":"239.1.1.4","iif":"lo","multipath":[{"oif":"lo"}],"state":"resolved","table":"100"}`,
	} {
		p, err := e.mrouteFormat(t.Context(), s[i].message(t), 0, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		b, err := appendJSON(nil, p.obj)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != want {
			t.Errorf("sample %d:\n got %s\nwant %s", i, b, want)
		}
	}
	if _, err := e.mrouteFormat(t.Context(), mrouteMsg{family: rtnlFamilyIPMR, rtype: 1, iif: -1}.message(t), 0, 0, 0); err == nil ||
		err.Error() != "Non multicast route received, kernel does support IP multicast?" {
		t.Errorf("unicast route: %v", err)
	}
}
