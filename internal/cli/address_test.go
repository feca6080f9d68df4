package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/rtnl"
)

func TestParseAddress(t *testing.T) {
	pfx := netip.MustParsePrefix
	for _, tc := range []struct {
		args   []string
		family Family
		want   addressRequest
		err    string
	}{
		// show and flush
		{args: nil, want: addressRequest{cmd: "show"}},
		{args: []string{"s"}, want: addressRequest{cmd: "show"}},
		{args: []string{"l", "lo"}, want: addressRequest{cmd: "show", filter: addrFilter{link: linkShow{dev: "lo", hasDev: true}}}},
		{args: []string{"show", "dev", "eth0", "scope", "link", "to", "10.0.0.0/8", "label", "eth0:*", "up", "type", "veth", "master", "br0", "permanent", "-tentative", "primary"},
			want: addressRequest{cmd: "show", filter: addrFilter{link: linkShow{dev: "eth0", hasDev: true, up: true, kind: "veth", master: "br0"}, scope: rtnl.ScopeLink, scopeSet: true,
				to: pfx("10.0.0.0/8"), label: "eth0:*", flags: rtnl.AddressPermanent, flagMask: rtnl.AddressPermanent | rtnl.AddressTentative | rtnl.AddressSecondary}}},
		{args: []string{"show", "scope", "all", "dynamic", "nomaster"}, want: addressRequest{cmd: "show", filter: addrFilter{link: linkShow{nomaster: true}, flagMask: rtnl.AddressPermanent}}},
		{args: []string{"show", "scope", "200", "to", "default"}, want: addressRequest{cmd: "show", filter: addrFilter{scope: rtnl.ScopeSite, scopeSet: true}}},
		{args: []string{"show", "help"}, want: addressRequest{cmd: "help"}},
		{args: []string{"help"}, want: addressRequest{cmd: "help"}},
		{args: []string{"f", "dev", "eth0", "scope", "global"}, want: addressRequest{cmd: "flush", filter: addrFilter{link: linkShow{dev: "eth0", hasDev: true}, scope: rtnl.ScopeUniverse, scopeSet: true}}},
		{args: []string{"flush"}, err: "Flush requires arguments."},
		{args: []string{"show", "scope", "zz"}, err: `Error: argument "zz" is wrong: invalid "scope"` + "\n"},
		{args: []string{"show", "to", "zz"}, err: `Error: any valid prefix is expected rather than "zz".`},
		{args: []string{"show", "to", "10.0.0.0/8"}, family: FamilyInet6, err: `Error: inet6 prefix is expected rather than "10.0.0.0/8".`},
		{args: []string{"show", "to", "10.0.0.0/33"}, err: `Error: any valid prefix is expected rather than "10.0.0.0/33".`},
		{args: []string{"show", "lo", "lo"}, err: `Error: either "dev" is duplicate, or "lo" is a garbage.`},
		{args: []string{"show", "label"}, err: `Command line is not complete. Try option "help"`},
		{args: []string{"show", "scope"}, err: `Command line is not complete. Try option "help"`},
		{args: []string{"show", "to"}, err: `Command line is not complete. Try option "help"`},
		{args: []string{"show", "dev"}, err: `Command line is not complete. Try option "help"`},
		{args: []string{"frob"}, err: `Command "frob" is unknown, try "nl address help".`},
		// add, change, replace, delete
		{args: []string{"add", "198.18.0.1/24", "dev", "eth0"},
			want: addressRequest{cmd: "add", dev: "eth0", hasDev: true, addr: rtnl.Address{Prefix: pfx("198.18.0.1/24")}}},
		{args: []string{"a", "local", "198.18.0.1/24", "brd", "+", "label", "eth0:1", "scope", "link", "dev", "eth0", "valid_lft", "100", "preferred_lft", "50", "metric", "7", "noprefixroute", "home", "nodad", "mngtmpaddr"},
			want: addressRequest{cmd: "add", dev: "eth0", hasDev: true, addr: rtnl.Address{Prefix: pfx("198.18.0.1/24"), Broadcast: laAddr("198.18.0.255"), Label: "eth0:1",
				Scope: rtnl.ScopeLink, ValidLifetime: rtnl.LifetimeSeconds(100), PreferredLifetime: rtnl.LifetimeSeconds(50), Metric: 7,
				Flags: rtnl.AddressNoPrefixRoute | rtnl.AddressHome | rtnl.AddressNoDAD | rtnl.AddressManageTempAddr}}},
		{args: []string{"add", "224.0.0.7/32", "dev", "eth0", "autojoin"},
			want: addressRequest{cmd: "add", dev: "eth0", hasDev: true, addr: rtnl.Address{Prefix: pfx("224.0.0.7/32"), Flags: rtnl.AddressAutoJoin}}},
		{args: []string{"add", "198.18.0.7/32", "dev", "eth0", "autojoin"}, err: "autojoin needs multicast address"},
		{args: []string{"add", "10.0.0.1", "peer", "10.0.0.2/30", "broadcast", "-", "dev", "ppp0"},
			want: addressRequest{cmd: "add", dev: "ppp0", hasDev: true, addr: rtnl.Address{Prefix: pfx("10.0.0.1/30"), Peer: pfx("10.0.0.2/30"), Broadcast: laAddr("10.0.0.0")}}},
		{args: []string{"add", "127.0.0.2/8", "dev", "lo", "brd", "127.255.255.254", "pref", "3"},
			want: addressRequest{cmd: "add", dev: "lo", hasDev: true, addr: rtnl.Address{Prefix: pfx("127.0.0.2/8"), Scope: rtnl.ScopeHost, Broadcast: laAddr("127.255.255.254"), Metric: 3}}},
		{args: []string{"add", "2001:db8::1/64", "dev", "eth0", "valid_lft", "forever", "preferred_lft", "0"},
			want: addressRequest{cmd: "add", dev: "eth0", hasDev: true, addr: rtnl.Address{Prefix: pfx("2001:db8::1/64"), PreferredLifetime: rtnl.LifetimeSeconds(0)}}},
		{args: []string{"add", "2001:db8::1", "dev", "eth0"}, family: FamilyInet6,
			want: addressRequest{cmd: "add", dev: "eth0", hasDev: true, addr: rtnl.Address{Prefix: pfx("2001:db8::1/128")}}},
		{args: []string{"chg", "198.18.0.1/24", "dev", "eth0"}, want: addressRequest{cmd: "change", dev: "eth0", hasDev: true, addr: rtnl.Address{Prefix: pfx("198.18.0.1/24")}}},
		{args: []string{"change", "198.18.0.1/24", "dev", "eth0"}, want: addressRequest{cmd: "change", dev: "eth0", hasDev: true, addr: rtnl.Address{Prefix: pfx("198.18.0.1/24")}}},
		{args: []string{"r", "198.18.0.1/24", "dev", "eth0"}, want: addressRequest{cmd: "replace", dev: "eth0", hasDev: true, addr: rtnl.Address{Prefix: pfx("198.18.0.1/24")}}},
		{args: []string{"d", "198.18.0.1/24", "dev", "eth0", "brd", "+"}, want: addressRequest{cmd: "delete", dev: "eth0", hasDev: true, addr: rtnl.Address{Prefix: pfx("198.18.0.1/24")}}},
		{args: []string{"del", "198.18.0.1", "dev", "eth0"}, want: addressRequest{cmd: "delete", dev: "eth0", hasDev: true, wildcard: true, addr: rtnl.Address{Prefix: pfx("198.18.0.1/32")}}},
		{args: []string{"del", "127.0.0.1/8", "dev", "lo"}, want: addressRequest{cmd: "delete", dev: "lo", hasDev: true, addr: rtnl.Address{Prefix: pfx("127.0.0.1/8")}}},
		{args: []string{"add"}, err: `Not enough information: "dev" argument is required.`},
		{args: []string{"add", "198.18.0.1/24"}, err: `Not enough information: "dev" argument is required.`},
		{args: []string{"add", "dev", "eth0"}, err: `Not enough information: "local" argument is required.`},
		{args: []string{"add", "xx", "dev", "lo"}, err: `Error: any valid prefix is expected rather than "xx".`},
		{args: []string{"add", "default", "dev", "lo"}, err: `Error: any valid prefix is expected rather than "default".`},
		{args: []string{"add", "fe80::1%eth0/64", "dev", "lo"}, err: `Error: any valid prefix is expected rather than "fe80::1%eth0/64".`},
		{args: []string{"add", "1.2.3.4/24", "dev", "lo"}, family: FamilyInet6, err: `Error: inet6 prefix is expected rather than "1.2.3.4/24".`},
		{args: []string{"add", "1.2.3.4/24", "1.2.3.5/24", "dev", "lo"}, err: `Error: either "local" is duplicate, or "1.2.3.5/24" is a garbage.`},
		{args: []string{"add", "1.2.3.4/24", "peer", "::1", "dev", "lo"}, err: `Error: inet prefix is expected rather than "::1".`},
		{args: []string{"add", "1.2.3.4/24", "peer", "1.1.1.1", "peer", "2.2.2.2", "dev", "lo"}, err: `Error: duplicate "peer": "2.2.2.2" is the second value.`},
		{args: []string{"add", "1.2.3.4/24", "peer", "zz", "dev", "lo"}, err: `Error: inet prefix is expected rather than "zz".`},
		{args: []string{"add", "1.2.3.4/24", "dev", "lo", "brd", "zz"}, err: `Error: inet address is expected rather than "zz".`},
		{args: []string{"add", "1.2.3.4/24", "dev", "lo", "brd", "+", "brd", "-"}, err: `Error: duplicate "broadcast": "-" is the second value.`},
		{args: []string{"add", "2001:db8::5/64", "dev", "lo", "brd", "+"}, err: "Broadcast can be set only for IPv4 addresses"},
		{args: []string{"add", "1.2.3.4/24", "dev", "lo", "scope", "zz"}, err: `Error: argument "zz" is wrong: invalid scope value.`},
		{args: []string{"add", "1.2.3.4/24", "dev", "lo", "label", "a", "label", "b"}, // as in ip 6.1, the last one counts
			want: addressRequest{cmd: "add", dev: "lo", hasDev: true, addr: rtnl.Address{Prefix: pfx("1.2.3.4/24"), Label: "b"}}},
		{args: []string{"add", "1.2.3.4/24", "dev", "lo", "metric", "x"}, err: `Error: argument "x" is wrong: "metric" value is invalid` + "\n"},
		{args: []string{"add", "1.2.3.4/24", "dev", "lo", "metric", "1", "metric", "2"}, // as in ip 6.1, the last one counts
			want: addressRequest{cmd: "add", dev: "lo", hasDev: true, addr: rtnl.Address{Prefix: pfx("1.2.3.4/24"), Metric: 2}}},
		{args: []string{"add", "1.2.3.4/24", "dev", "lo", "valid_lft", "x"}, err: `Error: argument "x" is wrong: valid_lft value`},
		{args: []string{"add", "1.2.3.4/24", "dev", "lo", "preferred_lft", "-1"}, err: `Error: argument "-1" is wrong: preferred_lft value`},
		{args: []string{"add", "1.2.3.4/24", "dev", "lo", "valid_lft", "1", "valid_lft", "2"}, err: `Error: duplicate "valid_lft": "valid_lft" is the second value.`},
		{args: []string{"add", "1.2.3.4/24", "dev", "lo", "valid_lft", "10", "preferred_lft", "20"}, err: "preferred_lft is greater than valid_lft"},
		{args: []string{"add", "1.2.3.4/24", "dev", "lo", "valid_lft", "10"}, err: "preferred_lft is greater than valid_lft"},
		{args: []string{"add", "1.2.3.4/24", "dev", "lo", "valid_lft", "0"}, err: "valid_lft is zero"},
		{args: []string{"add", "1.2.3.4/24", "dev"}, err: `Command line is not complete. Try option "help"`},
		{args: []string{"add", "1.2.3.4/24", "dev", "lo", "local"}, err: `Command line is not complete. Try option "help"`},
	} {
		got, err := parseAddress(tc.args, tc.family)
		checkParsed(t, tc.args, got, err, tc.want, tc.err)
	}
}

