package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/netip"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/netns"
	"github.com/nlkit/nlkit/rtnl"
)

func TestParseLink(t *testing.T) {
	ms := func(n int) *time.Duration { d := time.Duration(n) * 10 * time.Millisecond; return &d }
	for _, tc := range []struct {
		args []string
		want linkRequest
		err  string
	}{
		// show
		{args: nil, want: linkRequest{cmd: "show"}},
		{args: []string{"sh"}, want: linkRequest{cmd: "show"}},
		{args: []string{"l", "lo"}, want: linkRequest{cmd: "show", show: linkShow{dev: "lo", hasDev: true}}},
		{args: []string{"list", "dev", "lo", "type", "veth", "master", "br0", "up"},
			want: linkRequest{cmd: "show", show: linkShow{dev: "lo", hasDev: true, kind: "veth", master: "br0", up: true}}},
		{args: []string{"show", "nomaster"}, want: linkRequest{cmd: "show", show: linkShow{nomaster: true}}},
		{args: []string{"show", "help"}, want: linkRequest{cmd: "help"}},
		{args: []string{"help"}, want: linkRequest{cmd: "help"}},
		{args: []string{"show", "lo", "eth0"}, err: `Error: either "dev" is duplicate, or "eth0" is a garbage.`},
		{args: []string{"show", "type"}, err: `Command line is not complete. Try option "help"`},
		{args: []string{"show", "dev"}, err: `Command line is not complete. Try option "help"`},
		{args: []string{"show", "master"}, err: `Command line is not complete. Try option "help"`},
		{args: []string{"frob"}, err: `Command "frob" is unknown, try "nl link help".`},
		// add
		{args: []string{"add", "v0", "type", "veth"},
			want: linkRequest{cmd: "add", dev: "v0", kind: "veth", info: &rtnl.Veth{}}},
		{args: []string{"a", "name", "v0", "up", "mtu", "1400", "address", "02:00:00:00:00:01", "txqlen", "0x10", "group", "default", "type", "veth", "peer", "name", "v1", "mtu", "1300", "netns", "blue", "txqueuelen", "5", "address", "2:0:0:0:0:2"},
			want: linkRequest{cmd: "add", dev: "v0", kind: "veth",
				opts:      linkOpts{up: ptr(true), mtu: ptr(uint32(1400)), address: net.HardwareAddr{2, 0, 0, 0, 0, 1}, txqlen: ptr(uint32(16)), group: ptr(uint32(0))},
				info:      &rtnl.Veth{PeerName: "v1", PeerMTU: 1300, PeerTxQueueLen: 5, PeerHardwareAddr: net.HardwareAddr{2, 0, 0, 0, 0, 2}},
				peerNetNS: "blue"}},
		{args: []string{"add", "dev", "v0", "ty", "veth", "peer", "v1"},
			want: linkRequest{cmd: "add", dev: "v0", kind: "veth", info: &rtnl.Veth{PeerName: "v1"}}},
		{args: []string{"add", "br0", "master", "br1", "type", "bridge", "forward_delay", "500", "hello_time", "100", "max_age", "1000", "ageing_time", "3000", "stp_state", "1", "priority", "7", "vlan_filtering", "1", "vlan_protocol", "802.1ad", "vlan_default_pvid", "9", "mcast_snooping", "0"},
			want: linkRequest{cmd: "add", dev: "br0", kind: "bridge", opts: linkOpts{master: "br1"},
				info: &rtnl.Bridge{ForwardDelay: ms(500), HelloTime: ms(100), MaxAge: ms(1000), AgeingTime: ms(3000), StpState: ptr(uint32(1)),
					Priority: ptr(uint16(7)), VlanFiltering: ptr(true), VlanProtocol: rtnl.VlanProto8021AD, VlanDefaultPVID: ptr(uint16(9)), MulticastSnooping: ptr(false)}}},
		{args: []string{"add", "l", "eth0", "mv0", "type", "macvlan", "mode", "bridge"},
			want: linkRequest{cmd: "add", dev: "mv0", kind: "macvlan", opts: linkOpts{parent: "eth0", hasLink: true}, info: &rtnl.Macvlan{Mode: rtnl.MacvlanBridge}}},
		{args: []string{"add", "link", "eth0", "mt0", "type", "macvtap", "mode", "passthru", "nopromisc", "nodst"},
			want: linkRequest{cmd: "add", dev: "mt0", kind: "macvtap", opts: linkOpts{parent: "eth0", hasLink: true},
				info: &rtnl.Macvlan{Tap: true, Mode: rtnl.MacvlanPassthru, Flags: rtnl.MacvlanNoPromisc | rtnl.MacvlanNoDst}}},
		{args: []string{"add", "vx0", "type", "vxlan", "id", "42", "remote", "198.18.3.1", "local", "198.18.3.2", "dstport", "4789", "ttl", "9", "tos", "inherit", "nolearning"},
			want: linkRequest{cmd: "add", dev: "vx0", kind: "vxlan", info: &rtnl.Vxlan{VNI: 42, Remote: laAddr("198.18.3.1"),
				Local: laAddr("198.18.3.2"), Port: 4789, TTL: 9, TOS: 1, Learning: ptr(false)}}},
		{args: []string{"add", "vx0", "type", "vxlan", "vni", "1", "group", "ff02::9", "dev", "eth0", "ttl", "auto", "learning", "tos", "0x10"},
			want: linkRequest{cmd: "add", dev: "vx0", kind: "vxlan", vxlanDev: "eth0", info: &rtnl.Vxlan{VNI: 1, Remote: laAddr("ff02::9"), TOS: 16, Learning: ptr(true)},
				warning: vxlanNoPortWarning}},
		{args: []string{"add", "link", "eth0", "eth0.7", "type", "vlan", "id", "7", "protocol", "802.1q"},
			want: linkRequest{cmd: "add", dev: "eth0.7", kind: "vlan", opts: linkOpts{parent: "eth0", hasLink: true}, info: &rtnl.Vlan{ID: 7, Protocol: rtnl.VlanProto8021Q}}},
		{args: []string{"add", "ifb0", "type", "ifb"}, want: linkRequest{cmd: "add", dev: "ifb0", kind: "ifb"}},
		{args: []string{"add", "type", "dummy"}, want: linkRequest{cmd: "add", kind: "dummy"}},
		{args: []string{"add", "v0"}, err: `Not enough information: "type" argument is required`},
		{args: []string{"add", "v0", "type"}, err: `Command line is not complete. Try option "help"`},
		{args: []string{"add", "ifb0", "type", "ifb", "zz"}, err: `Garbage instead of arguments "zz ...". Try "nl link help".`},
		{args: []string{"add", "v0", "mtu", "x", "type", "ifb"}, err: `Error: argument "x" is wrong: Invalid "mtu" value` + "\n"},
		{args: []string{"add", "v0", "mtu", "1", "mtu", "2", "type", "ifb"}, err: `Error: duplicate "mtu": "2" is the second value.`},
		{args: []string{"add", "v0", "txqueuelen", "-1", "type", "ifb"}, // get_integer, sent as a u32
			want: linkRequest{cmd: "add", dev: "v0", kind: "ifb", opts: linkOpts{txqlen: ptr(uint32(0xffffffff))}}},
		{args: []string{"add", "v0", "txqueuelen", "1_000", "type", "ifb"}, err: `Error: argument "1_000" is wrong: Invalid "txqueuelen" value` + "\n"},
		{args: []string{"add", "v0", "mtu", "-0", "type", "ifb"}, err: `Error: argument "-0" is wrong: Invalid "mtu" value` + "\n"},
		{args: []string{"add", "v0", "group", "blue", "type", "ifb"}, err: `Error: argument "blue" is wrong: Invalid "group" value` + "\n"},
		{args: []string{"add", "v0", "address", "zz", "type", "ifb"}, err: `"zz" is invalid lladdr.`},
		{args: []string{"add", "name", "a/b", "type", "ifb"}, err: `Error: argument "a/b" is wrong: "name" not a valid ifname`},
		{args: []string{"add", "name", "a", "name", "b", "type", "ifb"}, err: `Error: duplicate "name": "b" is the second value.`},
		{args: []string{"add", "v0", "v1", "type", "ifb"}, err: `Error: either "dev" is duplicate, or "v1" is a garbage.`},
		{args: []string{"add", "v0", "netns", "blue", "alias", "x", "type", "ifb"},
			want: linkRequest{cmd: "add", dev: "v0", kind: "ifb", opts: linkOpts{netns: "blue", alias: ptr("x")}}},
		{args: []string{"add", "v0", "type", "veth", "pier", "v1"}, err: `Error: "peer" is expected rather than "pier".`},
		{args: []string{"add", "v0", "type", "veth", "peer", "v1", "up", "arp", "off"}, want: linkRequest{cmd: "add", dev: "v0", kind: "veth",
			info: &rtnl.Veth{PeerName: "v1", PeerFlags: rtnl.LinkUp | rtnl.LinkNoARP, PeerChange: rtnl.LinkUp | rtnl.LinkNoARP}}},
		{args: []string{"add", "v0", "type", "veth", "peer", "v1", "master", "br0"}, want: linkRequest{cmd: "add", dev: "v0", kind: "veth",
			info: &rtnl.Veth{PeerName: "v1"}, peerMaster: "br0"}},
		{args: []string{"add", "v0", "type", "veth", "peer", "v1", "link", "v2"}, want: linkRequest{cmd: "add", dev: "v0", kind: "veth",
			info: &rtnl.Veth{PeerName: "v1"}, peerLink: "v2", hasPeerLink: true}},
		{args: []string{"add", "v0", "type", "veth", "peer", "v1", "type", "veth"}, err: `Error: duplicate "type": "veth" is the second value.`},
		{args: []string{"add", "b0", "type", "bridge", "zz"}, err: `bridge: unknown command "zz"?` + "\n" + kindUsage("bridge")},
		{args: []string{"add", "b0", "type", "bridge", "vlan_filtering", "x"}, err: `Error: argument "x" is wrong: invalid vlan_filtering`},
		{args: []string{"add", "b0", "type", "bridge", "priority", "65536"}, err: `Error: argument "65536" is wrong: invalid priority`},
		{args: []string{"add", "b0", "type", "bridge", "vlan_protocol", "qinq"}, err: `Error: argument "qinq" is wrong: invalid vlan_protocol`},
		{args: []string{"add", "b0", "type", "bridge", "hello_time"}, err: `Command line is not complete. Try option "help"`},
		{args: []string{"add", "mv", "type", "macvlan", "mode", "zz"}, err: `Error: argument of "mode" must be "private", "vepa", "bridge", "passthru" or "source", not "zz"`},
		{args: []string{"add", "mv", "type", "macvtap", "frob"}, err: `macvtap: unknown option "frob"?` + "\n" + kindUsage("macvtap")},
		{args: []string{"add", "x", "type", "vxlan"}, err: `vxlan: missing virtual network identifier`},
		{args: []string{"add", "x", "type", "vxlan", "id", "x"}, err: `Error: argument "x" is wrong: invalid id`},
		{args: []string{"add", "x", "type", "vxlan", "id", "16777216"}, err: `Error: argument "16777216" is wrong: invalid id`},
		{args: []string{"add", "x", "type", "vxlan", "id", "1", "id", "2"}, err: `Error: either "id" is duplicate, or "2" is a garbage.`},
		{args: []string{"add", "x", "type", "vxlan", "id", "1", "remote", "xx"}, err: `Error: any valid address is expected rather than "xx".`},
		{args: []string{"add", "x", "type", "vxlan", "id", "1", "remote", "239.1.1.1"}, err: `Error: argument "239.1.1.1" is wrong: invalid remote address`},
		{args: []string{"add", "x", "type", "vxlan", "id", "1", "group", "10.1.1.1"}, err: `Error: argument "10.1.1.1" is wrong: invalid group address`},
		{args: []string{"add", "x", "type", "vxlan", "id", "1", "local", "239.1.1.1"}, err: `Error: argument "239.1.1.1" is wrong: invalid local address`},
		{args: []string{"add", "x", "type", "vxlan", "id", "1", "remote", "1.2.3.4", "remote", "1.2.3.5"}, err: `Error: either "remote" is duplicate, or "1.2.3.5" is a garbage.`},
		{args: []string{"add", "x", "type", "vxlan", "id", "1", "remote", "1.2.3.4", "group", "239.1.1.1"}, err: `vxlan: both group and remote cannot be specified`},
		{args: []string{"add", "x", "type", "vxlan", "id", "1", "group", "239.1.1.1"}, err: `vxlan: 'group' requires 'dev' to be specified`},
		{args: []string{"add", "x", "type", "vxlan", "id", "1", "remote", "1.2.3.4", "local", "::1"}, err: `Error: inet address is expected rather than "::1".`},
		{args: []string{"add", "x", "type", "vxlan", "id", "1", "dstport", "65536"}, err: `Error: argument "65536" is wrong: dst port`},
		{args: []string{"add", "x", "type", "vxlan", "id", "1", "ttl", "256"}, err: `Error: argument "256" is wrong: TTL must be <= 255`},
		{args: []string{"add", "x", "type", "vxlan", "id", "1", "tos", "zz"}, err: `Error: argument "zz" is wrong: bad TOS value`},
		{args: []string{"add", "x", "type", "vxlan", "id", "1", "dev", "a", "dev", "b"}, err: `Error: either "dev" is duplicate, or "b" is a garbage.`},
		{args: []string{"add", "x", "type", "vxlan", "id", "1", "frob"}, err: `vxlan: unknown command "frob"?` + "\n" + kindUsage("vxlan")},
		{args: []string{"add", "x", "type", "vlan", "id", "x"}, err: `Error: argument "x" is wrong: id is invalid`},
		{args: []string{"add", "x", "type", "vlan", "id", "1", "protocol", "ip"}, err: `Error: argument "ip" is wrong: protocol is invalid`},
		{args: []string{"add", "x", "type", "vlan", "frob"}, err: `vlan: unknown command "frob"?` + "\n" + kindUsage("vlan")},
		{args: []string{"add", "x", "type", "vlan"}, err: `Not enough information: "id" argument is required`},
		// set
		{args: []string{"set", "dev", "v0", "down", "mtu", "1280", "name", "v9", "address", "02:00:00:00:00:09", "master", "br0", "netns", "blue", "txqueuelen", "10", "alias", "my link", "group", "4"},
			want: linkRequest{cmd: "set", dev: "v0", opts: linkOpts{up: ptr(false), mtu: ptr(uint32(1280)), name: "v9", address: net.HardwareAddr{2, 0, 0, 0, 0, 9},
				master: "br0", netns: "blue", txqlen: ptr(uint32(10)), alias: ptr("my link"), group: ptr(uint32(4))}}},
		{args: []string{"s", "v0", "up", "n"}, want: linkRequest{cmd: "set", dev: "v0", opts: linkOpts{up: ptr(true), nomaster: true}}},
		{args: []string{"change", "v0", "al", ""}, want: linkRequest{cmd: "set", dev: "v0", opts: linkOpts{alias: ptr("")}}},
		{args: []string{"set"}, err: `Not enough information: "dev" argument is required.`},
		{args: []string{"set", "up"}, err: `Not enough information: "dev" argument is required.`},
		{args: []string{"set", "v0", "mtu"}, err: `Command line is not complete. Try option "help"`},
		{args: []string{"set", "v0", "netns", "a", "netns", "b"}, err: `Error: duplicate "netns": "b" is the second value.`},
		{args: []string{"set", "v0", "group", "1", "group", "2"}, err: `Error: duplicate "group": "2" is the second value.`},
		{args: []string{"set", "v0", "master", "br0", "nomaster"}, want: linkRequest{cmd: "set", dev: "v0", opts: linkOpts{nomaster: true}}}, // the last counts
		{args: []string{"set", "v0", "nomaster", "master", "br0"}, want: linkRequest{cmd: "set", dev: "v0", opts: linkOpts{master: "br0"}}},
		{args: []string{"set", "v0", "alias", strings.Repeat("x", 256)}, err: `Error: argument "` + strings.Repeat("x", 256) + `" is wrong: alias too long` + "\n"},
		{args: []string{"set", "v0", "link", "v1"}, err: `Error: "link" is not supported in "link set".`},
		{args: []string{"set", "v0", "type", "bridge", "stp_state", "1"},
			want: linkRequest{cmd: "set", dev: "v0", kind: "bridge", info: &rtnl.Bridge{StpState: ptr(uint32(1))}}},
		{args: []string{"set", "v0", "type", "bridge", "zz"}, err: `bridge: unknown command "zz"?` + "\n" + kindUsage("bridge")},
		{args: []string{"set", strings.Repeat("x", 128)}, want: linkRequest{cmd: "set", dev: strings.Repeat("x", 128)}}, // looked up when run
		{args: []string{"set", "a\vb"}, err: "Error: argument \"a\vb\" is wrong: \"dev\" not a valid ifname"},
		// delete
		{args: []string{"del", "v0"}, want: linkRequest{cmd: "delete", dev: "v0"}},
		{args: []string{"delete", "dev", "v0", "type", "veth"}, want: linkRequest{cmd: "delete", dev: "v0"}},
		{args: []string{"delete"}, err: `Not enough information: "dev" argument is required.`},
		{args: []string{"delete", "v0", "v1"}, err: `Error: either "dev" is duplicate, or "v1" is a garbage.`},
		{args: []string{"delete", "dev"}, err: `Command line is not complete. Try option "help"`},
		{args: []string{"delete", "v0", "type"}, err: `Command line is not complete. Try option "help"`},
	} {
		got, err := parseLink(tc.args)
		checkParsed(t, tc.args, got, err, tc.want, tc.err)
	}
}

