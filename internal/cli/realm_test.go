package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netns"
)

// scriptLikeIP runs the command lines in order with ip in one namespace
// and with nl (invoked as ip) in another, both holding the veth pair v0-v1
// (see rtNS), and wants for each the same exit status, standard output
// and standard error. Then, for each show line, ip must show the same in
// both namespaces (nl left the kernel as ip did), and nl must show what ip
// shows, byte for byte, in text and -j alike.
func scriptLikeIP(t *testing.T, cmds, shows []string) {
	t.Helper()
	ipns, ipNS, _ := rtNS(t)
	nlns, nlNS, _ := rtNS(t)
	// The same link-layer addresses on both sides, for link show.
	for _, ns := range []*netns.NS{ipns, nlns} {
		kerneltest.Run(t, ns, "ip", "link", "set", "v0", "address", "02:00:00:00:00:10")
		kerneltest.Run(t, ns, "ip", "link", "set", "v1", "address", "02:00:00:00:00:11")
	}
	for _, line := range cmds {
		args := strings.Fields(line)
		ipOut, ipErr, ipCode := ipResult(t, ipNS, args...)
		nlOut, nlErr, nlCode := runAs(t, "ip", append([]string{"-n", nlNS}, args...)...)
		if nlCode != ipCode || nlErr != ipErr || nlOut != ipOut {
			t.Errorf("%s:\n ip: exit %d, stderr %q, stdout %q\n nl: exit %d, stderr %q, stdout %q",
				line, ipCode, ipErr, ipOut, nlCode, nlErr, nlOut)
		}
	}
	for _, line := range shows {
		args := strings.Fields(line)
		ipOut, ipErr, ipCode := ipResult(t, ipNS, args...)
		ip2Out, ip2Err, ip2Code := ipResult(t, nlNS, args...)
		if ipCode != ip2Code || ipOut != ip2Out || ipErr != ip2Err {
			t.Errorf("ip %s: the namespaces differ:\n after ip: exit %d %s%s\n after nl: exit %d %s%s", line,
				ipCode, ipErr, ipOut, ip2Code, ip2Err, ip2Out)
		}
		nlOut, nlErr, nlCode := runAs(t, "ip", append([]string{"-n", nlNS}, args...)...)
		if nlCode != ip2Code || nlErr != ip2Err || nlOut != ip2Out {
			t.Errorf("%s:\n ip: exit %d, stderr %q\n%s\n nl: exit %d, stderr %q\n%s", line, ip2Code, ip2Err, ip2Out, nlCode, nlErr, nlOut)
		}
	}
}

// TestRouteRealmsLikeIP: route realm(s) as ip reads them (numbers,
// FROM/TO, names of rt_realms, raw RTA_FLOW numbers, and its errors), on
// single-path and multipath routes, in replace and delete (which compares
// realms along with a gateway), and their print in text and JSON, by
// show, get and the realms selector.
func TestRouteRealmsLikeIP(t *testing.T) {
	scriptLikeIP(t, []string{
		"route add 198.18.10.0/24 via 198.18.2.2 realm 5",
		"route add 198.18.11.0/24 dev v0 realms 3/5",
		"route add 198.18.12.0/24 dev v0 realm cosmos",
		"route add 198.18.13.0/24 dev v0 realms 0x10005",
		"route add 198.18.14.0/24 dev v0 realms 3/",
		"route add 198.18.15.0/24 dev v0 realms /5",
		"route add 198.18.16.0/24 dev v0 realm foo",
		"route add 198.18.17.0/24 dev v0 realm 256/1",
		"route add 198.18.17.0/24 dev v0 realm 70000",
		"route add 198.18.22.0/24 dev v0 realm 0x3/cosmos",
		"route add 198.18.23.0/24 dev v0 realm 00012",
		"route add 198.18.24.0/24 dev v0 realm 4294967295",
		"route add 198.18.25.0/24 dev v0 realm -1",
		"route add 198.18.25.0/24 dev v0 realm 255/255",
		"route add 198.18.26.0/24 dev v0 realm 0",
		"route add 198.18.27.0/24 dev v0 realm 4294967296",
		"route add 198.18.27.0/24 dev v0 realm 5/-1",
		"route add 198.18.27.0/24 dev v0 realm",
		"route append 198.18.10.0/24 via 198.18.2.2 realm 6",
		"route append 198.18.10.0/24 via 198.18.2.2 realm 6",
		"route add 198.18.18.0/24 nexthop via 198.18.2.2 realm 1 nexthop via 198.18.2.3 realms 2/7 weight 3",
		"route add 198.18.19.0/24 realm 4 nexthop via 198.18.2.2 realm 5 nexthop via 198.18.2.3",
		"route add 198.18.19.0/24 realm 5 nexthop via 198.18.2.2 realm 5 nexthop via 198.18.2.3 rea 9",
		"route add blackhole 198.18.20.0/24 realm 9",
		"route replace 198.18.11.0/24 dev v0 realms 4/5",
		"route del 198.18.10.0/24 via 198.18.2.2 realm 9",
		"route del 198.18.10.0/24 via 198.18.2.2 realm 6",
		"route add 198.18.21.0/24 dev v0 rea 7",
		"route add 2001:db8:5::/64 dev v0 realm 5",
		"route flush realm 9",
	}, []string{
		"route show", "-j route show", "-N route show", "-d route show", "-o route show", "-j -p route show",
		"route show realm 5", "route show realms 3/5", "route show realms 3/", "route show realm cosmos",
		"route show realms /5", "-j route show realms 4/", "-6 route show", "route show table main",
		"route get 198.18.10.1", "-j route get 198.18.11.1", "route get 198.18.18.1", "route get 198.18.11.1 fibmatch",
	})
}