// laAddrs returns the addresses of a link, by local address.
func laAddrs(t *testing.T, c *rtnl.Conn, index int32) map[netip.Addr]rtnl.Address {
	t.Helper()
	m := map[netip.Addr]rtnl.Address{}
	for a, err := range c.Addresses(context.Background(), rtnl.AddressFilter{Index: index}) {
		if err != nil {
			t.Fatal(err)
		}
		m[a.Prefix.Addr()] = a
	}
	return m
}

// TestAddressCommands runs every address command in a throwaway
// namespace and checks its effect through the library.
func TestAddressCommands(t *testing.T) {
	ns, name := kerneltest.NamedNetNS(t)
	c := laDial(t, ns)
	laRun(t, name, 0, "link", "add", "d0", "type", "ifb")
	d0 := laLink(t, c, "d0").Index

	laRun(t, name, 0, "address", "add", "198.18.0.1/24", "brd", "+", "dev", "d0", "label", "d0:1", "metric", "9")
	laRun(t, name, 0, "a", "add", "198.18.0.2/24", "dev", "d0")
	laRun(t, name, 0, "addr", "add", "10.0.0.1", "peer", "10.0.0.2/32", "dev", "d0", "valid_lft", "300", "preferred_lft", "200", "noprefixroute")
	laRun(t, name, 0, "-6", "address", "add", "2001:db8::1/64", "dev", "d0", "nodad", "scope", "site")
	got := laAddrs(t, c, d0)
	a1, a2, p, v6 := got[laAddr("198.18.0.1")], got[laAddr("198.18.0.2")], got[laAddr("10.0.0.1")], got[laAddr("2001:db8::1")]
	if a1.Prefix.Bits() != 24 || a1.Broadcast != laAddr("198.18.0.255") || a1.Label != "d0:1" || a1.Metric != 9 {
		t.Errorf("198.18.0.1: %+v", a1)
	}
	if a2.Flags&rtnl.AddressSecondary == 0 {
		t.Errorf("198.18.0.2 is not secondary: %+v", a2)
	}
	if p.Peer != netip.MustParsePrefix("10.0.0.2/32") || p.Flags&rtnl.AddressNoPrefixRoute == 0 ||
		p.ValidLifetime.IsForever() || p.ValidLifetime.Seconds() > 300 || p.PreferredLifetime.Seconds() > 200 {
		t.Errorf("10.0.0.1: %+v", p)
	}
	if v6.Flags&rtnl.AddressNoDAD == 0 || v6.Scope != rtnl.ScopeUniverse { // the kernel sets the scope of IPv6 addresses
		t.Errorf("2001:db8::1: %+v", v6)
	}
	if _, stderr := laRun(t, name, ExitKernel, "address", "add", "198.18.0.1/24", "dev", "d0"); !strings.HasPrefix(stderr, "Error: ") {
		t.Errorf("add twice: %q", stderr)
	}
	if _, stderr := laRun(t, name, ExitFailure, "address", "add", "198.18.0.1/24", "dev", "nope"); stderr != "Cannot find device \"nope\"\n" {
		t.Errorf("add to a missing link: %q", stderr)
	}

	// change, then change back to forever.
	laRun(t, name, 0, "address", "change", "198.18.0.1/24", "dev", "d0", "valid_lft", "1000", "preferred_lft", "1000")
	if a := laAddrs(t, c, d0)[laAddr("198.18.0.1")]; a.ValidLifetime.IsForever() || a.ValidLifetime.Seconds() > 1000 {
		t.Errorf("after change: %+v", a)
	}
	laRun(t, name, 0, "address", "change", "198.18.0.1/24", "dev", "d0", "valid_lft", "forever")
	if a := laAddrs(t, c, d0)[laAddr("198.18.0.1")]; !a.ValidLifetime.IsForever() || !a.PreferredLifetime.IsForever() {
		t.Errorf("after change to forever: %+v", a)
	}
	// As with ip (the kernel adds a missing address even without
	// NLM_F_CREATE), change of a missing address adds it.
	laRun(t, name, 0, "address", "change", "198.18.8.1/24", "dev", "d0")
	if a := laAddrs(t, c, d0)[laAddr("198.18.8.1")]; a.Prefix.Bits() != 24 {
		t.Errorf("change of a missing address: %+v", a)
	}
	laRun(t, name, 0, "address", "del", "198.18.8.1/24", "dev", "d0")
	laRun(t, name, 0, "address", "replace", "198.18.7.1/24", "dev", "d0")
	laRun(t, name, 0, "address", "replace", "198.18.7.1/24", "dev", "d0", "metric", "3")
	if a := laAddrs(t, c, d0)[laAddr("198.18.7.1")]; a.Metric != 3 {
		t.Errorf("after replace: %+v", a)
	}

	// delete, with and without the prefix length.
	laRun(t, name, 0, "address", "delete", "198.18.7.1/24", "dev", "d0")
	if _, stderr := laRun(t, name, 0, "address", "del", "10.0.0.1", "dev", "d0"); !strings.Contains(stderr, "wildcard deletion") {
		t.Errorf("wildcard delete: no warning: %q", stderr)
	}
	got = laAddrs(t, c, d0)
	if _, ok := got[laAddr("198.18.7.1")]; ok {
		t.Error("198.18.7.1 not deleted")
	}
	if _, ok := got[laAddr("10.0.0.1")]; ok {
		t.Error("10.0.0.1 not deleted")
	}
	if _, stderr := laRun(t, name, ExitKernel, "address", "del", "198.18.7.1/24", "dev", "d0"); !strings.HasPrefix(stderr, "Error: ") {
		t.Errorf("delete missing: %q", stderr)
	}

	// flush: IPv6 first, then everything; -s tells the rounds.
	out, _ := laRun(t, name, 0, "-6", "-s", "address", "flush", "dev", "d0", "scope", "global")
	if out != "\n*** Round 1, deleting 1 addresses ***\n*** Flush is complete after 1 round ***\n" {
		t.Errorf("flush -6: %q", out)
	}
	if got := laAddrs(t, c, d0); len(got) != 2 || got[laAddr("198.18.0.1")].Index == 0 {
		t.Errorf("after flush -6: %v", got)
	}
	laRun(t, name, 0, "address", "flush", "dev", "d0")
	if got := laAddrs(t, c, d0); len(got) != 0 {
		t.Errorf("after flush: %v", got)
	}
	if out, _ := laRun(t, name, 0, "-s", "address", "flush", "dev", "d0"); out != "Nothing to flush.\n" {
		t.Errorf("flush of nothing: %q", out)
	}
	if _, stderr := laRun(t, name, ExitFailure, "address", "show", "dev", "nope"); stderr != "Device \"nope\" does not exist.\n" {
		t.Errorf("show missing: %q", stderr)
	}
	if _, out := laRun(t, name, ExitUsage, "address", "help"); !strings.Contains(out, "nl address {add|change|replace}") {
		t.Errorf("help: %q", out)
	}
}

