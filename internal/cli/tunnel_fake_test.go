package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/rtnl"
	"github.com/nlkit/nlkit/rtnl/rtnltest"
)

// TestTunnelCommandsOnFake: what this kernel cannot show (it has no tunnel
// module), against rtnltest's fake, which makes tunnels as a kernel with
// the modules: link add of each family, link set from the current settings
// (read, change, send all back), tunnel show/change/del and -d details.
func TestTunnelCommandsOnFake(t *testing.T) {
	fake := rtnltest.NewFake()
	nl, err := fake.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	conn := rtnl.NewConn(nl)
	defer conn.Close()
	run := func(want int, args ...string) string {
		t.Helper()
		opts, rest, err := ParseOptions(args)
		if err != nil {
			t.Fatal(err)
		}
		var out, errb bytes.Buffer
		e := &env{opts: opts, stdout: &out, rawStdout: &out, stderr: &errb, stdin: strings.NewReader(""), conn: conn}
		if code := report(&errb, dispatch(context.Background(), e, rest)); code != want {
			t.Fatalf("nl %s: exit %d (want %d): %s%s", strings.Join(args, " "), code, want, out.String(), errb.String())
		}
		return out.String() + errb.String()
	}
	gre := func(name string) *rtnl.Gre {
		t.Helper()
		l, err := conn.LinkByName(t.Context(), name)
		if err != nil {
			t.Fatal(err)
		}
		g, ok := l.Info.(*rtnl.Gre)
		if !ok {
			t.Fatalf("%s: %T", name, l.Info)
		}
		return g
	}
	run(0, "link", "add", "v0", "type", "veth", "peer", "name", "v1")
	run(0, "link", "add", "gre1", "type", "gre", "remote", "198.18.0.2", "local", "198.18.0.1", "ttl", "64", "key", "5", "dev", "v0")
	if g := gre("gre1"); *g.TTL != 64 || *g.IKey != 5 || g.Remote.String() != "198.18.0.2" || *g.PMTUDisc != true {
		t.Errorf("gre1 as added: %+v", g)
	}
	// link set: the words change what they say, the rest is sent back.
	run(0, "link", "set", "gre1", "type", "gre", "ttl", "9", "nokey", "ocsum")
	if g := gre("gre1"); *g.TTL != 9 || *g.IFlags != 0 || *g.OFlags != rtnl.GreCsum || g.Remote.String() != "198.18.0.2" ||
		g.Local.String() != "198.18.0.1" || g.Device == nil || *g.Device == 0 {
		t.Errorf("gre1 after set: %+v", g)
	}
	out := run(0, "-d", "link", "show", "gre1")
	for _, w := range []string{"gre remote 198.18.0.2 local 198.18.0.1 dev v0 ttl 9 ocsum "} {
		if !strings.Contains(out, w) {
			t.Errorf("link show -d lacks %q:\n%s", w, out)
		}
	}
	// ip tunnel: add, show, change, del.
	run(0, "tunnel", "add", "t1", "mode", "ipip", "remote", "198.18.0.3", "ttl", "5")
	run(0, "tunnel", "add", "t2", "mode", "sit", "local", "198.18.0.1")
	run(0, "-6", "tunnel", "add", "t6", "remote", "2001:db8::2", "encaplimit", "none")
	if got, want := run(0, "tunnel", "show"), "gre1: gre/ip remote 198.18.0.2 local 198.18.0.1 dev v0 ttl 9\n"+
		"  Checksum output packets.\n"+
		"t1: ip/ip remote 198.18.0.3 local any ttl 5\n"+
		"t2: ipv6/ip remote any local 198.18.0.1 ttl inherit\n"; got != want {
		t.Errorf("tunnel show:\n%s\nwant\n%s", got, want)
	}
	if got, want := run(0, "-6", "tunnel", "show"), "t6: ipv6/ipv6 remote 2001:db8::2 local :: encaplimit none hoplimit 64 "+
		"tclass 0x00 flowlabel 0x00000 (flowinfo 0x00000000)\n"; got != want {
		t.Errorf("-6 tunnel show:\n%s\nwant\n%s", got, want)
	}
	if got := run(0, "tunnel", "show", "remote", "198.18.0.3"); !strings.HasPrefix(got, "t1: ") || strings.Count(got, "\n") != 1 {
		t.Errorf("tunnel show remote: %q", got)
	}
	run(0, "tunnel", "change", "t1", "ttl", "7")
	if got := run(0, "tunnel", "show", "t1"); got != "t1: ip/ip remote 198.18.0.3 local any ttl 7\n" {
		t.Errorf("after change: %q", got)
	}
	run(0, "tunnel", "6rd", "dev", "t2", "6rd-prefix", "2001:db8::/32")
	if got := run(0, "tunnel", "show", "t2"); got != "t2: ipv6/ip remote any local 198.18.0.1 ttl inherit 6rd-prefix 2001:db8::/32\n" {
		t.Errorf("after 6rd: %q", got)
	}
	run(0, "tunnel", "del", "t1")
	if got := run(1, "tunnel", "del", "t1"); got != "delete tunnel \"t1\" failed: No such device\n" {
		t.Errorf("second del: %q", got)
	}
	if got := run(1, "tunnel", "prl", "dev", "t2", "prl-default", "198.18.0.9"); !strings.Contains(got, "nl has no netlink request") {
		t.Errorf("prl: %q", got)
	}
	// A link of another kind has no tunnel settings to start from.
	if got := run(1, "link", "set", "v0", "type", "gre", "ttl", "5"); got != "Failed to get existing tunnel info.\n" {
		t.Errorf("set type gre on a veth: %q", got)
	}
}