// TestRouteGetLikeIP: route get with tos/dsfield, uid, ipproto, sport,
// dport, vrf (and the others), against rules that match them: the same
// answer, print and errors as ip's.
func TestRouteGetLikeIP(t *testing.T) {
	ns, name, _ := rtNS(t)
	setup := filepath.Join(t.TempDir(), "setup")
	if err := os.WriteFile(setup, []byte(`rule add tos 0x10 table 100 pref 100
rule add uidrange 1000-2000 table 101 pref 101
rule add ipproto tcp dport 80 table 102 pref 102
rule add ipproto tcp sport 1234 table 103 pref 103
rule add ipproto udp table 104 pref 104
route add 198.18.50.0/24 via 198.18.2.2 table 100
route add 198.18.50.0/24 via 198.18.2.3 table 101
route add 198.18.50.0/24 via 198.18.2.4 table 102
route add 198.18.50.0/24 via 198.18.2.5 table 103
route add 198.18.50.0/24 via 198.18.2.6 table 104
route add 198.18.50.0/24 via 198.18.2.7
route add 198.18.51.0/24 tos 0x08 via 198.18.2.8
`), 0o644); err != nil {
		t.Fatal(err)
	}
	kerneltest.Run(t, ns, "ip", "-batch", setup)
	for _, line := range []string{
		"route get 198.18.50.1",
		"route get 198.18.50.1 tos 0x10",
		"route get 198.18.50.1 dsfield 0x10",
		"route get 198.18.50.1 d 0x10",
		"route get 198.18.50.1 tos 0x11",
		"route get 198.18.50.1 tos zz",
		"route get 198.18.50.1 uid 1500",
		"route get 198.18.50.1 uid 0",
		"route get 198.18.50.1 uid abc",
		"route get 198.18.50.1 ipproto tcp dport 80",
		"route get 198.18.50.1 ipproto 6 dport 80",
		"route get 198.18.50.1 ipproto tcp dport 81",
		"route get 198.18.50.1 ipproto tcp sport 1234",
		"route get 198.18.50.1 ipproto udp",
		"route get 198.18.50.1 ipproto foo",
		"route get 198.18.50.1 sport 70000",
		"route get 198.18.50.1 dport x",
		"route get 198.18.50.1 tos 0x10 fibmatch",
		"route get 198.18.51.1 tos 0x08",
		"route get 198.18.51.1",
		"route get 198.18.50.1 vrf v0",
		"route get 198.18.50.1 vrf nosuch",
		"route get 198.18.50.1 mark 0x10 tos 0x10 uid 1500",
		"route get 198.18.50.1 oif v0 uid 1200",
		"route get 198.18.50.1 from 198.18.2.1 ipproto udp",
		"route get 198.18.50.1 connected",
		"-j route get 198.18.50.1 connected",
		"route get 198.18.50.1 connected from 198.18.2.1",
		"route get 198.18.50.1 conn oif v0",
		// Before the notify gets: a get with notify marks the route the
		// kernel cached for the nexthop (one per CPU) RTCF_NOTIFY, and a
		// later plain get prints notify or not by the CPU it runs on.
		"route get 198.18.50.9",
		"route get 198.18.50.9 notify",
		"-j route get 198.18.50.9 notify",
		"route get 2001:db8::5 connected",
		"-j route get 198.18.50.1 uid 1500",
		"-j route get 198.18.50.1 tos 0x10",
		"-j route get 198.18.50.1 ipproto tcp dport 80 fibmatch",
		"route get 2001:db8::5 ipproto tcp dport 80",
		"-6 route get 2001:db8::5 uid 7",
		"-j route get 2001:db8::5 tos 0x10",
	} {
		args := strings.Fields(line)
		ipOut, ipErr, ipCode := ipResult(t, name, args...)
		nlOut, nlErr, nlCode := runAs(t, "ip", append([]string{"-n", name}, args...)...)
		if nlCode != ipCode || nlErr != ipErr || nlOut != ipOut {
			t.Errorf("%s:\n ip: exit %d, stderr %q, stdout %q\n nl: exit %d, stderr %q, stdout %q",
				line, ipCode, ipErr, ipOut, nlCode, nlErr, nlOut)
		}
	}
}