// TestAddressShowMatchesIP compares nl address show with ip address show:
// the text exactly, the JSON key by key.
func TestAddressShowMatchesIP(t *testing.T) {
	ns, name := kerneltest.NamedNetNS(t)
	laSetupShow(t, ns)
	for _, args := range [][]string{
		{"address"},
		{"address", "show"},
		{"-4", "address", "show"},
		{"-6", "address", "show"},
		{"-0", "address", "show"},
		{"-s", "address", "show", "dev", "lo"},
		{"-6", "address", "show", "dev", "lo"},
		{"address", "show", "dev", "va"},
		{"address", "show", "scope", "host"},
		{"address", "show", "scope", "link"},
		{"address", "show", "to", "198.18.0.0/16"},
		{"address", "show", "label", "va:*"},
		{"address", "show", "primary"},
		{"address", "show", "secondary"},
		{"address", "show", "up"},
		{"address", "show", "type", "veth"},
	} {
		want := laIP(t, ns, args...)
		got, _ := laRun(t, name, 0, args...)
		if got != want {
			t.Errorf("nl %s differs from ip:\n--- ip\n%s--- nl\n%s", strings.Join(args, " "), want, got)
		}
	}
	for _, args := range [][]string{
		{"-j", "address", "show"},
		{"-j", "-d", "address", "show"},
		{"-j", "-4", "address", "show"},
		{"-j", "-6", "address", "show"},
		{"-j", "-s", "address", "show", "dev", "lo"},
		{"-j", "address", "show", "to", "198.18.0.0/16"},
		{"-j", "address", "show", "scope", "host"},
	} {
		laCompareJSON(t, strings.Join(args, " "), laIP(t, ns, args...), laFirst(laRun(t, name, 0, args...)), nil, nil)
	}
}