// laRun runs nl in the namespace name with args and fails the test unless
// it exits with want; it returns stdout and stderr.
func laRun(t *testing.T, name string, want int, args ...string) (string, string) {
	t.Helper()
	out, errb, code := run(t, append([]string{"-n", name}, args...)...)
	if code != want {
		t.Fatalf("nl -n %s %s: exit %d, want %d; stderr %q", name, strings.Join(args, " "), code, want, errb)
	}
	return out, errb
}

// laIP runs ip in ns (a kerneltest namespace).
func laIP(t *testing.T, ns *netns.NS, args ...string) string {
	t.Helper()
	return string(kerneltest.Run(t, ns, "ip", args...))
}

// laDial returns a route-netlink Conn in ns, closed at the end of the test.
func laDial(t *testing.T, ns *netns.NS) *rtnl.Conn {
	t.Helper()
	c, err := rtnl.Dial(&netlink.Config{NetNS: ns})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func laLink(t *testing.T, c *rtnl.Conn, name string) rtnl.Link {
	t.Helper()
	l, err := c.LinkByName(context.Background(), name)
	if err != nil {
		t.Fatalf("link %s: %v", name, err)
	}
	return l
}

// TestLinkCommands runs every link command in a throwaway namespace and
// checks its effect through the library.
func TestLinkCommands(t *testing.T) {
	ns, name := kerneltest.NamedNetNS(t)
	other, otherName := kerneltest.NamedNetNS(t)
	c := laDial(t, ns)
	ctx := context.Background()

	laRun(t, name, 0, "link", "add", "br0", "type", "bridge", "forward_delay", "400", "priority", "7", "mcast_snooping", "0")
	laRun(t, name, 0, "link", "add", "v0", "mtu", "1400", "master", "br0", "type", "veth", "peer", "name", "v1", "mtu", "1300", "address", "02:00:00:00:00:01")
	laRun(t, name, 0, "link", "add", "w0", "type", "veth", "peer", "w1", "netns", otherName)
	laRun(t, name, 0, "link", "add", "link", "v1", "mv0", "type", "macvlan", "mode", "private")
	laRun(t, name, 0, "link", "add", "link", "v1", "mt0", "type", "macvtap", "mode", "vepa")
	laRun(t, name, 0, "link", "add", "vx0", "type", "vxlan", "id", "42", "remote", "198.18.3.1", "local", "198.18.3.2", "dstport", "4789", "dev", "v0", "nolearning")
	laRun(t, name, 0, "link", "add", "ifb0", "txqueuelen", "77", "up", "type", "ifb")
	// No 8021q module in the test kernel: the kernel's refusal comes
	// through as a kernel error.
	if _, stderr := laRun(t, name, ExitKernel, "link", "add", "link", "v0", "v0.7", "type", "vlan", "id", "7"); !strings.HasPrefix(stderr, "Error: ") && !strings.HasPrefix(stderr, "RTNETLINK answers: ") {
		t.Errorf("vlan: stderr %q", stderr)
	}
	if _, stderr := laRun(t, name, ExitKernel, "link", "add", "v0", "type", "ifb"); !strings.Contains(stderr, "File exists") && !strings.Contains(stderr, "exists") {
		t.Errorf("add twice: stderr %q", stderr)
	}
	if _, stderr := laRun(t, name, ExitFailure, "link", "add", "link", "nope", "mv1", "type", "macvlan"); stderr != "Cannot find device \"nope\"\n" {
		t.Errorf("missing parent: stderr %q", stderr)
	}
	if _, stderr := laRun(t, name, ExitUsage, "link", "add", "x0", "master", "nope", "type", "ifb"); stderr != "Error: argument \"nope\" is wrong: Device does not exist\n\n" {
		t.Errorf("missing master: stderr %q", stderr)
	}

	br := laLink(t, c, "br0")
	if b, ok := br.Info.(*rtnl.Bridge); !ok || *b.ForwardDelay != 4*time.Second || *b.Priority != 7 || *b.MulticastSnooping {
		t.Errorf("br0: %+v", br.Info)
	}
	v0, v1 := laLink(t, c, "v0"), laLink(t, c, "v1")
	if v0.Kind != "veth" || v0.MTU != 1400 || v0.Master != br.Index || v0.Parent != v1.Index || v1.MTU != 1300 || v1.HardwareAddr.String() != "02:00:00:00:00:01" {
		t.Errorf("veth: v0 %+v v1 %+v", v0, v1)
	}
	if w0 := laLink(t, c, "w0"); !w0.HasLinkNetNSID {
		t.Errorf("w0: peer not in another namespace: %+v", w0)
	}
	if _, err := laDial(t, other).LinkByName(ctx, "w1"); err != nil {
		t.Errorf("w1 in %s: %v", otherName, err)
	}
	if mv := laLink(t, c, "mv0"); mv.Parent != v1.Index || mv.Info.(*rtnl.Macvlan).Mode != rtnl.MacvlanPrivate {
		t.Errorf("mv0: %+v %+v", mv, mv.Info)
	}
	if mt := laLink(t, c, "mt0"); mt.Kind != "macvtap" || mt.Info.(*rtnl.Macvlan).Mode != rtnl.MacvlanVEPA {
		t.Errorf("mt0: %+v %+v", mt, mt.Info)
	}
	vx := laLink(t, c, "vx0")
	if x, ok := vx.Info.(*rtnl.Vxlan); !ok || x.VNI != 42 || x.Remote != laAddr("198.18.3.1") || x.Local != laAddr("198.18.3.2") ||
		x.Port != 4789 || x.Device != v0.Index || x.Learning == nil || *x.Learning {
		t.Errorf("vx0: %+v", vx.Info)
	}
	if ifb := laLink(t, c, "ifb0"); ifb.Kind != "ifb" || ifb.TxQueueLen != 77 || ifb.Flags&rtnl.LinkUp == 0 {
		t.Errorf("ifb0: %+v", ifb)
	}

	// set: everything in one command, then the other forms.
	laRun(t, name, 0, "link", "set", "dev", "v1", "up", "mtu", "1280", "address", "02:00:00:00:00:09", "txqueuelen", "99", "alias", "the peer", "group", "5")
	v1 = laLink(t, c, "v1")
	if v1.Flags&rtnl.LinkUp == 0 || v1.MTU != 1280 || v1.HardwareAddr.String() != "02:00:00:00:00:09" || v1.TxQueueLen != 99 ||
		v1.Alias != "the peer" || v1.Group != 5 {
		t.Errorf("v1 after set: %+v", v1)
	}
	laRun(t, name, 0, "link", "set", "v1", "down", "name", "v2")
	if v2 := laLink(t, c, "v2"); v2.Flags&rtnl.LinkUp != 0 || v2.Index != v1.Index {
		t.Errorf("v2 after set: %+v", v2)
	}
	laRun(t, name, 0, "link", "set", "w0", "master", "br0")
	if w0 := laLink(t, c, "w0"); w0.Master != br.Index {
		t.Errorf("w0 after master: %+v", w0)
	}
	laRun(t, name, 0, "link", "set", "w0", "nomaster")
	if w0 := laLink(t, c, "w0"); w0.Master != 0 {
		t.Errorf("w0 after nomaster: %+v", w0)
	}
	// Kind settings, alias and namespace at creation.
	laRun(t, name, 0, "link", "set", "br0", "type", "bridge", "forward_delay", "700", "mcast_snooping", "1")
	if b := laLink(t, c, "br0").Info.(*rtnl.Bridge); *b.ForwardDelay != 7*time.Second || !*b.MulticastSnooping || *b.Priority != 7 {
		t.Errorf("br0 after set type bridge: %+v", b)
	}
	laRun(t, name, 0, "link", "add", "ifb5", "alias", "made with alias", "type", "ifb")
	if l := laLink(t, c, "ifb5"); l.Alias != "made with alias" {
		t.Errorf("ifb5: alias %q", l.Alias)
	}
	laRun(t, name, 0, "link", "add", "ifb6", "netns", otherName, "type", "ifb")
	if _, err := laDial(t, other).LinkByName(ctx, "ifb6"); err != nil {
		t.Errorf("ifb6 not created in %s: %v", otherName, err)
	}
	laRun(t, name, 0, "link", "set", "ifb0", "netns", otherName)
	if _, err := laDial(t, other).LinkByName(ctx, "ifb0"); err != nil {
		t.Errorf("ifb0 not moved: %v", err)
	}
	if _, stderr := laRun(t, name, ExitKernel, "link", "set", "v0", "mtu", "70000"); !strings.HasPrefix(stderr, "Error: ") {
		t.Errorf("mtu too big: stderr %q", stderr)
	}
	if _, stderr := laRun(t, name, ExitFailure, "link", "set", "nope", "up"); stderr != "Cannot find device \"nope\"\n" {
		t.Errorf("set missing: stderr %q", stderr)
	}
	if _, stderr := laRun(t, name, ExitUsage, "link", "set", "v0", "netns", "nlkit-no-such-ns"); stderr != "Error: argument \"nlkit-no-such-ns\" is wrong: Invalid \"netns\" value\n\n" {
		t.Errorf("set netns missing: stderr %q", stderr)
	}

	// delete
	laRun(t, name, 0, "link", "delete", "dev", "mt0")
	laRun(t, name, 0, "link", "del", "vx0")
	if _, err := c.LinkByName(ctx, "mt0"); err == nil {
		t.Error("mt0 still there")
	}
	laRun(t, name, ExitFailure, "link", "del", "mt0")

	// show: the selectors.
	out, _ := laRun(t, name, 0, "link", "show", "type", "veth")
	if !strings.Contains(out, ": v0@v2: ") || !strings.Contains(out, ": v2@v0: ") || strings.Contains(out, "br0:") {
		t.Errorf("show type veth:\n%s", out)
	}
	out, _ = laRun(t, name, 0, "link", "show", "master", "br0")
	if !strings.Contains(out, ": v0@v2: ") || strings.Count(out, "\n") != 2 {
		t.Errorf("show master br0:\n%s", out)
	}
	if _, stderr := laRun(t, name, ExitFailure, "link", "show", "nope"); stderr != "Device \"nope\" does not exist.\n" {
		t.Errorf("show missing: %q", stderr)
	}
	if _, out := laRun(t, name, ExitUsage, "link", "help"); !strings.Contains(out, "nl link add") {
		t.Errorf("help: %q", out)
	}
}

// laCompareJSON compares `ip -j ...` output with nl's: both must be arrays
// of objects; every key present in both must have equal values
// (recursively); a key only one side prints is an error unless allowed.
// allowIP and allowNL name keys by path ("linkinfo.info_data.bcqueuelen",
// arrays as "addr_info[].local"); a path ending in ".*" allows everything
// below it.
func laCompareJSON(t *testing.T, what string, ipOut, nlOut string, allowIP, allowNL []string) {
	t.Helper()
	var a, b []any
	if err := json.Unmarshal([]byte(ipOut), &a); err != nil {
		t.Fatalf("%s: ip output: %v\n%s", what, err, ipOut)
	}
	if err := json.Unmarshal([]byte(nlOut), &b); err != nil {
		t.Fatalf("%s: nl output: %v\n%s", what, err, nlOut)
	}
	allowed := func(list []string, pattern string) bool {
		for _, p := range list {
			if p == pattern || strings.HasSuffix(p, ".*") && strings.HasPrefix(pattern, strings.TrimSuffix(p, "*")) {
				return true
			}
		}
		return false
	}
	var diffs []string
	var walk func(path, pattern string, x, y any)
	walk = func(path, pattern string, x, y any) {
		switch xv := x.(type) {
		case map[string]any:
			yv, ok := y.(map[string]any)
			if !ok {
				diffs = append(diffs, fmt.Sprintf("%s: ip %v, nl %v", path, x, y))
				return
			}
			keys := make([]string, 0, len(xv)+len(yv))
			for k := range xv {
				keys = append(keys, k)
			}
			for k := range yv {
				if _, ok := xv[k]; !ok {
					keys = append(keys, k)
				}
			}
			sort.Strings(keys)
			for _, k := range keys {
				p, pat := path+"."+k, strings.TrimPrefix(pattern+"."+k, ".")
				xk, inX := xv[k]
				yk, inY := yv[k]
				switch {
				case inX && inY:
					walk(p, pat, xk, yk)
				case inX && !allowed(allowIP, pat):
					diffs = append(diffs, fmt.Sprintf("%s: only ip prints it (%v)", p, xk))
				case inY && !allowed(allowNL, pat):
					diffs = append(diffs, fmt.Sprintf("%s: only nl prints it (%v)", p, yk))
				}
			}
		case []any:
			xv = laDropEmpty(xv)
			yv, ok := y.([]any)
			if !ok || len(xv) != len(yv) {
				diffs = append(diffs, fmt.Sprintf("%s: ip %v, nl %v", path, x, y))
				return
			}
			for i := range xv {
				walk(fmt.Sprintf("%s[%d]", path, i), pattern+"[]", xv[i], yv[i])
			}
		default:
			if !reflect.DeepEqual(x, y) {
				diffs = append(diffs, fmt.Sprintf("%s: ip %v (%T), nl %v (%T)", path, x, x, y, y))
			}
		}
	}
	// ip 6.1 prints an empty object for each link or address its filters
	// leave out (ip -j link show type bridge_slave, ip -j address show
	// to PREFIX): nl leaves them out.
	a = laDropEmpty(a)
	if len(a) != len(b) {
		t.Errorf("%s: ip prints %d objects, nl %d\nip: %s\nnl: %s", what, len(a), len(b), ipOut, nlOut)
		return
	}
	for i := range a {
		name := fmt.Sprint(i)
		if m, ok := a[i].(map[string]any); ok && m["ifname"] != nil {
			name = fmt.Sprint(m["ifname"])
		}
		walk("["+name+"]", "", a[i], b[i])
	}
	if len(diffs) > 0 {
		t.Errorf("%s: nl -j differs from ip -j:\n  %s", what, strings.Join(diffs, "\n  "))
	}
}

// laSetupShow builds links and addresses whose state does not change by
// itself (no carrier on anything that could send), with ip, so that nl's
// output can be compared with ip's.
func laSetupShow(t *testing.T, ns *netns.NS) {
	for _, args := range [][]string{
		{"link", "add", "br0", "type", "bridge"},
		{"link", "add", "va", "type", "veth", "peer", "name", "vb"},
		{"link", "set", "va", "master", "br0", "up", "alias", "port & peer <one>"},
		{"link", "add", "mv0", "link", "vb", "type", "macvlan", "mode", "bridge"},
		{"link", "add", "mt0", "link", "vb", "type", "macvtap", "mode", "private"},
		{"link", "add", "vx0", "type", "vxlan", "id", "42", "remote", "198.18.3.1", "local", "198.18.3.2", "dstport", "4789", "dev", "va", "ttl", "7", "nolearning"},
		{"link", "add", "ifb0", "group", "3", "txqueuelen", "32", "type", "ifb"},
		{"addr", "add", "198.18.0.1/24", "brd", "+", "dev", "va", "label", "va:1", "metric", "9"},
		{"addr", "add", "198.18.0.2/24", "dev", "va"},
		{"addr", "add", "10.0.0.1", "peer", "10.0.0.2/32", "dev", "va", "noprefixroute"},
		{"addr", "add", "2001:db8::1/64", "dev", "va", "nodad"},
		{"addr", "add", "2001:db8:1::1/64", "dev", "ifb0", "nodad", "home", "scope", "site"},
		{"addr", "add", "198.18.9.1/24", "dev", "ifb0", "scope", "link"},
	} {
		laIP(t, ns, args...)
	}
}

// TestLinkShowMatchesIP compares nl link show with ip link show: the
// text exactly (where nl prints all that ip prints), the JSON key by key.
func TestLinkShowMatchesIP(t *testing.T) {
	ns, name := kerneltest.NamedNetNS(t)
	laSetupShow(t, ns)
	for _, args := range [][]string{
		{"link", "show"},
		{"link"},
		{"-s", "link", "show", "lo"},
		{"link", "show", "type", "veth"},
		{"link", "show", "type", "bridge_slave"},
		{"link", "show", "master", "br0"},
		{"link", "show", "up"},
		{"link", "show", "dev", "va"},
		{"link", "show", "nomaster"},
	} {
		want := laIP(t, ns, args...)
		got, _ := laRun(t, name, 0, args...)
		if got != want {
			t.Errorf("nl %s differs from ip:\n--- ip\n%s--- nl\n%s", strings.Join(args, " "), want, got)
		}
	}

	// A veth whose peer is in another namespace: link_index and
	// link_netnsid. (Text is not compared: ip names the other namespace
	// when it can, nl prints the id.)
	_, otherName := kerneltest.NamedNetNS(t)
	laIP(t, ns, "link", "add", "vc", "type", "veth", "peer", "name", "vd", "netns", otherName)
	for _, args := range [][]string{
		{"-j", "link", "show"},
		{"-j", "-d", "link", "show"},
		{"-j", "-s", "link", "show", "dev", "lo"},
		{"-j", "-d", "link", "show", "type", "bridge_slave"},
	} {
		laCompareJSON(t, strings.Join(args, " "), laIP(t, ns, args...), laFirst(laRun(t, name, 0, args...)), nil, nil)
	}
	// -p only changes the layout.
	var a, b any
	json.Unmarshal([]byte(laIP(t, ns, "-j", "link", "show", "dev", "lo")), &a)
	pretty, _ := laRun(t, name, 0, "-j", "-p", "link", "show", "dev", "lo")
	if err := json.Unmarshal([]byte(pretty), &b); err != nil || !reflect.DeepEqual(a, b) || !strings.Contains(pretty, "\n    ") {
		t.Errorf("-j -p: %v\n%s", err, pretty)
	}
}

func laFirst(a, _ string) string { return a }

func TestJSONObjectOrder(t *testing.T) {
	o := &jsonObject{}
	o.set("z", 1)
	o.set("a", []string{"<x>&"})
	o.set("m", &jsonObject{})
	o.set("z", 2)
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode([]*jsonObject{o, nil}); err != nil || b.String() != `[{"z":2,"a":["<x>&"],"m":{}},null]`+"\n" {
		t.Errorf("got %s %v", b.String(), err)
	}
	if v, ok := o.get("a"); !ok || !slices.Equal(v.([]string), []string{"<x>&"}) {
		t.Errorf("get: %v %v", v, ok)
	}
}

func laAddr(s string) netip.Addr { return netip.MustParseAddr(s) }

// laDropEmpty returns v without its empty objects.
func laDropEmpty(v []any) []any {
	out := v[:0:0]
	for _, x := range v {
		if m, ok := x.(map[string]any); ok && len(m) == 0 {
			continue
		}
		out = append(out, x)
	}
	return out
}
