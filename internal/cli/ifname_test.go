package cli

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestValidIfname: ip 6.1's check_ifname and check_altifname, as ip
// answers `ip link add name NAME` and `ip link add dev NAME`.
func TestValidIfname(t *testing.T) {
	for _, tc := range []struct {
		name      string
		ifname    bool // check_ifname
		altIfname bool // check_altifname
	}{
		{"", false, false},
		{"v0", true, true},
		{strings.Repeat("x", 15), true, true},
		{strings.Repeat("x", 16), false, true},
		{"a/b", false, false},
		{"a b", false, false},
		{"a\tb", false, false},
		{"a\vb", false, false},
		{"a\fb", false, false},
		{"a\rb", false, false},
		{"a\nb", false, false},
		// Left to the kernel, which refuses them.
		{"a:b", true, true},
		{".", true, true},
		{"..", true, true},
	} {
		if got := validIfname(tc.name); got != tc.ifname {
			t.Errorf("validIfname(%q) = %v, want %v", tc.name, got, tc.ifname)
		}
		if got := validAltIfname(tc.name); got != tc.altIfname {
			t.Errorf("validAltIfname(%q) = %v, want %v", tc.name, got, tc.altIfname)
		}
	}
}

// TestEmptyDeviceWord: an empty device word is refused while parsing where
// ip checks the name's syntax or looks it up while parsing; elsewhere it is
// a device name that was given (and that the lookup will not find), not an
// absent one. TestDeviceNamesLikeIP checks the whole commands against ip.
func TestEmptyDeviceWord(t *testing.T) {
	const (
		notDev    = `Error: argument "" is wrong: "dev" not a valid ifname`
		notName   = `Error: argument "" is wrong: "name" not a valid ifname`
		noMaster  = "Error: argument \"\" is wrong: Device does not exist\n"
		noDevice  = `Cannot find device ""`
		ruleIif   = `Error: argument "" is wrong: "iif"/"dev" not a valid ifname`
		ruleOif   = `Error: argument "" is wrong: "oif" not a valid ifname`
		mptcpName = "Error: argument \"\" is wrong: invalid interface name\n"
	)
	link := func(args ...string) error { _, err := parseLink(args); return err }
	for _, tc := range []struct {
		err  error
		want string
	}{
		{link("add", "", "type", "bridge"), notDev},
		{link("add", "dev", "", "type", "bridge"), notDev},
		{link("add", "name", "", "type", "bridge"), notName},
		{link("add", "x0", "type", "veth", "peer", ""), notDev},
		{link("add", "x0", "type", "veth", "peer", "name", ""), notName},
		{link("add", "x0", "master", "", "type", "ifb"), noMaster},
		{link("add", "x0", "type", "vxlan", "id", "5", "dev", ""), noDevice},
		{link("set", "", "up"), notDev},
		{link("set", "dev", "", "up"), notDev},
		{link("set", "v0", "master", ""), noMaster},
		{link("set", "v0", "name", ""), notName},
		{link("delete", ""), notDev},
		{link("delete", "dev", ""), notDev},
		{link("show", "master", ""), noMaster},
		{func() error { _, err := parseAddress([]string{"show", "master", ""}, 0); return err }(), noMaster},
		{func() error { _, err := parseRule([]string{"add", "iif", ""}, 0); return err }(), ruleIif},
		{func() error { _, err := parseRule([]string{"add", "dev", ""}, 0); return err }(), ruleIif},
		{func() error { _, err := parseRule([]string{"add", "oif", ""}, 0); return err }(), ruleOif},
		{func() error { _, err := parseMptcp([]string{"endpoint", "add", "198.18.0.1", "dev", ""}); return err }(), mptcpName},
	} {
		var ue *UsageError
		if !errors.As(tc.err, &ue) || ue.Msg != tc.want {
			t.Errorf("error %v, want usage error %q", tc.err, tc.want)
		}
	}

	// Given, looked up when the command runs.
	if r, err := parseLink([]string{"show", "dev", ""}); err != nil || !r.show.hasDev || r.show.dev != "" {
		t.Errorf("link show dev '': %+v %v", r.show, err)
	}
	if r, err := parseLink([]string{"add", "link", "", "x0", "type", "ifb"}); err != nil || !r.opts.hasLink {
		t.Errorf("link add link '': %+v %v", r.opts, err)
	}
	if r, err := parseAddress([]string{"show", "dev", ""}, 0); err != nil || !r.filter.link.hasDev {
		t.Errorf("address show dev '': %+v %v", r.filter.link, err)
	}
	if r, err := parseAddress([]string{"add", "198.18.0.1/24", "dev", ""}, 0); err != nil || !r.hasDev {
		t.Errorf("address add dev '': %+v %v", r, err)
	}
	if r, err := parseAddress([]string{"add", "198.18.0.1/24", "dev", "v0", "dev", ""}, 0); err != nil || !r.hasDev || r.dev != "" {
		t.Errorf("address add dev v0 dev '' (the last counts, as in ip): %+v %v", r, err)
	}
	if r, err := parseRoute([]string{"add", "198.18.5.0/24", "dev", ""}, 0); err != nil || !r.spec.hasDev {
		t.Errorf("route add dev '': %+v %v", r.spec, err)
	}
	if r, err := parseRoute([]string{"add", "198.18.5.0/24", "nexthop", "dev", ""}, 0); err != nil || len(r.spec.nexthops) != 1 || !r.spec.nexthops[0].hasDev {
		t.Errorf("route add nexthop dev '': %+v %v", r.spec, err)
	}
	if r, err := parseRoute([]string{"show", "dev", ""}, 0); err != nil || !r.sel.hasDev {
		t.Errorf("route show dev '': %+v %v", r.sel, err)
	}
	if r, err := parseRoute([]string{"get", "198.18.5.1", "iif", "", "oif", ""}, 0); err != nil || !r.get.hasIif || !r.get.hasOif {
		t.Errorf("route get iif '' oif '': %+v %v", r.get, err)
	}
	if r, err := parseNeigh([]string{"add", "198.18.0.2", "dev", ""}, 0); err != nil || !r.hasDev {
		t.Errorf("neigh add dev '': %+v %v", r, err)
	}
	if r, err := parseNeigh([]string{"show", "dev", ""}, 0); err != nil || !r.hasDev {
		t.Errorf("neigh show dev '': %+v %v", r, err)
	}
	if _, err := parseNeigh([]string{"show", "dev", "", "dev", "v0"}, 0); err == nil {
		t.Error("neigh show dev '' dev v0: no duplicate error")
	}
}

// TestNodev: the empty name finds no device without asking the kernel,
// and ip's nodev message exits with status 1.
func TestNodev(t *testing.T) {
	var e env // no Conn: a lookup that asked the kernel would have to dial
	_, err := e.linkIndex(context.Background(), "")
	var b strings.Builder
	if code := report(&b, err); code != ExitFailure || b.String() != "Cannot find device \"\"\n" || e.conn != nil {
		t.Errorf("linkIndex(\"\"): %v; reported with exit %d as %q", err, code, b.String())
	}
}
