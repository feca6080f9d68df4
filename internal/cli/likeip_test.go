package cli

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/nlkit/rtnl"
)

// ipResult runs `ip -n NAME args...` and returns its standard output,
// standard error and exit status.
func ipResult(t *testing.T, name string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command("ip", append([]string{"-n", name}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return stdout.String(), stderr.String(), 0
	case errors.As(err, &ee):
		return stdout.String(), stderr.String(), ee.ExitCode()
	}
	t.Fatalf("ip %s: %v", strings.Join(args, " "), err)
	return "", "", 0
}

// nsState describes what the commands of the side-by-side tests can
// change in a namespace, as the library reads it (in the process: ip would
// cost many runs a case): the links, addresses, routes, neighbours and
// rules. Lines are sorted (the kernel's order of equal routes of two links
// depends on which came up first); the veth's random link-layer addresses
// and the neighbours the kernel adds for IPv6 multicast are left out.
func nsState(t *testing.T, c *rtnl.Conn) string {
	t.Helper()
	ctx := t.Context()
	var lines []string
	add := func(format string, args ...any) { lines = append(lines, fmt.Sprintf(format, args...)) }
	links, err := c.LinkList(ctx, rtnl.LinkFilter{})
	if err != nil {
		t.Fatal(err)
	}
	names := map[int32]string{}
	for _, l := range links {
		names[l.Index] = l.Name
	}
	for _, l := range links {
		add("link %d %s kind %q mtu %d qlen %d group %d up %v flags %#x master %q alias %q brd %v mode %v oper %v protodown %v gso %d/%d gro %d queues %d/%d addrgenmode %v/%v altnames %q",
			l.Index, l.Name, l.Kind, l.MTU, l.TxQueueLen, l.Group, l.Flags&rtnl.LinkUp != 0, uint32(l.Flags)&0x93a0, names[l.Master], l.Alias,
			l.Broadcast, l.LinkMode, l.OperState, l.ProtoDown, l.GSOMaxSize, l.GSOMaxSegs, l.GROMaxSize, l.NumTxQueues, l.NumRxQueues,
			l.HasAddrGenMode, l.AddrGenMode, l.AltNames)
	}
	for a, err := range c.Addresses(ctx, rtnl.AddressFilter{}) {
		if err != nil {
			t.Fatal(err)
		}
		add("address %s %v peer %v brd %v scope %v label %q metric %d", names[a.Index], a.Prefix, a.Peer, a.Broadcast, a.Scope, a.Label, a.Metric)
	}
	for r, err := range c.Routes(ctx, rtnl.RouteFilter{}) {
		if err != nil {
			t.Fatal(err)
		}
		var m rtnl.Metrics
		if r.Metrics != nil {
			m = *r.Metrics
		}
		add("route table %v %v %v via %v dev %s metric %d proto %v scope %v src %v from %v hops %d metrics %+v",
			r.Table, r.Type, r.Dst, r.Gateway, names[r.OutIndex], r.Priority, r.Protocol, r.Scope, r.PrefSrc, r.Src, len(r.NextHops), m)
	}
	for n, err := range c.Neighbors(ctx, rtnl.NeighborFilter{}) {
		if err != nil {
			t.Fatal(err)
		}
		if n.Addr.IsMulticast() {
			continue
		}
		add("neigh %v dev %s lladdr %v state %v flags %v proto %v", n.Addr, names[n.Index], n.LinkAddr, n.State, n.Flags, n.Protocol)
	}
	for _, fam := range []rtnl.Family{rtnl.FamilyIPv4, rtnl.FamilyIPv6} {
		for u, err := range c.Rules(ctx, rtnl.RuleFilter{Family: fam}) {
			if err != nil {
				t.Fatal(err)
			}
			add("rule %v pref %d table %v from %v to %v action %v goto %d iif %q oif %q mark %#x/%#x not %v proto %v", u.Family,
				u.Priority, u.Table, u.Src, u.Dst, u.Action, u.Goto, u.IifName, u.OifName, u.Mark, u.Mask, u.Invert, u.Protocol)
		}
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

// runAs runs nl invoked as prog (argv[0]) with args and returns stdout,
// stderr and the exit code.
func runAs(t testing.TB, prog string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := RunProgram(t.Context(), prog, args, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), code
}

// likeIP runs each command line with ip and with nl (invoked as ip), each in a fresh
// namespace holding the veth pair v0-v1 (see rtNS), and wants the same
// standard output, standard error and exit status, and the same links,
// addresses, routes, neighbours and rules afterwards (unless both stopped
// with a usage error, exit status 255, before asking the kernel). The
// lines run in parallel.
func likeIP(t *testing.T, lines [][]string) {
	t.Helper()
	for _, line := range lines {
		t.Run(strings.Join(line, " "), func(t *testing.T) {
			t.Parallel()
			_, ipName, ipConn := rtNS(t)
			_, nlName, nlConn := rtNS(t)
			ipOut, ipErr, ipCode := ipResult(t, ipName, line...)
			nlOut, nlErr, nlCode := runAs(t, "ip", append([]string{"-n", nlName}, line...)...)
			if nlCode != ipCode || nlErr != ipErr || nlOut != ipOut {
				t.Errorf("%q:\n ip: exit %d, stderr %q, stdout %q\n nl: exit %d, stderr %q, stdout %q",
					line, ipCode, ipErr, ipOut, nlCode, nlErr, nlOut)
			}
			if ipCode == ExitUsage && nlCode == ExitUsage {
				return
			}
			// The kernel finishes setting up IPv6 (the local route of
			// 2001:db8::1) on its own time: read both states again until
			// they agree, for a while.
			for attempt := 0; ; attempt++ {
				ipState, nlState := nsState(t, ipConn), nsState(t, nlConn)
				if nlState == ipState {
					break
				}
				if attempt == 20 {
					t.Errorf("%q: the namespaces differ afterwards:\n only after ip:\n%s\n only after nl:\n%s", line,
						linesOnlyIn(ipState, nlState), linesOnlyIn(nlState, ipState))
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
		})
	}
}

// TestDeviceNamesLikeIP: device names, the empty one above all (ip
// refuses it where it checks the syntax of a name, and finds no device for
// it elsewhere, while nl used to take it for "no device given" and, for
// instance, let the kernel name a bridge "bridge0"), then other names ip's
// check_ifname refuses or accepts, and names of devices that do not exist.
func TestDeviceNamesLikeIP(t *testing.T) {
	likeIP(t, [][]string{
		// The empty name, wherever a device name is taken.
		{"link", "add", "", "type", "bridge"},
		{"link", "add", "dev", "", "type", "bridge"},
		{"link", "add", "name", "", "type", "bridge"},
		{"link", "add", "link", "", "name", "x0", "type", "vlan", "id", "5"},
		{"link", "add", "x0", "type", "veth", "peer", "name", ""},
		{"link", "add", "x0", "type", "veth", "peer", ""},
		{"link", "add", "x0", "master", "", "type", "ifb"},
		{"link", "add", "x0", "type", "vxlan", "id", "5", "dev", ""},
		{"link", "set", "", "up"},
		{"link", "set", "dev", "", "up"},
		{"link", "set", "v0", "name", ""},
		{"link", "set", "v0", "master", ""},
		{"link", "delete", ""},
		{"link", "delete", "dev", ""},
		{"link", "show", ""},
		{"link", "show", "dev", ""},
		{"link", "show", "master", ""},
		{"address", "add", "198.18.5.1/24", "dev", ""},
		{"address", "add", "198.18.5.1/24", "dev", "", "label", "x"},
		{"address", "add", "198.18.5.1/24", "dev", "", "dev", "v1"},
		{"address", "add", "198.18.5.1/24", "dev", "v1", "dev", ""},
		{"address", "delete", "198.18.2.1/24", "dev", ""},
		{"address", "show", ""},
		{"address", "show", "dev", ""},
		{"address", "show", "master", ""},
		{"address", "flush", "dev", ""},
		{"route", "add", "198.18.5.0/24", "dev", ""},
		{"route", "add", "198.18.5.0/24", "oif", ""},
		{"route", "add", "198.18.5.0/24", "via", "198.18.2.2", "dev", ""},
		{"route", "add", "198.18.5.0/24", "dev", "", "garbage"},
		{"route", "add", "198.18.5.0/24", "nexthop", "via", "198.18.2.2", "dev", ""},
		{"route", "add", "198.18.5.0/24", "dev", "nosuch", "nexthop", "via", "198.18.2.2", "dev", ""},
		{"route", "delete", "198.18.2.0/24", "dev", ""},
		{"route", "show", "dev", ""},
		{"route", "show", "oif", ""},
		{"route", "flush", "dev", ""},
		{"route", "get", "198.18.2.5", "iif", ""},
		{"route", "get", "198.18.2.5", "oif", ""},
		{"route", "get", "198.18.2.5", "from", "198.18.2.1", "iif", ""},
		{"route", "get", "198.18.2.5", "iif", "nosuch", "oif", ""},
		{"route", "get", "198.18.2.5", "oif", "nosuch", "iif", ""},
		{"neigh", "add", "198.18.2.9", "lladdr", "02:00:00:00:00:09", "dev", ""},
		{"neigh", "add", "198.18.2.9", "lladdr", "02:00:00:00:00:09", "dev", "", "dev", "v0"},
		{"neigh", "add", "proxy", "198.18.2.9", "dev", ""},
		{"neigh", "delete", "198.18.2.9", "dev", ""},
		{"neigh", "get", "198.18.2.9", "dev", ""},
		{"neigh", "show", "dev", ""},
		{"neigh", "show", "dev", "", "dev", "v0"},
		{"neigh", "flush", "dev", ""},
		{"rule", "add", "iif", "", "table", "10"},
		{"rule", "add", "oif", "", "table", "10"},
		{"rule", "delete", "iif", "", "table", "10"},
		{"rule", "show", "iif", ""},
		{"rule", "show", "oif", ""},
		{"mptcp", "endpoint", "add", "198.18.2.1", "dev", ""},

		// Names ip's checks refuse (a blank, a slash, too long) or leave
		// to the kernel (":", "."), in the places that check them.
		{"link", "add", "a b", "type", "bridge"},
		{"link", "add", "dev", "a/b", "type", "bridge"},
		{"link", "add", "name", "a\vb", "type", "bridge"},
		{"link", "add", "a:b", "type", "bridge"},
		{"link", "set", "a b", "up"},
		{"link", "set", "v0", "name", "0123456789abcdef"},
		{"link", "delete", "a/b"},
		{"rule", "add", "iif", "a:b", "table", "10"},
		{"rule", "add", "iif", ".", "table", "10"},
		{"rule", "add", "oif", "a\vb", "table", "10"},
		{"mptcp", "endpoint", "add", "198.18.2.1", "dev", "a:b"},
		{"mptcp", "endpoint", "add", "198.18.2.1", "dev", "."},
		{"mptcp", "endpoint", "add", "198.18.2.1", "dev", "a b"},

		// Devices that do not exist: exit status 1 where ip's handler
		// fails, 255 where ip stops while parsing.
		{"link", "add", "link", "nosuch", "name", "x0", "type", "vlan", "id", "5"},
		{"link", "set", "nosuch", "up"},
		{"link", "delete", "nosuch"},
		{"link", "show", "nosuch"},
		{"link", "show", "master", "nosuch"},
		{"link", "add", "x0", "type", "vxlan", "id", "5", "dev", "nosuch"},
		{"address", "add", "198.18.5.1/24", "dev", "nosuch"},
		{"address", "add", "198.18.5.1/24", "dev", "v0", "dev", "nosuch"},
		{"address", "show", "dev", "nosuch"},
		{"address", "flush", "dev", "nosuch"},
		{"route", "add", "198.18.5.0/24", "dev", "nosuch"},
		{"route", "add", "198.18.5.0/24", "dev", "a:b"},
		{"route", "add", "198.18.5.0/24", "nexthop", "via", "198.18.2.2", "dev", "nosuch"},
		{"route", "show", "dev", "nosuch"},
		{"route", "get", "198.18.2.5", "oif", "nosuch"},
		{"neigh", "add", "198.18.2.9", "lladdr", "02:00:00:00:00:09", "dev", "nosuch"},
		{"neigh", "get", "198.18.2.9", "dev", "v0", "dev", "nosuch"},
		{"neigh", "show", "dev", "nosuch"},
		{"mptcp", "endpoint", "add", "198.18.2.1", "dev", "nosuch"},
	})
}

// linesOnlyIn gives the lines of a that b lacks.
func linesOnlyIn(a, b string) string {
	var out []string
	for _, l := range strings.Split(a, "\n") {
		if !slices.Contains(strings.Split(b, "\n"), l) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// withWords puts each word in place of X in each template (words split on
// blanks), giving the command lines of a side-by-side test.
func withWords(templates []string, words ...string) [][]string {
	var lines [][]string
	for _, tpl := range templates {
		for _, w := range words {
			var line []string
			for _, f := range strings.Fields(tpl) {
				if f == "X" {
					f = w
				}
				line = append(line, f)
			}
			lines = append(lines, line)
		}
	}
	return lines
}

// numberWords are numbers ip's get_u32 and friends (strtoul, strtol in
// base 0) refuse or take unlike Go's strconv: underscores, 0b, a sign,
// leading blanks, minus one, 0x without digits, 8 in octal, 2^32, the
// empty word.
var numberWords = []string{"1_500", "0b1010", "+5", " 5", "-1", "0x", "08", "4294967296", ""}

// TestNumbersLikeIP: every word that takes a number, in every object, with
// the words ip reads differently from Go; then every form on one word of
// each object.
func TestNumbersLikeIP(t *testing.T) {
	likeIP(t, withWords([]string{
		"link set v0 mtu X",
		"link set v0 txqueuelen X",
		"link set v0 group X",
		"link add x0 mtu X type veth",
		"link add x0 type veth peer name x1 mtu X",
		"link add x0 type veth peer name x1 txqueuelen X",
		"link add x0 type bridge forward_delay X",
		"link add x0 type bridge priority X",
		"link add x0 type bridge vlan_filtering X",
		"link add x0 type vxlan id X",
		"link add x0 type vxlan id 5 dstport X",
		"link add x0 type vxlan id 5 ttl X",
		"link add x0 type vxlan id 5 tos X",
		"link add x0 link v0 type vlan id X",
		"address add 198.18.5.1/24 dev v0 metric X",
		"address add 198.18.5.1/24 dev v0 valid_lft X",
		"address add 198.18.5.1/24 dev v0 scope X",
		"address show dev lo scope X",
		"route add 198.18.5.0/24 dev v0 mtu X",
		"route add 198.18.5.0/24 dev v0 mtu lock X",
		"route add 198.18.5.0/24 dev v0 advmss X",
		"route add 198.18.5.0/24 dev v0 metric X",
		"route add 198.18.5.0/24 dev v0 table X",
		"route add 198.18.5.0/24 dev v0 proto X",
		"route add 198.18.5.0/24 dev v0 scope X",
		"route add 198.18.5.0/24 dev v0 hoplimit X",
		"route add 198.18.5.0/24 dev v0 quickack X",
		"route add 198.18.5.0/24 nexthop dev v0 weight X",
		"route show table X",
		"route show metric X",
		"route show proto X",
		"route get 198.18.2.5 mark X",
		"neigh add 198.18.2.9 dev v0 nud X",
		"neigh show nud X",
		"rule add pref X table 10",
		"rule add fwmark X table 10",
		"rule add fwmark 1/X table 10",
		"rule add table X",
		"rule add goto X",
		"mptcp endpoint add 198.18.2.1 id X",
		"mptcp endpoint add 198.18.2.1 signal port X",
		"mptcp limits set subflows X",
	}, numberWords...))
	others := []string{"0x10", "010", "0X1f", "\t7", "+0x10", "-4294967295", "18446744073709551616"}
	likeIP(t, withWords([]string{
		"link set v0 txqueuelen X",
		"route add 198.18.5.0/24 dev v0 mtu X",
		"route show table X dev lo", // lo: equal routes of v0 and v1 come in any order
		"mptcp endpoint add 198.18.2.1 id X",
	}, append(others, "-0")...))
	// "pref -0" is pref 0, which the library does not send (0 is "let
	// the kernel choose").
	likeIP(t, withWords([]string{"rule add pref X table 10"}, others...))
}

// TestNamesLikeIP: device names ip's check_ifname refuses (a slash, a
// blank such as a vertical tab, 16 bytes) or leaves to the kernel (a
// colon, dots), and an alternative-name length, in every object that
// takes a device name.
func TestNamesLikeIP(t *testing.T) {
	likeIP(t, withWords([]string{
		"link add X type veth",
		"link add name X type veth",
		"link add x0 type veth peer name X",
		"link set v0 name X",
		"link set X up",
		"link delete X",
		"link show X",
		"link show master X",
		"link add x0 link X type macvlan",
		"address add 198.18.5.1/24 dev X",
		"address show dev X",
		"address flush dev X",
		"route add 198.18.5.0/24 dev X",
		"route show dev X",
		"route get 198.18.2.5 oif X",
		"route get 198.18.2.5 from 198.18.2.1 iif X",
		"neigh add 198.18.2.9 lladdr 02:00:00:00:00:09 dev X",
		"neigh show dev X",
		"rule add iif X table 10",
		"rule add oif X table 10",
		"mptcp endpoint add 198.18.2.1 dev X",
	}, "a:b", "..", ".", "0123456789abcde", "0123456789abcdef", "a\vb", "a/b", "v0/", strings.Repeat("x", 128), "if1"))
}

// TestAddressesLikeIP: addresses and prefixes as ip's get_addr_1 and
// get_prefix_1 read them (IPv4 parts by strtoul, abbreviations, masks as
// numbers in any base or dotted, zones refused), in every object.
func TestAddressesLikeIP(t *testing.T) {
	addrs := []string{"10", "10.1", "0x0a.1", "012.0.0.1", "1.2.3.08", "-0.1.2.3", " 1.2.3.4", "1.2.3.4.5", "1.2.3.",
		"256.1.1.1", "2001:db8::5", "::ffff:1.2.3.4", "fe80::1%v0", "1:2:3:4:5:6:7:8:9", ""}
	prefixes := []string{"198.18.5.0/0x18", "198.18.5.0/255.255.255.0", "198.18.5.0/255.0.255.0", "198.18.5.0/33",
		"198.18.5.0/+24", "198.18.5.0/", "198.18.5.0/default", "2001:db8::/64", "2001:db8::/255.255.0.0", "default/0"}
	likeIP(t, withWords([]string{
		"route add X dev v0",
		"route show X",
		"route show root X",
		"route get X",
		"address show dev lo to X", // lo: the veth's link-layer addresses are random
		"neigh show to X",
		"rule add from X table 10",
		"rule add to X table 10",
	}, append(append(addrs, prefixes...), "default", "all", "any")...))
	// "default", "all" and "any" as the local address: ip sends the
	// request without one, which the library does not.
	likeIP(t, withWords([]string{"address add X dev v0"}, append(addrs, prefixes...)...))
	likeIP(t, withWords([]string{
		"route add 198.18.5.0/24 via X",
		"route add 198.18.5.0/24 dev v0 src X",
		"route get 198.18.2.5 from X",
		"address add 198.18.5.1/24 peer X dev v0",
		"address add 198.18.5.1/24 brd X dev v0",
		"neigh add X lladdr 02:00:00:00:00:09 dev v0",
		"link add x0 type vxlan id 5 remote X dstport 0",
		"mptcp endpoint add X",
	}, addrs...))
	likeIP(t, [][]string{
		{"-4", "route", "add", "2001:db8::/64", "dev", "v0"},
		{"-6", "route", "add", "198.18.5.0/24", "dev", "v0"},
		{"-0", "route", "add", "198.18.5.0/24", "dev", "v0"},
		{"-0", "address", "add", "198.18.5.1/24", "dev", "v0"},
		{"-0", "address", "show", "to", "198.18.2.0/24"},
		{"link", "show", "to", "198.18.2.0/24"},
		{"-0", "rule", "add", "from", "198.18.5.0/24", "table", "10"},
		{"-6", "route", "show", "all"},
		{"route", "show", "default"},
		{"route", "add", "198.18.5.0/24", "dev", "v0", "src", "default"},
		{"address", "add", "198.18.5.1/24", "brd", "default", "dev", "v0"},
		{"address", "add", "198.18.5.1/24", "peer", "default", "dev", "v0"},
		{"address", "add", "198.18.5.1/24", "peer", "198.18.5.2/0", "dev", "v0"},
		{"-4", "address", "add", "default", "dev", "v0"},
		{"-6", "address", "add", "default", "dev", "v0"},
		{"route", "add", "198.18.5.0/24", "via", "inet6", "198.18.2.2"},
		{"route", "add", "198.18.5.0/24", "via", "inet", "2001:db8::2"},
		{"rule", "add", "from", "2001:db8::/64", "table", "10"},
		{"route", "get", "198.18.2.5", "198.18.2.6"},
	})
}

// TestLinkLayerAddressesLikeIP: link-layer addresses as ip's ll_addr_a2n
// reads them (each byte by sscanf's %x), and ip's check of their length
// against the device's.
func TestLinkLayerAddressesLikeIP(t *testing.T) {
	likeIP(t, withWords([]string{
		"link set v0 address X",
		"link add x0 address X type veth",
		"link add x0 type veth peer name x1 address X",
		"neigh add 198.18.2.9 lladdr X dev v0",
	}, "2:0:0:0:0:9", "0x2:+0:-0: 0:0:9", "2:0:0:0:0:1g", "2:0:0:0:0", "2:0:0:0:0:9:1", "2::0:0:0:9",
		"2:0:0:0:0:100", "zz", "00:zz", "1.2.3.4", "", "null"))
}

// TestIncompleteLikeIP: a keyword without its value, in every object.
func TestIncompleteLikeIP(t *testing.T) {
	likeIP(t, [][]string{
		{"link", "set", "v0", "mtu"},
		{"link", "add", "x0", "type"},
		{"link", "add", "x0", "type", "vxlan", "id"},
		{"link", "show", "dev"},
		{"address", "add", "198.18.5.1/24", "dev"},
		{"address", "show", "scope"},
		{"route", "add", "198.18.5.0/24", "dev"},
		{"route", "add", "198.18.5.0/24", "via", "inet"},
		{"route", "add", "198.18.5.0/24", "mtu", "lock"},
		{"route", "show", "table"},
		{"route", "get", "198.18.2.5", "iif"},
		{"route", "add", "unicast"},
		{"neigh", "add", "198.18.2.9", "lladdr"},
		{"neigh", "show", "nud"},
		{"rule", "add", "pref"},
		{"rule", "add", "type"},
		{"mptcp", "endpoint", "add", "198.18.2.1", "id"},
		{"mptcp", "limits", "set", "subflows"},
	})
}

// TestWhereNlDiffersFromIP pins nl's answers where they differ from ip
// 6.1 on purpose: ip sends what the library does not send (a zero MTU, a
// zero rule preference or goto target, an empty address for "all" or
// "any"), and nl refuses those words while parsing, with ip's message for
// a word of that kind, or leaves out what would be zero.
func TestWhereNlDiffersFromIP(t *testing.T) {
	parseErr := func(parse func([]string) error, args ...string) string {
		if err := parse(args); err != nil {
			return err.Error()
		}
		return ""
	}
	link := func(args []string) error { _, err := parseLink(args); return err }
	route := func(args []string) error { _, err := parseRoute(args, FamilyAny); return err }
	addr := func(args []string) error { _, err := parseAddress(args, FamilyAny); return err }
	mp := func(args []string) error { _, err := parseMptcp(args); return err }
	for _, tc := range []struct {
		got, want string
	}{
		// ip sends IFLA_MTU 0 and the kernel refuses it.
		{parseErr(link, "add", "x0", "mtu", "-0", "type", "veth"), "Error: argument \"-0\" is wrong: Invalid \"mtu\" value\n"},
		{parseErr(link, "set", "v0", "mtu", "0"), "Error: argument \"0\" is wrong: Invalid \"mtu\" value\n"},
		// ip sends an empty address (all, any) and the kernel refuses it.
		{parseErr(route, "add", "198.18.5.0/24", "via", "all"), `Error: inet address is expected rather than "all".`},
		{parseErr(route, "add", "198.18.5.0/24", "dev", "v0", "src", "any"), `Error: inet address is expected rather than "any".`},
		{parseErr(addr, "add", "198.18.5.1/24", "brd", "all", "dev", "v0"), `Error: inet address is expected rather than "all".`},
		{parseErr(addr, "add", "198.18.5.1/24", "peer", "any", "dev", "v0"), `Error: inet prefix is expected rather than "any".`},
		{parseErr(addr, "add", "default", "dev", "v0"), `Error: any valid prefix is expected rather than "default".`},
		{parseErr(mp, "endpoint", "add", "default"), `Error: any valid address is expected rather than "default".`},
		// ip sends a vxlan without IFLA_VXLAN_ID and the kernel refuses
		// it (exit 2, "Required attributes not provided"); the library
		// always sends the VNI.
		{parseErr(link, "add", "x0", "type", "vxlan"), "vxlan: missing virtual network identifier"},
		// "as" is MPLS's RTA_NEWDST, which nl does not speak. (tos, uid,
		// ipproto, sport, dport, vrf, notify, connected and the
		// interface flags of a veth's peer are compared with ip in
		// realm_test.go.)
		{parseErr(route, "get", "198.18.2.5", "as", "198.18.2.6"), `Error: "as" is not supported by nl route get.`},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
	// ip sends a preference and a goto target of 0; the library leaves
	// them out (the kernel then picks a preference, and refuses a goto
	// without its target).
	if r, err := parseRule([]string{"add", "pref", "-0", "goto", "-0"}, FamilyAny); err != nil || r.rule.Priority != 0 || r.rule.Goto != 0 || !r.hasPref {
		t.Errorf("rule add pref -0 goto -0: %+v %v", r, err)
	}
	// ip sends the source's prefix length with route get (the kernel
	// refuses one short of the address's); RouteQuery has only the
	// address.
	if r, err := parseRoute([]string{"get", "198.18.2.5", "from", "198.18.5.0/24"}, FamilyAny); err != nil || r.get.from != netip.MustParseAddr("198.18.5.0") {
		t.Errorf("route get from PREFIX: %+v %v", r.get, err)
	}
}

// TestLinkKindsLikeIP: the words of the kinds (vxlan's check_duparg,
// address families and abbreviations, the errors ip's kind parsers return
// with, which exit with status 1) and of link add and set around them.
func TestLinkKindsLikeIP(t *testing.T) {
	likeIP(t, [][]string{
		{"link", "add", "x0"},
		{"link", "add", "x0", "type", "veth", "peer", "x1", "type", "veth"},
		{"link", "set", "v0", "master", "v1", "nomaster"},
		{"link", "set", "v0", "ty", "bridge"},
		{"link", "set", "v0", "t", "5"},
		{"link", "add", "x0", "type", "macvlan", "mode", "zz"},
		{"link", "add", "x0", "type", "bridge", "forward_delay", "0x10", "priority", "+7", "vlan_filtering", "1"},
		{"link", "add", "x0", "type", "vxlan", "id", "5"},
		{"link", "add", "x0", "type", "vxlan", "id", "5", "id", "6"},
		{"link", "add", "x0", "type", "vxlan", "id", "5", "dstport", "1", "dstport", "2"},
		{"link", "add", "x0", "type", "vxlan", "id", "5", "remote", "1.1.1.1", "group", "239.1.1.1"},
		{"link", "add", "x0", "type", "vxlan", "id", "5", "remote", "1.1.1.1", "remote", "1.1.1.2"},
		{"link", "add", "x0", "type", "vxlan", "id", "5", "group", "239.1.1.1", "group", "239.1.1.2", "dev", "v0"},
		{"link", "add", "x0", "type", "vxlan", "id", "5", "group", "239.1.1.1", "dstport", "0"},
		{"link", "add", "x0", "type", "vxlan", "id", "5", "local", "1.1.1.1", "local", "1.1.1.2"},
		{"link", "add", "x0", "type", "vxlan", "id", "5", "local", "1.1.1.1", "remote", "::1", "dstport", "0"},
		{"link", "add", "x0", "type", "vxlan", "id", "5", "loc", "198.18.2.1", "rem", "198.18.2.2", "dstport", "0"},
		{"link", "add", "x0", "type", "vxlan", "id", "5", "remote", "239.1.1.1"},
		{"link", "add", "x0", "type", "vxlan", "id", "5", "dev", "v0", "dev", "v1"},
		{"link", "add", "x0", "type", "vxlan", "id", "5", "dev", "nosuch"},
		{"link", "add", "x0", "type", "vxlan", "id", "5", "ttl", "256"},
		{"link", "add", "x0", "type", "vxlan", "id", "5", "ttl", "auto", "tos", "inherit", "nolearning"},
	})
}

// exitLikeIP runs each command line with ip and with nl invoked as ip,
// in fresh namespaces as likeIP, and wants the same exit status, the same
// standard output, and standard error alike: empty for both, or the same
// first line (what follows a usage's first line is each program's own
// list of what it takes).
func exitLikeIP(t *testing.T, lines [][]string) {
	t.Helper()
	for _, line := range lines {
		t.Run(strings.Join(line, " "), func(t *testing.T) {
			t.Parallel()
			_, ipName, _ := rtNS(t)
			_, nlName, _ := rtNS(t)
			ipOut, ipErr, ipCode := ipResult(t, ipName, line...)
			nlOut, nlErr, nlCode := runAs(t, "ip", append([]string{"-n", nlName}, line...)...)
			// A usage's first line: "Usage: ip OBJECT" (the rest is
			// each program's list of what it takes).
			first := func(s string) string {
				l, _, _ := strings.Cut(s, "\n")
				if f := strings.Fields(l); len(f) > 3 && f[0] == "Usage:" {
					return strings.Join(f[:3], " ")
				}
				return l
			}
			if nlCode != ipCode || nlOut != ipOut || first(nlErr) != first(ipErr) || (nlErr == "") != (ipErr == "") {
				t.Errorf("%q:\n ip: exit %d, stderr %q, stdout %q\n nl: exit %d, stderr %q, stdout %q",
					line, ipCode, ipErr, ipOut, nlCode, nlErr, nlOut)
			}
		})
	}
}

// TestExitCodesLikeIP: bad command lines of every kind (unknown objects,
// commands and options, bad words and numbers, missing devices, kernel
// refusals, help), nl invoked as ip against ip: the same exit status and
// output, and standard error alike (see exitLikeIP).
func TestExitCodesLikeIP(t *testing.T) {
	exitLikeIP(t, [][]string{
		// Unknown objects, commands and options; help.
		{"frobnicate"},
		{"help"},
		{"help", "route"},
		{"-x", "link"},
		{"-color=blue", "link"},
		{"-family", "ipx", "route"},
		{"-rc", "x", "link"},
		{"-l"},
		{"-batch"},
		{"link", "frob"},
		{"address", "frob"},
		{"route", "frob"},
		{"rule", "frob"},
		{"neigh", "frob"},
		{"netns", "frob"},
		{"monitor", "frob"},
		{"link", "help"},
		{"link", "help", "nosuchkind"},
		{"address", "help"},
		{"route", "help"},
		{"rule", "help"},
		{"neigh", "help"},
		{"netns", "help"},
		{"mptcp", "help"},
		{"mptcp", "endpoint", "frob"},
		// Bad words.
		{"link", "set", "v0", "mtu", "x"},
		{"link", "set", "v0", "frob"},
		{"link", "add", "x0", "type", "bridge", "frob", "1"},
		{"link", "show", "group", "x"},
		{"address", "add", "300.1.1.1/24", "dev", "v0"},
		{"address", "add", "198.18.5.1/24", "dev", "v0", "scope", "x"},
		{"address", "show", "scope", "x"},
		{"route", "add", "198.18.5.0/24", "via", "x"},
		{"route", "add", "198.18.5.0/24", "dev", "v0", "table", "x"},
		{"route", "add", "198.18.5.0/24", "dev", "v0", "proto", "x"},
		{"route", "add", "frob", "198.18.5.0/24", "dev", "v0"},
		{"route", "get"},
		{"route", "flush"},
		{"rule", "add", "pref", "x"},
		{"rule", "add", "fwmark", "x", "table", "10"},
		{"neigh", "add", "198.18.2.9", "lladdr", "zz", "dev", "v0"},
		{"neigh", "add", "198.18.2.9", "nud", "x", "dev", "v0"},
		{"neigh", "show", "nud", "x"},
		{"netns", "add"},
		{"netns", "set"},
		{"netns", "set", "x"},
		{"netns", "set", "x", "y"},
		{"netns", "identify", "abc"},
		{"netns", "attach", "x"},
		// Missing devices.
		{"link", "set", "nosuch", "up"},
		{"link", "delete", "nosuch"},
		{"link", "show", "nosuch"},
		{"address", "add", "198.18.5.1/24", "dev", "nosuch"},
		{"address", "show", "dev", "nosuch"},
		{"route", "add", "198.18.5.0/24", "dev", "nosuch"},
		{"route", "show", "dev", "nosuch"},
		{"neigh", "show", "dev", "nosuch"},
		{"netns", "set", "nosuch", "5"},
		{"netns", "pids", "nosuch"},
		// The kernel refuses.
		{"link", "add", "v0", "type", "veth"},
		{"link", "add", "x0", "type", "nosuchkind"},
		{"link", "set", "v0", "mtu", "70000"},
		{"address", "add", "198.18.2.1/24", "dev", "v0"},
		{"address", "delete", "198.18.9.1/24", "dev", "v0"},
		{"route", "add", "198.18.2.0/24", "dev", "v0"},
		{"route", "delete", "198.18.9.0/24"},
		{"route", "add", "198.18.5.0/24", "via", "198.18.9.9"},
		{"route", "get", "198.18.9.9", "oif", "v1"},
		{"neigh", "delete", "198.18.2.77", "dev", "v0"},
		{"rule", "delete", "pref", "1234"},
		{"neigh", "get", "198.18.2.77", "dev", "v0"},
	})
}
