package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/rtnl"
	"github.com/nlkit/nlkit/rtnl/rtnltest"
)

// TestCommandsOnFake runs nl's route-netlink commands against rtnltest's
// fake of route netlink: no root, no kernel, the same parsing, library
// calls and output code as against the kernel (whose own tests compare the
// output with ip's).
func TestCommandsOnFake(t *testing.T) {
	fake := rtnltest.NewFake()
	nl, err := fake.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	conn := rtnl.NewConn(nl)
	defer conn.Close()
	nlRun := func(want int, args ...string) string {
		t.Helper()
		opts, rest, err := ParseOptions(args)
		if err != nil {
			t.Fatal(err)
		}
		var out, errb bytes.Buffer
		e := &env{opts: opts, stdout: &out, rawStdout: &out, stderr: &errb, stdin: strings.NewReader(""), conn: conn,
			dialRT: func() (*rtnl.Conn, error) { // address show's own sockets
				nl, err := fake.Dial(nil)
				if err != nil {
					return nil, err
				}
				return rtnl.NewConn(nl), nil
			}}
		if code := report(&errb, dispatch(context.Background(), e, rest)); code != want {
			t.Fatalf("nl %s: exit %d (want %d): %s", strings.Join(args, " "), code, want, errb.String())
		}
		return out.String() + errb.String()
	}
	for _, cmd := range [][]string{
		{"link", "add", "v0", "type", "veth", "peer", "name", "v1"},
		{"link", "set", "v0", "up"},
		{"link", "set", "v1", "up"},
		{"link", "set", "v0", "mtu", "1400"},
		{"address", "add", "198.18.6.1/24", "dev", "v0"},
		{"address", "add", "2001:db8:6::1/64", "dev", "v0", "nodad"},
		{"route", "add", "198.19.6.0/24", "via", "198.18.6.2", "metric", "10"},
		{"route", "add", "blackhole", "198.19.7.0/24", "table", "1000"},
		{"neigh", "add", "198.18.6.3", "lladdr", "02:00:00:00:06:03", "dev", "v0"},
		{"rule", "add", "from", "198.18.8.0/24", "table", "1000", "pref", "500"},
	} {
		nlRun(0, cmd...)
	}
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"link", "show", "v0"}, []string{"v0@v1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1400"}},
		{[]string{"-j", "link", "show", "v0"}, []string{`"ifname":"v0"`, `"mtu":1400`, `"link":"v1"`}},
		{[]string{"address", "show", "dev", "v0"}, []string{"inet 198.18.6.1/24", "inet6 2001:db8:6::1/64"}},
		{[]string{"route"}, []string{"198.19.6.0/24 via 198.18.6.2 dev v0 metric 10", "198.18.6.0/24 dev v0 proto kernel scope link src 198.18.6.1"}},
		{[]string{"-j", "route", "show", "table", "1000"}, []string{`{"type":"blackhole","dst":"198.19.7.0/24"`}},
		{[]string{"neigh", "show", "dev", "v0"}, []string{"198.18.6.3 lladdr 02:00:00:00:06:03 PERMANENT"}},
		{[]string{"rule"}, []string{"500:\tfrom 198.18.8.0/24 lookup 1000"}},
	} {
		out := nlRun(0, tc.args...)
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("nl %s: output lacks %q:\n%s", strings.Join(tc.args, " "), w, out)
			}
		}
	}
	// The kernel's refusals come back the same way from the fake.
	if out := nlRun(ExitKernel, "address", "add", "198.18.6.1/24", "dev", "v0"); !strings.Contains(out, "File exists") {
		t.Errorf("duplicate address: %q", out)
	}
	if out := nlRun(ExitFailure, "route", "add", "198.19.9.0/24", "dev", "nosuch0"); !strings.Contains(out, `Cannot find device "nosuch0"`) {
		t.Errorf("missing device: %q", out)
	}
	nlRun(0, "route", "del", "198.19.6.0/24")
	nlRun(0, "link", "del", "v0")
	if out := nlRun(0, "link"); strings.Contains(out, "v0") || strings.Contains(out, "v1") {
		t.Errorf("links left after delete:\n%s", out)
	}
}