// TestVxlanLikeIP: every vxlan word of ip 6.1 (and its errors, its
// duplicate checks and abbreviations), the -d print in text and JSON, and
// changes of an existing vxlan (link set DEV type vxlan), which the kernel
// allows for some settings only.
func TestVxlanLikeIP(t *testing.T) {
	scriptLikeIP(t, []string{
		"link add vxa address 02:00:00:00:01:01 type vxlan id 42 remote 198.18.3.1 local 198.18.3.2 dstport 4789 ttl 7 tos 0x10 ageing 100 maxaddress 9 srcport 1000 2000 nolearning proxy rsc l2miss l3miss noudpcsum udp6zerocsumtx udp6zerocsumrx remcsumtx remcsumrx gbp df set",
		"link add vxb address 02:00:00:00:01:02 type vxlan id 4 remote 2001:db8::1 flowlabel 5 dstport 0 ttl inherit tos inherit remcsumrx df inherit ageing none",
		"link add vxc address 02:00:00:00:01:03 type vxlan external vnifilter dstport 4799",
		"link add vxd address 02:00:00:00:01:04 type vxlan external dstport 4798 learning",
		"link add vxe address 02:00:00:00:01:05 type vxlan id 7 dev v0 group 239.1.1.1 dstport 0 maxaddress unlimited nol2miss noexternal",
		"link add vxg address 02:00:00:00:01:06 type vxlan vni 8 no p 0 0 dstport 0 noudp6zerocsumrx noproxy norsc nol3miss noremcsumtx noremcsumrx",
		"link add vxh address 02:00:00:00:01:07 type vxlan id 9",
		"link add vxf type vxlan id 5 vnifilter dstport 0",
		"link add vxf type vxlan external id 5",
		"link add vxf type vxlan id 5 df foo",
		"link add vxf type vxlan id 5 flowlabel 0x100000",
		"link add vxf type vxlan id 5 l2miss nol2miss",
		"link add vxf type vxlan id 5 gbp gbp",
		"link add vxf type vxlan id 5 help",
		"link add vxf type vxlan id 5 bogus",
		"link add vxf type vxlan id 5 gpe",
		"link add vxf type vxlan id 5 ageing x",
		"link add vxf type vxlan id 5 maxaddress x",
		"link add vxf type vxlan id 5 srcport 1",
		"link add vxf type vxlan id 5 ttl inherit ttl 5",
		"link set vxa type vxlan ttl 9 ageing 5 learning",
		"link set vxa type vxlan l2miss",
		"link set vxa type vxlan id 43",
		"link set vxa type vxlan remote 198.18.3.9 tos 0x20",
		"link set vxc type vxlan noexternal",
	}, []string{
		"-d link show", "-d -j link show", "link show type vxlan", "-d link show dev vxa", "-j -d -p link show dev vxc",
		"-d -o link show dev vxb",
	})
}

// TestVethPeerLikeIP: the peer's words of link add type veth: interface
// flags and up/down in the peer's ifinfomsg, its group, and alias and
// master, which ip checks and sends and the kernel ignores for a peer.
func TestVethPeerLikeIP(t *testing.T) {
	scriptLikeIP(t, []string{
		"link add a0 address 02:00:00:00:02:01 type veth peer name b0 address 02:00:00:00:02:02 arp off multicast off group 3 mtu 1400 txqueuelen 5",
		"link add a1 address 02:00:00:00:02:03 type veth peer name b1 address 02:00:00:00:02:04 up",
		"link add a2 address 02:00:00:00:02:05 type veth peer name b2 address 02:00:00:00:02:06 down promisc on allmulticast on trailers on dynamic on",
		"link add a3 address 02:00:00:00:02:07 type veth peer name b3 address 02:00:00:00:02:08 alias peer3 master v0",
		"link add a4 type veth peer name b4 master nosuch",
		"link add a4 type veth peer name b4 link nosuch",
		"link add a5 address 02:00:00:00:02:09 type veth peer name b5 address 02:00:00:00:02:0a link v1",
		"link add a4 type veth peer name b4 arp bogus",
		"link add a4 type veth peer name b4 group x",
	}, []string{"-d link show", "-d -j link show"})
}

// TestRuleRealmsLikeIP: rule add|del realms (FRA_FLOW) in ip's words,
// and their print with the names of rt_realms, in text and JSON.
func TestRuleRealmsLikeIP(t *testing.T) {
	scriptLikeIP(t, []string{
		"rule add realms 5 table 100 pref 10",
		"rule add realms 3/ table 100 pref 11",
		"rule add realms 3/5 table 100 pref 12",
		"rule add rea cosmos/7 table 100 pref 13",
		"rule add realms 0x20001 table 100 pref 14",
		"rule add realms foo table 100",
		"rule add realms /5 table 100",
		"rule del realms 9 pref 12",
		"rule del realms 3/5 pref 12",
	}, []string{"rule show", "-j rule show", "-N rule show", "-j -N rule show"})
}
