package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/netns"
)

// populate fills ns (named name) with what real machines have: a bridge
// with a VLAN-filtering port, a veth whose peer is in another named
// namespace (peerName), a VLAN, a macvlan, two vxlans, an ifb, a tap,
// addresses of both families with labels, lifetimes and peers, routes in
// several tables (multipath, metrics, types, realms), rules and
// neighbours. Nothing in it changes by itself: no link has a carrier that
// could send.
func populate(t *testing.T, ns *netns.NS, peerName string) {
	t.Helper()
	script := `link add br0 type bridge
link add v0 type veth peer name v1
link set v1 master br0
link set v0 addrgenmode none
link set v1 addrgenmode none
link add v2 type veth peer name p2 netns ` + peerName + `
link add v0.5 link v0 type macvlan mode private
link add mv0 link v0 type macvlan mode bridge
link add vx0 type vxlan id 42 local 198.18.3.2 remote 198.18.3.1 dstport 4789 dev v0 ttl 7 nolearning l2miss l3miss
link add vx1 type vxlan external dstport 4790
link add ifb0 group 3 txqueuelen 32 type ifb
tuntap add tap0 mode tap
link set br0 addrgenmode none
link set v0.5 addrgenmode none
link set v0 alias uplink mtu 1400
link set v0 up
link set v1 up
link set br0 up
link set v0.5 up
addr add 198.18.2.1/24 brd + dev v0 label v0:one
addr add 198.18.2.7/24 dev v0 valid_lft 3000 preferred_lft 2000
addr add 10.0.0.1 peer 10.0.0.2/32 dev v0 noprefixroute
addr add 2001:db8::1/64 dev v0 nodad
addr add 2001:db8:5::1/64 dev v0.5 nodad home
addr add 198.18.5.1/24 dev v0.5 scope link metric 9
route add 198.18.10.0/24 via 198.18.2.2 dev v0 metric 5 mtu 1300 advmss 1200
route add 198.18.11.0/24 nexthop via 198.18.2.2 weight 2 nexthop via 198.18.2.3 weight 1
route add 198.18.12.0/24 dev v0 proto static scope link src 198.18.2.1 table 100
route add blackhole 198.18.13.0/24
route add unreachable 198.18.14.0/24 table 100
route add prohibit 198.18.15.0/24 metric 7
route add 198.18.16.0/24 via 198.18.2.2 realm 5
route add 2001:db8:10::/48 via 2001:db8::2 dev v0 metric 1024 pref high
route add 2001:db8:11::/48 dev v0 table 100
route add default via 198.18.2.254 dev v0 proto dhcp
rule add from 198.18.2.0/24 table 100 pref 100
rule add to 198.18.12.0/24 fwmark 0x10/0xff lookup 100 pref 200
rule add iif v0 tos 0x10 table 100 pref 300
rule add not from all oif v0 goto 100 pref 50
rule add prohibit from 198.18.77.0/24 pref 400
neigh add 198.18.2.2 lladdr 02:00:00:00:00:02 dev v0 nud permanent
neigh add 198.18.2.3 lladdr 02:00:00:00:00:03 dev v0 nud noarp
neigh add 2001:db8::2 lladdr 02:00:00:00:00:02 dev v0 nud permanent router
neigh add proxy 198.18.2.9 dev v0
`
	f := filepath.Join(t.TempDir(), "populate")
	if err := os.WriteFile(f, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	kerneltest.Run(t, ns, "ip", "-batch", f)
	kerneltest.Run(t, ns, "ip", "-6", "rule", "add", "from", "2001:db8::/64", "table", "100", "pref", "100")
	// New addresses and links send a few multicast listener reports,
	// at random times within a second or so of each other: wait until
	// the counters of -s have not moved for two seconds.
	last, still := "", 0
	for range 80 {
		now := string(kerneltest.Run(t, ns, "ip", "-s", "-s", "link"))
		if now == last {
			if still++; still == 8 {
				return
			}
		} else {
			last, still = now, 0
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// showOptionSets are the global options the differential show test puts
// before each show command.
var showOptionSets = []string{"", "-d", "-s", "-s -s", "-j", "-j -d", "-j -s", "-j -s -s", "-br", "-br -j", "-o", "-o -d", "-4", "-6"}

// showCommands are the show commands of the differential test.
var showCommands = []string{
	"link show", "link show dev v0", "link show type veth", "link show master br0", "link show type vxlan",
	"link show group 3", "link show up",
	"address show", "address show dev v0", "address show dev v0.5", "address show label v0:one",
	"route show", "route show table all", "route show table 100", "route show proto static table 100",
	"rule show", "neigh show", "neigh show proxy", "neigh show dev v0",
}

// diffShows runs every option set with every show command with ip and
// with nl in the populated namespace name, and returns the command lines
// whose output, error output or exit status differ.
func diffShows(t *testing.T, name string, optionSets, commands []string) (differ []showDiff, total int) {
	for _, o := range optionSets {
		for _, c := range commands {
			line := append(strings.Fields(o), strings.Fields(c)...)
			total++
			ipOut, ipErr, ipCode := ipResult(t, name, line...)
			nlOut, nlErr, nlCode := run(t, append([]string{"-n", name}, line...)...)
			ipOut, nlOut = clockless(ipOut), clockless(nlOut)
			if ipOut != nlOut || ipErr != nlErr || ipCode != nlCode {
				differ = append(differ, showDiff{strings.Join(line, " "), ipOut, ipErr, nlOut, nlErr, ipCode, nlCode})
			}
		}
	}
	return differ, total
}

// clockValue matches what changes between two runs by the clock alone:
// the bridge's timers, the lifetimes of addresses and the ages of
// neighbours, text and JSON.
var clockValue = regexp.MustCompile(`(_timer"?:?\s*)[0-9.]+|(_lft )[0-9]+sec|(_life_time":\s*)[0-9]+|(used )[0-9]+/[0-9]+/[0-9]+|("(?:used|confirmed|updated)":\s*)[0-9]+`)

// clockless blanks the values of clockValue.
func clockless(s string) string {
	return clockValue.ReplaceAllString(s, "${1}${2}${3}${4}${5}0") // 0: JSON stays JSON
}

// TestShowsLikeIPPopulated is the differential test of show commands on a
// richly populated namespace: every option set with every show command,
// nl's output byte for byte ip's. NLKIT_SHOWDIFF=v logs each difference.
func TestShowsLikeIPPopulated(t *testing.T) {
	ns, name := kerneltest.NamedNetNS(t)
	_, peer := kerneltest.NamedNetNS(t)
	populate(t, ns, peer)
	differ, total := diffShows(t, name, showOptionSets, showCommands)
	t.Logf("differential show commands: %d of %d differ", len(differ), total)
	checkShowDiffs(t, differ)
	// The options and commands this work added, on the same namespace.
	differ, total = diffShows(t, name, moreOptionSets, append(showCommands, moreCommands...))
	t.Logf("differential show commands with the added options and commands: %d of %d differ", len(differ), total)
	checkShowDiffs(t, differ)
}

// moreOptionSets and moreCommands extend the differential test to what
// ip users also type: colours, numbers, one-line statistics and details,
// brief colours, the new selectors and objects.
var (
	moreOptionSets = []string{"-N", "-c", "-c -d", "-o -s", "-o -s -s", "-br -c", "-s -h", "-s -s -h -iec", "-N -j", "-j -p",
		"-0", "-4 -o", "-6 -br"}
	moreCommands = []string{"route show via 198.18.2.2", "route show src 198.18.2.1", "route show table all type local",
		"rule show tos 0x10", "tuntap show", "netns list-id", "link show type tun", "address show dev tap0"}
)

// checkShowDiffs fails the test for each difference no known cause
// explains, and logs how many each cause explains.
func checkShowDiffs(t *testing.T, differ []showDiff) {
	t.Helper()
	explained := map[string]int{}
	for _, d := range differ {
		if os.Getenv("NLKIT_SHOWDIFF") != "" {
			t.Log(d.text())
		}
		if why := d.explain(); why != "" {
			explained[why]++
			continue
		}
		t.Errorf("differs from ip: %s", d.text())
	}
	for why, n := range explained {
		t.Logf("%d differ only by %s", n, why)
	}
}

// showDiff is one command line whose output differs from ip's.
type showDiff struct {
	line                string
	ipOut, ipErr, nlOut string
	nlErr               string
	ipCode, nlCode      int
}

func (d showDiff) text() string {
	return fmt.Sprintf("%s\n--- ip (exit %d) %s%s--- nl (exit %d) %s%s", d.line, d.ipCode, d.ipErr, d.ipOut, d.nlCode, d.nlErr, d.nlOut)
}

// knownShowCauses are the known reasons why nl's output still differs
// from ip's: what ip prints that nl cannot or does not on purpose, each
// as the edit of ip's output that removes it.
var knownShowCauses = []struct {
	why  string
	edit func(ipOut string) string
}{
	{"ip's empty JSON objects for links and addresses its filters drop (nl leaves them out)", func(s string) string {
		for _, r := range [][2]string{{`{"addr_info":[]},`, ""}, {`,{"addr_info":[]}`, ""}, {"[{},", "["}, {",{},", ","}, {",{}]", "]"}, {"[{}]", "[]"}} {
			for strings.Contains(s, r[0]) {
				s = strings.ReplaceAll(s, r[0], r[1])
			}
		}
		return s
	}},
}

// explain gives the known cause of the difference ("" when none explains
// it): the edits of knownShowCauses, alone or together, make ip's output
// nl's. -brief with a label is ip's own quirk (a line per link without
// the link's columns), which nl does not copy.
func (d showDiff) explain() string {
	if d.ipCode != d.nlCode {
		return ""
	}
	// Other programs on this machine make and remove namespaces under
	// /run/netns while the test runs: ip (and nl, as ip) says "Peer netns
	// reference is invalid" for one that went stale in between.
	stale := "Error: Peer netns reference is invalid.\n"
	if d.ipErr != d.nlErr && strings.ReplaceAll(d.ipErr, stale, "") == strings.ReplaceAll(d.nlErr, stale, "") {
		if d.ipOut == d.nlOut {
			return "a namespace of another program that went stale under /run/netns"
		}
		d.ipErr, d.nlErr = "", ""
	}
	if d.ipErr != d.nlErr {
		// ip -d tuntap show says "readlink: ..." for each file of
		// /proc it may not read here; nl reads what it can quietly.
		var kept []string
		for _, l := range strings.SplitAfter(d.ipErr, "\n") {
			if !strings.HasPrefix(l, "readlink: ") {
				kept = append(kept, l)
			}
		}
		if !strings.Contains(d.line, "tuntap") || strings.Join(kept, "") != d.nlErr {
			return ""
		}
		if d.ipOut == d.nlOut {
			return "ip's readlink errors of tuntap -d"
		}
	}
	if strings.HasPrefix(d.line, "-br") && strings.Contains(d.line, " label ") {
		return "ip's -brief with label (lines without their link)"
	}
	out, whys, nlOut := d.ipOut, []string{}, d.nlOut
	if strings.Contains(d.line, "-p") {
		// Compare pretty JSON compacted: the causes' edits are written
		// for compact JSON, and -p only changes the layout.
		var a, b bytes.Buffer
		if json.Compact(&a, []byte(out)) == nil && json.Compact(&b, []byte(nlOut)) == nil {
			out, nlOut = a.String()+"\n", b.String()+"\n"
		}
	}
	for _, c := range knownShowCauses {
		if e := c.edit(out); e != out {
			out = e
			whys = append(whys, c.why)
		}
	}
	if out != nlOut {
		return ""
	}
	return strings.Join(whys, " and ")
}

// TestBatchLikeIP: -batch files that fail in the middle of a run of route,
// neighbour and address lines (the bulk path sends whole groups before
// reading answers), without and with -force: nl leaves the namespace as
// ip -batch does, with ip's exit status and messages.
func TestBatchLikeIP(t *testing.T) {
	dir := t.TempDir()
	var routes, neighs, addrs, mixed strings.Builder
	for i := range 300 {
		fmt.Fprintf(&routes, "route add 198.19.%d.%d/32 dev v0\n", i/200, i%200)
		if i == 150 {
			routes.WriteString("route add 198.19.0.3/32 dev v0\n") // exists: fails
		}
	}
	for i := range 200 {
		fmt.Fprintf(&neighs, "neigh add 198.18.2.%d lladdr 02:00:00:00:00:%02x dev v0\n", 10+i, i)
		if i == 100 {
			neighs.WriteString("neigh del 198.18.2.250 dev v0\n") // none: fails
		}
	}
	for i := range 100 {
		fmt.Fprintf(&addrs, "address add 198.18.%d.1/24 dev v1\n", 100+i)
		if i == 50 {
			addrs.WriteString("address add 198.18.120.1/24 dev v1\n") // exists: fails
		}
	}
	// Deletes, replaces, changes and appends after the failure: their
	// undo puts back what they removed or changed.
	mixed.WriteString(`route add 198.19.5.0/24 dev v0 metric 7 proto static
route add 198.19.6.0/24 via 198.18.2.2
route add 198.19.7.0/24 dev v0
neigh add 198.18.2.5 lladdr 02:00:00:00:00:05 dev v0
route add 198.19.5.0/24 dev v0 metric 7
route del 198.19.6.0/24
route replace 198.19.7.0/24 via 198.18.2.3
route replace 198.19.8.0/24 dev v0
route change 198.19.5.0/24 dev v0 metric 7 proto boot
route append 198.19.9.0/24 dev v0
route del 198.18.2.0/24 dev v0
neigh add 198.18.2.6 lladdr 02:00:00:00:00:06 dev v0
neigh add 198.18.2.5 lladdr 02:00:00:00:00:05 dev v0
neigh del 198.18.2.6 dev v0
neigh add 198.18.2.7 lladdr 02:00:00:00:00:07 dev v0
`)
	var cases [][]string
	for name, text := range map[string]string{"routes": routes.String(), "neighs": neighs.String(), "addrs": addrs.String(), "mixed": mixed.String()} {
		f := filepath.Join(dir, name)
		if err := os.WriteFile(f, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		cases = append(cases, []string{"-batch", f}, []string{"-force", "-batch", f})
	}
	likeIP(t, cases)
}

// TestLinkGrammarLikeIP: the words of link set and link add that change
// interface flags, and link show's group, against ip.
func TestLinkGrammarLikeIP(t *testing.T) {
	var lines [][]string
	for _, w := range []string{"arp", "multicast", "allmulticast", "promisc", "trailers", "dynamic"} {
		for _, v := range []string{"on", "off", "x"} {
			lines = append(lines, []string{"link", "set", "v0", w, v})
		}
		lines = append(lines, []string{"link", "set", "v0", w}, []string{"link", "add", "x0", w, "off", "type", "veth"})
	}
	lines = append(lines,
		[]string{"link", "set", "v0", "arp", "off", "multicast", "off", "mtu", "1400", "promisc", "on"},
		[]string{"link", "set", "v0", "group", "7"},
		[]string{"link", "show", "group", "x"},
		[]string{"link", "show", "dev", "lo", "group", "0"},
		[]string{"link", "show", "dev", "lo", "group", "default"},
		[]string{"link", "show", "dev", "lo", "group", "1"},
		[]string{"-br", "link", "show", "dev", "lo", "group", "0"},
	)
	likeIP(t, lines)
	// -V names the release whose grammar nl follows (scripts compare
	// it), and nlkit where ip names its libbpf.
	ipV, err := exec.Command("ip", "-V").Output()
	if err != nil {
		t.Fatal(err)
	}
	ipOut := string(ipV)
	for _, opt := range []string{"-V", "-Version", "--V"} {
		out, _, code := runAs(t, "ip", opt)
		if want := "ip utility, iproute2-6.1.0, nlkit\n"; out != want || code != 0 || !strings.HasPrefix(ipOut, "ip utility, iproute2-6.1.0,") {
			t.Errorf("%s: exit %d, %q; want %q (ip: %q)", opt, code, out, want, ipOut)
		}
	}
}

// TestRouteRuleGrammarLikeIP: route show's via and src selectors, route
// flush cache, rule tos and dsfield, against ip.
func TestRouteRuleGrammarLikeIP(t *testing.T) {
	likeIP(t, [][]string{
		{"route", "show", "via", "198.18.2.2"},
		{"route", "show", "via", "inet", "198.18.2.0/24"},
		{"route", "show", "src", "198.18.2.1"},
		{"route", "show", "table", "all", "src", "198.18.2.0/24"},
		{"-6", "route", "show", "src", "2001:db8::1"},
		{"route", "show", "via", "x"},
		{"route", "flush", "cache"},
		{"-s", "route", "flush", "cache"},
		{"-4", "route", "flush", "cache"},
		{"-6", "route", "flush", "cache"},
		{"route", "show", "cache"},
		{"rule", "add", "tos", "0x10", "table", "10"},
		{"rule", "add", "dsfield", "8", "table", "10"},
		{"rule", "add", "tos", "0x1ff", "table", "10"},
		{"rule", "add", "tos", "x", "table", "10"},
		{"rule", "add", "tos", "0x3", "table", "10"},
		{"rule", "show", "tos", "0x10"},
		{"rule", "show", "tos", "x"},
	})
}

// ipStdin runs ip -n name args with stdin as its standard input.
func ipStdin(t *testing.T, name string, stdin []byte, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command("ip", append([]string{"-n", name}, args...)...)
	// A file: ip route restore reads its input twice (ftell, fseek).
	in := filepath.Join(t.TempDir(), "stdin")
	if err := os.WriteFile(in, stdin, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(in)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var stdout, stderr bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = f, &stdout, &stderr
	err = cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return stdout.String(), stderr.String(), 0
	case errors.As(err, &ee):
		return stdout.String(), stderr.String(), ee.ExitCode()
	}
	t.Fatal(err)
	return "", "", 0
}

// nlStdin runs nl, invoked as ip, with stdin as its standard input.
func nlStdin(t *testing.T, stdin []byte, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := RunProgram(t.Context(), "ip", args, bytes.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), code
}

// dumpMessages parses a route save stream (after its magic number) into
// its messages with the sequence numbers and ports, which differ from run
// to run, zeroed.
func dumpMessages(t *testing.T, b string) []string {
	t.Helper()
	if len(b) < 4 {
		t.Fatalf("short dump: %q", b)
	}
	msgs, err := netlink.AppendParse(nil, []byte(b[4:]))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range msgs {
		m.Header.Sequence, m.Header.PortID = 0, 0
		raw, _ := m.MarshalBinary()
		out = append(out, fmt.Sprintf("%x", raw))
	}
	return out
}

// TestRouteSaveRestoreLikeIP: route save writes what ip's does (the same
// messages after the same magic number), either program restores the
// other's dump to the same state, showdump and monitor file print a dump
// as ip does.
func TestRouteSaveRestoreLikeIP(t *testing.T) {
	nsA, a, _ := rtNS(t)
	waitLocal6(t, a)
	f := filepath.Join(t.TempDir(), "routes")
	os.WriteFile(f, []byte(`route add 198.18.10.0/24 via 198.18.2.2 metric 5 mtu 1300
route add 198.18.11.0/24 nexthop via 198.18.2.2 weight 2 nexthop via 198.18.2.3
route add blackhole 198.18.13.0/24 table 100
route add 2001:db8:10::/48 via 2001:db8::2 dev v0
route add default via 198.18.2.254 proto dhcp
`), 0o644)
	kerneltest.Run(t, nsA, "ip", "-batch", f)
	ipSave, _, ipCode := ipStdin(t, a, nil, "route", "save", "table", "all")
	nlSave, nlErr, nlCode := nlStdin(t, nil, "-n", a, "route", "save", "table", "all")
	if ipCode != 0 || nlCode != 0 || !slices.Equal(dumpMessages(t, ipSave), dumpMessages(t, nlSave)) || ipSave[:4] != nlSave[:4] {
		t.Errorf("route save: ip exit %d, nl exit %d %q: the dumps differ", ipCode, nlCode, nlErr)
	}
	for _, save := range []string{ipSave, nlSave} {
		_, b, bc := rtNS(t)
		_, c, cc := rtNS(t)
		waitLocal6(t, b)
		waitLocal6(t, c)
		ipOut, ipErr, ipCode := ipStdin(t, c, []byte(save), "route", "restore")
		nlOut, nlErr, nlCode := nlStdin(t, []byte(save), "-n", b, "route", "restore")
		if ipOut != nlOut || ipErr != nlErr || ipCode != nlCode {
			t.Errorf("route restore: ip exit %d %q %q, nl exit %d %q %q", ipCode, ipErr, ipOut, nlCode, nlErr, nlOut)
		}
		if ipState, nlState := nsState(t, cc), nsState(t, bc); ipState != nlState {
			t.Errorf("route restore: the namespaces differ:\n only after ip:\n%s\n only after nl:\n%s",
				linesOnlyIn(ipState, nlState), linesOnlyIn(nlState, ipState))
		}
	}
	raw := filepath.Join(t.TempDir(), "raw")
	os.WriteFile(raw, []byte(ipSave[4:]), 0o644)
	for _, tc := range []struct {
		stdin string
		args  []string
	}{
		{ipSave, []string{"route", "showdump"}},
		{"", []string{"monitor", "file", raw}},
		{"", []string{"monitor", "all", "file", raw}},
		{"", []string{"monitor", "route", "file", raw}},
		{"", []string{"monitor", "link", "file", raw}},
		{"garbage", []string{"route", "restore"}},
		{"garbage", []string{"route", "showdump"}},
		{"", []string{"monitor", "file", "/nonexistent"}},
	} {
		ipOut, ipErr, ipCode := ipStdin(t, a, []byte(tc.stdin), tc.args...)
		nlOut, nlErr, nlCode := nlStdin(t, []byte(tc.stdin), append([]string{"-n", a}, tc.args...)...)
		if ipOut != nlOut || ipErr != nlErr || ipCode != nlCode {
			t.Errorf("%q:\n ip: exit %d, stderr %q, stdout %q\n nl: exit %d, stderr %q, stdout %q", tc.args, ipCode, ipErr, ipOut, nlCode, nlErr, nlOut)
		}
	}
}

// TestRuleFlushLikeIP: rule flush, with and without selectors, both
// families, against ip.
func TestRuleFlushLikeIP(t *testing.T) {
	likeIP(t, [][]string{
		{"rule", "flush"},
		{"-6", "rule", "flush"},
		{"rule", "flush", "table", "main"},
		{"rule", "flush", "pref", "32767"},
		{"rule", "flush", "table", "x"},
	})
}

// TestTuntapLikeIP: tuntap add, del and show, their bad words, against ip
// (show's output after each command compared too, through a second run).
func TestTuntapLikeIP(t *testing.T) {
	likeIP(t, [][]string{
		{"tuntap", "add", "mode", "tap", "tap7"},
		{"tuntap", "add", "mode", "tun", "name", "tun7", "pi", "vnet_hdr", "multi_queue", "user", "0", "group", "0"},
		{"tuntap", "add", "tap7"},
		{"tuntap", "add", "mode", "x", "tap7"},
		{"tuntap", "add", "mode", "tun", "mode", "tap", "tap7"},
		{"tuntap", "add", "mode", "tap", "user", "nosuchuser", "tap7"},
		{"tuntap", "add", "mode", "tap", "tap7", "tap8"},
		{"tuntap", "add", "mode", "tap", "a/b"},
		{"tuntap", "del", "mode", "tap", "v0"},
		{"tuntap", "show"},
		{"tuntap", "frob"},
	})
	for _, tc := range [][]string{
		{"mode", "tap", "tap7"},
		{"mode", "tun", "name", "tun7", "pi", "vnet_hdr", "multi_queue", "user", "0", "group", "0"},
	} {
		ns, name, _ := rtNS(t)
		kerneltest.Run(t, ns, "ip", append([]string{"tuntap", "add"}, tc...)...)
		for _, show := range [][]string{{"tuntap"}, {"-j", "tuntap", "show"}, {"tuntap", "list"}} {
			ipOut, ipErr, ipCode := ipResult(t, name, show...)
			nlOut, nlErr, nlCode := runAs(t, "ip", append([]string{"-n", name}, show...)...)
			if ipOut != nlOut || ipErr != nlErr || ipCode != nlCode {
				t.Errorf("%q after tuntap add %q:\n ip: exit %d %q %q\n nl: exit %d %q %q", show, tc, ipCode, ipErr, ipOut, nlCode, nlErr, nlOut)
			}
		}
		if _, stderr, code := runAs(t, "ip", append([]string{"-n", name, "tuntap", "del"}, tc...)...); code != 0 {
			t.Errorf("tuntap del %q: exit %d %q", tc, code, stderr)
		}
		if out, _, _ := ipResult(t, name, "tuntap"); out != "" {
			t.Errorf("tuntap del %q left %q", tc, out)
		}
	}
}

// TestMaddressLikeIP: maddress show in the populated namespace (groups of
// every family, several links), against ip.
func TestMaddressLikeIP(t *testing.T) {
	ns, name := kerneltest.NamedNetNS(t)
	_, peer := kerneltest.NamedNetNS(t)
	populate(t, ns, peer)
	for _, line := range []string{"maddress", "maddr show dev v0", "-j maddr", "-4 maddr", "-6 maddr show", "-0 maddr list",
		"-c maddr", "maddr show dev nosuch", "maddr show dev v0 dev v1", "maddr frob", "-br maddr"} {
		args := strings.Fields(line)
		ipOut, ipErr, ipCode := ipResult(t, name, args...)
		nlOut, nlErr, nlCode := runAs(t, "ip", append([]string{"-n", name}, args...)...)
		if ipOut != nlOut || ipErr != nlErr || ipCode != nlCode {
			t.Errorf("%s:\n ip: exit %d %q %q\n nl: exit %d %q %q", line, ipCode, ipErr, ipOut, nlCode, nlErr, nlOut)
		}
	}
	// add and del: TestMaddressModifyLikeIP (maddrmodify_test.go).
}

// TestNetconfLikeIP: netconf show, whole and per device, each family,
// against ip (with forwarding and rp_filter changed on one link).
func TestNetconfLikeIP(t *testing.T) {
	ns, name := kerneltest.NamedNetNS(t)
	_, peer := kerneltest.NamedNetNS(t)
	populate(t, ns, peer)
	kerneltest.Run(t, ns, "sysctl", "-q", "-w", "net.ipv4.conf.v0.forwarding=1", "net.ipv4.conf.v0.rp_filter=2", "net.ipv6.conf.v1.forwarding=1")
	for _, line := range []string{"netconf", "netconf show", "netconf show dev v0", "-j netconf show dev v0", "-4 netconf",
		"-6 netconf show", "-0 netconf show dev v0", "-0 netconf", "netconf show dev nosuch", "netconf show dev v0 x",
		"-c netconf show dev v1", "netconf frob", "-j netconf", "-j -p netconf show dev v1"} {
		args := strings.Fields(line)
		ipOut, ipErr, ipCode := ipResult(t, name, args...)
		nlOut, nlErr, nlCode := runAs(t, "ip", append([]string{"-n", name}, args...)...)
		if ipOut != nlOut || ipErr != nlErr || ipCode != nlCode {
			t.Errorf("%s:\n ip: exit %d %q %q\n nl: exit %d %q %q", line, ipCode, ipErr, ipOut, nlCode, nlErr, nlOut)
		}
	}
}

// TestAddrlabelLikeIP: addrlabel add, del, list and flush, against ip.
func TestAddrlabelLikeIP(t *testing.T) {
	likeIP(t, [][]string{
		{"addrlabel", "add", "prefix", "2001:db8::/64", "dev", "v0", "label", "99"},
		{"addrlabel", "add", "prefix", "2001:db8:1::/48", "label", "7"},
		{"addrlabel", "add", "prefix", "2001:db8::/64", "dev", "nosuch", "label", "5"},
		{"addrlabel", "add", "prefix", "2001:db8::/64", "label", "x"},
		{"addrlabel", "add", "prefix", "2001:db8::/64"},
		{"addrlabel", "add", "label", "4"},
		{"addrlabel", "add", "prefix", "198.18.0.0/24", "label", "4"},
		{"addrlabel", "del", "prefix", "2001:db8:9::/64", "label", "4"},
		{"addrlabel", "del", "prefix", "::1/128", "label", "0"},
		{"addrlabel", "frob"},
		{"addrlabel", "list"},
		{"-j", "addrlabel"},
	})
	// The list after add, and after flush.
	ns, name, _ := rtNS(t)
	kerneltest.Run(t, ns, "ip", "addrlabel", "add", "prefix", "2001:db8::/64", "dev", "v0", "label", "99")
	for _, cmd := range [][]string{{"addrlabel"}, {"-j", "-p", "addrlabel", "list"}, {"-c", "addrlabel"}} {
		ipOut, ipErr, ipCode := ipResult(t, name, cmd...)
		nlOut, nlErr, nlCode := runAs(t, "ip", append([]string{"-n", name}, cmd...)...)
		if ipOut != nlOut || ipErr != nlErr || ipCode != nlCode {
			t.Errorf("%q:\n ip: exit %d %q %q\n nl: exit %d %q %q", cmd, ipCode, ipErr, ipOut, nlCode, nlErr, nlOut)
		}
	}
	if _, stderr, code := runAs(t, "ip", "-n", name, "addrlabel", "flush"); code != 0 {
		t.Fatalf("flush: exit %d %q", code, stderr)
	}
	if out, _, _ := ipResult(t, name, "addrlabel"); out != "" {
		t.Errorf("after flush: %q", out)
	}
}

// TestTokenLikeIP: token set, del, get and list, against ip.
func TestTokenLikeIP(t *testing.T) {
	likeIP(t, [][]string{
		{"token", "set", "::1a/64", "dev", "v0"},
		{"token", "set", "::1a", "dev", "v0"},
		{"token", "set", "::1a/64"},
		{"token", "set", "dev", "v0"},
		{"token", "set", "::1a/64", "dev", "nosuch"},
		{"token", "set", "x", "dev", "v0"},
		{"token", "del", "dev", "v0"},
		{"token", "del"},
		{"token", "get", "dev", "v0"},
		{"token", "get"},
		{"token"},
		{"-j", "token", "list"},
		{"token", "frob"},
	})
	ns, name, _ := rtNS(t)
	kerneltest.Run(t, ns, "ip", "token", "set", "::1a/64", "dev", "v1")
	for _, cmd := range [][]string{{"token"}, {"token", "get", "dev", "v1"}, {"-j", "token"}, {"-c", "token"}} {
		ipOut, ipErr, ipCode := ipResult(t, name, cmd...)
		nlOut, nlErr, nlCode := runAs(t, "ip", append([]string{"-n", name}, cmd...)...)
		if ipOut != nlOut || ipErr != nlErr || ipCode != nlCode {
			t.Errorf("%q:\n ip: exit %d %q %q\n nl: exit %d %q %q", cmd, ipCode, ipErr, ipOut, nlCode, nlErr, nlOut)
		}
	}
	// nl's set as ip reads it.
	_, other, _ := rtNS(t)
	if _, stderr, code := runAs(t, "ip", "-n", other, "token", "set", "::1a/64", "dev", "v1"); code != 0 {
		t.Fatalf("token set: exit %d %q", code, stderr)
	}
	want, _, _ := ipResult(t, name, "token")
	if got, _, _ := ipResult(t, other, "token"); got != want {
		t.Errorf("after nl token set, ip token lists %q, want %q", got, want)
	}
}

// TestNexthopLikeIP: nexthop add, replace, del, get, list and flush,
// their selectors and bad words, against ip: each line after the same
// setup in two namespaces, then the nexthops each left (as ip -d lists
// them).
func TestNexthopLikeIP(t *testing.T) {
	setup := []string{"nexthop add id 1 via 198.18.2.2 dev v0", "nexthop add id 2 dev v0", "nexthop add id 3 blackhole",
		"nexthop add id 4 group 1/2,3", "nexthop add id 5 via 2001:db8::2 dev v0 proto static",
		"nexthop add id 6 group 1,2 type resilient buckets 8 idle_timer 60"}
	for _, line := range []string{
		"nexthop", "-j nexthop", "-d nexthop", "-j -d -p nexthop", "nexthop get id 4", "nexthop show id 1",
		"nexthop show dev v0", "nexthop show groups", "-4 nexthop", "-6 nexthop", "-c nexthop", "-N -d nexthop",
		"nexthop get id 99", "nexthop show protocol static", "nexthop show protocol 4", "nexthop list fdb",
		"nexthop add id 7 via 198.18.2.3 dev v0 onlink", "nexthop add id 7 group 1/5", "nexthop add id 8",
		"nexthop add id 1 dev v0", "nexthop replace id 1 via 198.18.2.9 dev v0", "nexthop replace id 9 blackhole",
		"nexthop add id 10 group 1,300", "nexthop add id 10 group 1/x", "nexthop add id 10 via x dev v0",
		"nexthop add via 198.18.2.2 dev v0", "nexthop del id 3", "nexthop del id 99", "nexthop del id 1",
		"nexthop flush", "nexthop flush dev v0", "nexthop flush groups", "nexthop flush id 5", "nexthop flush dev nosuch",
		"-s nexthop flush", "nexthop frob", "nexthop list frob",
	} {
		t.Run(line, func(t *testing.T) {
			t.Parallel()
			nsIP, ipName, _ := rtNS(t)
			nsNL, nlName, _ := rtNS(t)
			for _, s := range setup {
				kerneltest.Run(t, nsIP, "ip", strings.Fields(s)...)
				kerneltest.Run(t, nsNL, "ip", strings.Fields(s)...)
			}
			args := strings.Fields(line)
			ipOut, ipErr, ipCode := ipResult(t, ipName, args...)
			nlOut, nlErr, nlCode := runAs(t, "ip", append([]string{"-n", nlName}, args...)...)
			if ipOut != nlOut || ipErr != nlErr || ipCode != nlCode {
				t.Errorf("%s:\n ip: exit %d %q %q\n nl: exit %d %q %q", line, ipCode, ipErr, ipOut, nlCode, nlErr, nlOut)
			}
			ipState, _, _ := ipResult(t, ipName, "-d", "nexthop")
			nlState, _, _ := ipResult(t, nlName, "-d", "nexthop")
			if ipState != nlState {
				t.Errorf("%s: the nexthops differ afterwards:\n ip:\n%s nl:\n%s", line, ipState, nlState)
			}
		})
	}
}

// TestVrfLikeIP: vrf show and vrf links, against ip (this kernel has no
// vrf module: the kernel's refusal is compared; the request's bytes are in
// TestKindEncodersLikeIP).
func TestVrfLikeIP(t *testing.T) {
	likeIP(t, [][]string{
		{"vrf"}, {"vrf", "show"}, {"-j", "vrf", "show"}, {"vrf", "show", "x"},
		{"link", "add", "x0", "type", "vrf", "table", "10"},
		{"link", "add", "x0", "type", "vrf", "table", "x"},
		{"link", "add", "x0", "type", "vrf", "frob"},
		{"link", "help", "vrf"},
	})
}

// TestKindWordsLikeIP: the words of the kinds nl encodes itself (ipvlan,
// bond, geneve, bareudp, vrf) where ip refuses them, or the kernel (which
// lacks their modules) refuses what both send: exit status, output and
// the first line of standard error against ip's.
func TestKindWordsLikeIP(t *testing.T) {
	exitLikeIP(t, [][]string{
		{"link", "add", "g0", "type", "geneve"},
		{"link", "add", "g0", "type", "geneve", "id", "5"},
		{"link", "add", "g0", "type", "geneve", "id", "x"},
		{"link", "add", "g0", "type", "geneve", "id", "5", "frob"},
		{"link", "add", "g0", "type", "geneve", "id", "5", "remote", "198.18.2.9"},
		{"link", "add", "x0", "type", "bareudp"},
		{"link", "add", "x0", "type", "bareudp", "dstport", "5"},
		{"link", "add", "x0", "type", "bareudp", "dstport", "5", "ethertype", "x"},
		{"link", "add", "x0", "type", "bareudp", "dstport", "5", "ethertype", "ipv4"},
		{"link", "add", "b0", "type", "bond", "mode", "x"},
		{"link", "add", "b0", "type", "bond", "frob"},
		{"link", "add", "b0", "type", "bond", "miimon", "x"},
		{"link", "add", "b0", "type", "bond", "mode", "802.3ad", "updelay", "5", "downdelay", "6"},
		{"link", "add", "x0", "link", "v0", "type", "ipvlan", "mode", "x"},
		{"link", "add", "x0", "link", "v0", "type", "ipvlan", "frob"},
		{"link", "add", "x0", "link", "v0", "type", "ipvlan", "mode", "l2"},
		{"link", "add", "x0", "type", "ipvlan"},
		{"link", "add", "w0", "type", "wireguard"},
	})
}

// TestOptionsLikeIP: the global options on commands whose output does not
// depend on random link-layer addresses, against ip.
func TestOptionsLikeIP(t *testing.T) {
	var lines [][]string
	for _, o := range []string{"-l 1", "-loops 0", "-rc 1048576", "-rcvbuf 0x100000", "-t", "-ts", "-a", "-iec", "-h", "-human",
		"-N", "-c=never", "-color=auto", "-c", "--json", "-- ", "-o", "-br", "-s -s", "-s -h -iec", "-d", "-0", "-f inet6",
		"-family link", "-b /nonexistent", "-x", "-rc", "-rc x", "-color=x", "-n"} {
		for _, c := range []string{"link show dev lo", "address show dev lo", "address flush dev v0", "route show table local dev lo",
			"rule show", "-s link show dev lo"} {
			lines = append(lines, append(strings.Fields(o), strings.Fields(c)...))
		}
	}
	likeIP(t, lines)
}

// TestTimestamp: monitor's -t and -ts lines as ip's print_timestamp.
func TestTimestamp(t *testing.T) {
	tm := time.Date(2026, 12, 6, 9, 5, 7, 123456789, time.Local)
	if got, want := timestamp(tm, false), "Timestamp: Sun Dec  6 09:05:07 2026 123456 usec\n"; got != want {
		t.Errorf("-t: %q, want %q", got, want)
	}
	if got, want := timestamp(tm, true), "[2026-12-06T09:05:07.123456] "; got != want {
		t.Errorf("-ts: %q, want %q", got, want)
	}
}

// waitLocal6 waits until the kernel has added the local route of rtNS's
// 2001:db8::1 (it does so on its own time, once the link is up), so that
// what is saved or restored does not change in between.
func waitLocal6(t *testing.T, name string) {
	t.Helper()
	for range 100 {
		if out, _, _ := ipResult(t, name, "-6", "route", "show", "table", "local", "2001:db8::1"); out != "" {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s: no local route for 2001:db8::1", name)
}

// TestNtableLikeIP: ntable show in the populated namespace (tables and
// every device's parameters, both families), against ip. The parameters
// do not change by themselves (reachable is drawn once per device).
func TestNtableLikeIP(t *testing.T) {
	ns, name := kerneltest.NamedNetNS(t)
	_, peer := kerneltest.NamedNetNS(t)
	populate(t, ns, peer)
	for _, line := range []string{"ntable", "ntable show", "-j ntable", "-4 ntable", "-6 ntable show", "ntable show dev v0",
		"ntable show name arp_cache", "ntable show dev nosuch", "-o ntable show dev lo", "-o ntable", "-j -p ntable show dev v0",
		"-c ntable show dev v1", "ntable show name ndisc_cache dev lo", "ntable frob", "ntable show x"} {
		args := strings.Fields(line)
		ipOut, ipErr, ipCode := ipResult(t, name, args...)
		nlOut, nlErr, nlCode := runAs(t, "ip", append([]string{"-n", name}, args...)...)
		if ipOut != nlOut || ipErr != nlErr || ipCode != nlCode {
			t.Errorf("%s:\n ip: exit %d %q %q\n nl: exit %d %q %q", line, ipCode, ipErr, ipOut, nlCode, nlErr, nlOut)
		}
	}
	// -s and ntable change: TestNtableChangeLikeIP (ntablechange_test.go).
}

// TestNetnsExecLikeIP: netns exec as ip's: the command sees the
// namespace's own /sys and the files of /etc/netns/NAME in /etc; exit
// statuses and messages of failures as ip's.
func TestNetnsExecLikeIP(t *testing.T) {
	_, name := kerneltest.NamedNetNS(t)
	etc := filepath.Join("/etc/netns", name)
	if err := os.MkdirAll(etc, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		os.RemoveAll(etc)
		os.Remove("/etc/netns") // only if empty: another one's files stay
	})
	if err := os.WriteFile(filepath.Join(etc, "hosts"), []byte("198.18.9.9 nlkit-probe\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"netns", "exec", name, "sh", "-c", "cat /etc/hosts; ls /sys/class/net"},
		{"netns", "exec", name, "false"},
		{"netns", "exec", name, "nosuchcommand-nlkit"},
		{"netns", "exec", "nosuch-nlkit", "true"},
		{"netns", "exec", name},
	} {
		cmd := exec.Command("ip", args...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		ipCode := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			ipCode = ee.ExitCode()
		}
		nlOut, nlErr, nlCode := runAs(t, "ip", args...)
		if stdout.String() != nlOut || stderr.String() != nlErr || ipCode != nlCode {
			t.Errorf("%q:\n ip: exit %d %q %q\n nl: exit %d %q %q", args, ipCode, stderr.String(), stdout.String(), nlCode, nlErr, nlOut)
		}
	}
}

// TestBridgeSlaveLikeIP: link set PORT type bridge_slave ..., against
// ip: the same exit, output and errors, and the same port settings after
// (ip -j -d's info_slave_data, less what differs between two bridges:
// their identifiers and timers).
func TestBridgeSlaveLikeIP(t *testing.T) {
	portState := func(name string) string {
		out, _, _ := ipResult(t, name, "-j", "-d", "link", "show", "dev", "v1")
		var links []map[string]any
		if err := json.Unmarshal([]byte(out), &links); err != nil || len(links) != 1 {
			t.Fatalf("%v %s", err, out)
		}
		info, _ := links[0]["linkinfo"].(map[string]any)
		data, _ := info["info_slave_data"].(map[string]any)
		for k := range data {
			if strings.Contains(k, "id") || strings.Contains(k, "designated") || strings.Contains(k, "timer") || k == "no" {
				delete(data, k)
			}
		}
		b, _ := json.Marshal(data)
		return string(b)
	}
	for _, line := range []string{
		"link set v1 type bridge_slave cost 5 priority 7 state 3 guard on hairpin on learning off flood off proxy_arp on",
		"link set v1 type bridge_slave mcast_flood off bcast_flood off mcast_to_unicast on neigh_suppress on isolated on",
		"link set v1 type bridge_slave mcast_router 2 fastleave on root_block on group_fwd_mask 8 vlan_tunnel off locked on",
		"link set v1 type bridge_slave proxy_arp_wifi on mcast_fast_leave off",
		"link set v1 type bridge_slave state x", "link set v1 type bridge_slave state forwarding",
		"link set v1 type bridge_slave guard x", "link set v1 type bridge_slave frob", "link set v1 type bridge_slave cost",
		"link set v1 type bridge_slave", "link set v0 type bridge_slave cost 5",
	} {
		t.Run(line, func(t *testing.T) {
			t.Parallel()
			nsIP, ipName, _ := rtNS(t)
			nsNL, nlName, _ := rtNS(t)
			for _, ns := range []*netns.NS{nsIP, nsNL} {
				kerneltest.Run(t, ns, "ip", "link", "add", "br0", "type", "bridge")
				kerneltest.Run(t, ns, "ip", "link", "set", "v1", "master", "br0")
			}
			args := strings.Fields(line)
			ipOut, ipErr, ipCode := ipResult(t, ipName, args...)
			nlOut, nlErr, nlCode := runAs(t, "ip", append([]string{"-n", nlName}, args...)...)
			first := func(s string) string { l, _, _ := strings.Cut(s, "\n"); return l }
			if ipOut != nlOut || first(ipErr) != first(nlErr) || ipCode != nlCode {
				t.Errorf("%s:\n ip: exit %d %q %q\n nl: exit %d %q %q", line, ipCode, ipErr, ipOut, nlCode, nlErr, nlOut)
			}
			if a, b := portState(ipName), portState(nlName); a != b {
				t.Errorf("%s: the port differs afterwards:\n ip: %s\n nl: %s", line, a, b)
			}
		})
	}
}

// TestNetnsAttachLikeIP: netns attach NAME PID names a process's
// namespace as ip's does: ip -n NAME then works in it (a link added there
// is seen under the first name), and nl refuses what ip refuses, with its
// exit statuses. (ip netns identify does not find an attached name on this
// machine's kernel, for ip's attach as for nl's: not compared.)
func TestNetnsAttachLikeIP(t *testing.T) {
	ns, name := kerneltest.NamedNetNS(t)
	sleep := exec.Command("nsenter", "--net=/run/netns/"+name, "sleep", "60")
	if err := sleep.Start(); err != nil {
		t.Skipf("nsenter (util-linux): %v", err)
	}
	t.Cleanup(func() { sleep.Process.Kill(); sleep.Wait() })
	pid := strconv.Itoa(sleep.Process.Pid)
	alias := name + "-a"
	for range 100 { // until nsenter has become sleep inside the namespace
		if b, err := os.Readlink("/proc/" + pid + "/ns/net"); err == nil {
			if own, _ := os.Readlink("/proc/self/ns/net"); b != own {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, stderr, code := runAs(t, "ip", "netns", "attach", alias, pid); code != 0 {
		t.Fatalf("attach: exit %d %q", code, stderr)
	}
	t.Cleanup(func() { netns.DeleteNamed(alias) })
	if _, _, code := ipResult(t, alias, "link", "add", "x0", "type", "ifb"); code != 0 {
		t.Fatalf("ip -n %s link add: exit %d", alias, code)
	}
	if out := string(kerneltest.Run(t, ns, "ip", "link", "show", "dev", "x0")); !strings.Contains(out, "x0") {
		t.Errorf("the attached name is not the process's namespace: %q", out)
	}
	for _, args := range [][]string{{"netns", "attach", alias, pid}, {"netns", "attach", alias + "x", "abc"}, {"netns", "attach", alias + "x"},
		{"netns", "attach", alias + "x", "999999999"}} {
		cmd := exec.Command("ip", args...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		ipCode := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			ipCode = ee.ExitCode()
		}
		_, nlErr, nlCode := runAs(t, "ip", args...)
		if nlCode != ipCode {
			t.Errorf("%q: exit %d, ip %d (ip: %q, nl: %q)", args, nlCode, ipCode, stderr.String(), nlErr)
		}
		netns.DeleteNamed(alias + "x")
	}
}