// TestAddressUnprivileged runs "nl address" as nobody: listing needs no
// privilege (it is the README's first command). The test binary runs
// itself as uid 65534, started from a thread inside the test namespace.
func TestAddressUnprivileged(t *testing.T) {
	if os.Getenv("NLKIT_CLI_UNPRIVILEGED_CHILD") == "1" {
		return // the child runs TestAddressUnprivilegedChild only
	}
	ns, _ := kerneltest.NamedNetNS(t)
	laIP(t, ns, "link", "add", "d0", "type", "ifb")
	laIP(t, ns, "address", "add", "198.18.4.1/24", "dev", "d0")
	// The test binary may sit in a directory nobody cannot enter: copy it.
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "nlkit-cli-unpriv-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "cli.test")
	data, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-test.run=^TestAddressUnprivilegedChild$")
	cmd.Env = append(os.Environ(), "NLKIT_CLI_UNPRIVILEGED_CHILD=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := ns.Do(cmd.Start); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("nl address as nobody: %v\nstdout %s\nstderr %s", err, out.String(), errb.String())
	}
	text, _, _ := strings.Cut(out.String(), "\nUID ")
	var links []map[string]any
	if err := json.Unmarshal([]byte(text), &links); err != nil || len(links) != 2 || !strings.Contains(text, `"local":"198.18.4.1"`) {
		t.Fatalf("nl -j address as nobody: %v\n%s\nstderr %s", err, out.String(), errb.String())
	}
	if !strings.Contains(out.String(), "\nUID 65534\n") {
		t.Errorf("the child did not run as nobody: %s", out.String())
	}
}

// TestAddressUnprivilegedChild is the child of TestAddressUnprivileged:
// it runs "nl -j address" and says who it ran as. Run on its own, it does
// nothing.
func TestAddressUnprivilegedChild(t *testing.T) {
	if os.Getenv("NLKIT_CLI_UNPRIVILEGED_CHILD") != "1" {
		return
	}
	code := Run(context.Background(), []string{"-j", "address"}, os.Stdout, os.Stderr)
	os.Stdout.WriteString("\nUID " + strconv.Itoa(os.Geteuid()) + "\n")
	os.Exit(code)
}
