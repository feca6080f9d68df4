package cli

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/kerneltest"
)

// resolveLines are the commands with -resolve compared with ip: every
// place ip's format_host names an address (route destinations, sources
// and gateways, multipath and RTA_VIA gateways, addresses' local, peer
// and broadcast, neighbours, nexthops), and where it does not (rules,
// preferred sources, prefixes), text, JSON, -brief, -oneline, -color.
var resolveLines = []string{
	"-r route show table all", "-r -6 route show table all", "-r -j route show table all", "-r route get 198.18.11.5",
	"-r -c route", "-r -d route show table local", "-r addr", "-r -j addr", "-r -br addr", "-r -br -j addr", "-r -o addr",
	"-r -c addr", "-r neigh", "-r -j neigh", "-r -br neigh", "-r rule", "-r -6 rule", "-r nexthop", "-r -j nexthop",
	"-resolve route show table 5", "-r -4 addr show dev lo", "-r -6 addr show dev lo",
}

const resolveSetup = `link add v0 type veth peer name v1
link set v0 up
link set v1 up
addr add 198.18.2.1/24 brd + dev v0
addr add 10.0.0.1 peer 10.0.0.2/32 dev v0
addr add 2001:db8::1/64 dev v0 nodad
route add 198.18.10.0/24 via 198.18.2.2
route add 198.18.11.5 via 198.18.2.2
route add 198.18.12.0/24 nexthop via 198.18.2.2 nexthop via 198.18.2.3
route add 2001:db8:10::/48 via 2001:db8::2
route add 198.18.13.0/24 via inet6 2001:db8::2 dev v0
route add 198.18.14.0/24 from 198.18.2.1 via 198.18.2.2 table 5
route add 198.18.15.1 from 198.18.2.1 via 198.18.2.2 table 5
rule add from 198.18.2.1 to 198.18.2.2 table 5
rule add from 198.18.2.0/24 table 5
neigh add 198.18.2.2 lladdr 02:00:00:00:00:02 dev v0
neigh add 2001:db8::2 lladdr 02:00:00:00:00:02 dev v0
neigh add 198.18.2.7 lladdr 02:00:00:00:00:07 dev v0
nexthop add id 1 via 198.18.2.2 dev v0
nexthop add id 2 via 2001:db8::2 dev v0
`

// TestResolveLikeIP: -resolve against ip in a namespace, first with the
// machine's /etc/hosts (127.0.0.1 is named there; the test addresses are
// not, and DNS, asked from the namespace, cannot answer), then with a
// hosts file of the namespace's own (/etc/netns/NAME/hosts, which ip -n
// binds over /etc/hosts) naming the test addresses: the first line of an
// address and its first name win, 127.0.0.1 is no longer named.
func TestResolveLikeIP(t *testing.T) {
	ns, name := kerneltest.NamedNetNS(t)
	f := filepath.Join(t.TempDir(), "setup")
	if err := os.WriteFile(f, []byte(resolveSetup), 0o644); err != nil {
		t.Fatal(err)
	}
	kerneltest.Run(t, ns, "ip", "-batch", f)
	// The kernel adds the IPv6 routes of the links it brought up, and ends
	// their addresses' duplicate detection, in its own time: wait until
	// the tables and addresses have settled for half a second.
	last, still := "", 0
	for range 100 {
		now, _, _ := ipResult(t, name, "route", "show", "table", "all")
		addrs, _, _ := ipResult(t, name, "address")
		now += addrs
		if now == last && strings.Contains(now, "local 2001:db8::1") && !strings.Contains(now, "tentative") {
			if still++; still == 5 {
				break
			}
		} else {
			last, still = now, 0
		}
		time.Sleep(100 * time.Millisecond)
	}
	compare := func(when string) {
		for _, line := range resolveLines {
			args := strings.Fields(line)
			ipOut, ipErr, ipCode := ipResult(t, name, args...)
			nlOut, nlErr, nlCode := runAs(t, "ip", append([]string{"-n", name}, args...)...)
			if ipOut != nlOut || ipErr != nlErr || ipCode != nlCode {
				t.Errorf("%s: %s:\n ip: exit %d %q\n%s\n nl: exit %d %q\n%s", when, line, ipCode, ipErr, ipOut, nlCode, nlErr, nlOut)
			}
		}
	}
	compare("/etc/hosts")
	if b, _ := os.ReadFile("/etc/hosts"); strings.Contains(string(b), "127.0.0.1 localhost") ||
		strings.Contains(string(b), "127.0.0.1\tlocalhost") {
		if out, _, _ := runAs(t, "ip", "-n", name, "-r", "route", "show", "table", "local"); !strings.Contains(out, "local localhost dev lo") {
			t.Errorf("-r route show table local: 127.0.0.1 not named localhost: %q", out)
		}
	}
	etc := filepath.Join("/etc/netns", name)
	if err := os.MkdirAll(etc, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(etc) })
	hosts := "198.18.2.1 one.test one\n198.18.2.2 gw.test\n2001:db8::1 six.test\n2001:db8::2 sixgw.test\n" +
		"198.18.2.255 bcast.test\n10.0.0.2 peer.test # a comment\n# 198.18.2.7 commented.test\n198.18.2.1 second.test\n" +
		"198.18.15.1 host.test\n"
	if err := os.WriteFile(filepath.Join(etc, "hosts"), []byte(hosts), 0o644); err != nil {
		t.Fatal(err)
	}
	compare(etc + "/hosts")
	out, _, _ := runAs(t, "ip", "-n", name, "-r", "route")
	if !strings.Contains(out, "via gw.test") || !strings.Contains(out, "198.18.13.0/24 via inet6 sixgw.test") {
		t.Errorf("-r route: no names: %q", out)
	}
}

// TestHostsFile: the hosts file as glibc's files backend reads it for
// gethostbyaddr: the first line of an address, its first name, comments
// and malformed lines skipped; an IPv4-mapped address named as the IPv4
// one; an address not there left as a number (DNS is not asked when the
// run has no namespace and the resolver is given no network: its answer
// is kept, a failure too).
func TestHostsFile(t *testing.T) {
	f := filepath.Join(t.TempDir(), "hosts")
	os.WriteFile(f, []byte("# x\n198.18.0.1 a.test b.test\n198.18.0.1 c.test\nbad line\n2001:db8::1\tsix.test # c\n \n"), 0o644)
	h := &hostResolver{e: &env{}, hosts: f, cache: map[netip.Addr]string{}}
	h.cache[netip.MustParseAddr("198.18.0.9")] = "" // a failed lookup, kept
	for in, want := range map[string]string{"198.18.0.1": "a.test", "2001:db8::1": "six.test", "::ffff:198.18.0.1": "a.test",
		"198.18.0.9": "198.18.0.9"} {
		if got := h.name(netip.MustParseAddr(in)); got != want {
			t.Errorf("%s: %q, want %q", in, got, want)
		}
	}
}
