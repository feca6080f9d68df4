//go:build linux

package kerneltest

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/nlkit/nlkit/netns"
)

// loFlags reads the interface flags of "lo" inside ns.
func loFlags(t *testing.T, ns *netns.NS) uint16 {
	t.Helper()
	var flags uint16
	err := ns.Do(func() error {
		fd, err := socketIn(ns)
		if err != nil {
			return err
		}
		defer unix.Close(fd)
		ifr, err := unix.NewIfreq("lo")
		if err != nil {
			return err
		}
		if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
			return err
		}
		flags = ifr.Uint16()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return flags
}

type ipLink struct {
	Ifname string   `json:"ifname"`
	Flags  []string `json:"flags"`
}

func links(t *testing.T, out []byte) []ipLink {
	t.Helper()
	var l []ipLink
	if err := json.Unmarshal(out, &l); err != nil {
		t.Fatalf("ip -j output %q: %v", out, err)
	}
	return l
}

func checkOnlyLoUp(t *testing.T, l []ipLink) {
	t.Helper()
	if len(l) != 1 || l[0].Ifname != "lo" || !slices.Contains(l[0].Flags, "UP") {
		t.Errorf("links = %+v, want only lo, UP", l)
	}
}

func TestNetNS(t *testing.T) {
	ns := NetNS(t)
	host, err := netns.Current()
	if err != nil {
		t.Fatal(err)
	}
	defer host.Close()
	if ns.Equal(host) {
		t.Fatal("NetNS returned the current namespace")
	}
	if f := loFlags(t, ns); f&unix.IFF_UP == 0 {
		t.Errorf("lo flags %#x: not up", f)
	}
	checkOnlyLoUp(t, links(t, Run(t, ns, "ip", "-j", "link", "show")))
}

func TestNamedNetNS(t *testing.T) {
	Require(t)
	var name string
	t.Run("create", func(t *testing.T) {
		var ns *netns.NS
		ns, name = NamedNetNS(t)
		if !strings.HasPrefix(name, namePrefix) {
			t.Errorf("name %q lacks prefix %q", name, namePrefix)
		}
		names, err := netns.Names()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(names, name) {
			t.Errorf("List() = %v, missing %s", names, name)
		}
		if f := loFlags(t, ns); f&unix.IFF_UP == 0 {
			t.Errorf("lo flags %#x: not up", f)
		}
		// Both ways of running tools inside agree.
		checkOnlyLoUp(t, links(t, Run(t, ns, "ip", "-j", "link", "show")))
		host, err := netns.Current()
		if err != nil {
			t.Fatal(err)
		}
		defer host.Close()
		checkOnlyLoUp(t, links(t, Run(t, host, "ip", "-j", "-n", name, "link", "show")))
	})
	if name == "" {
		t.Fatal("subtest did not create a namespace")
	}
	names, err := netns.Names()
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(names, name) {
		t.Errorf("after cleanup List() = %v still contains %s", names, name)
	}
	if _, err := os.Stat("/run/netns/" + name); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("after cleanup stat: %v", err)
	}
}

func TestRunNoFDLeak(t *testing.T) {
	ns := NetNS(t)
	count := func() int {
		e, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			t.Fatal(err)
		}
		return len(e)
	}
	Run(t, ns, "true")
	before := count()
	for range 5 {
		Run(t, ns, "true")
	}
	if after := count(); after != before {
		t.Errorf("fds %d -> %d", before, after)
	}
}

func TestSkipLine(t *testing.T) {
	for _, c := range []struct{ fn, pkg string }{
		{"github.com/nlkit/nlkit/rtnl.TestMain", "github.com/nlkit/nlkit/rtnl"},
		{"github.com/nlkit/nlkit/rtnl/rtnltest_test.TestMain", "github.com/nlkit/nlkit/rtnl/rtnltest"},
		{"github.com/nlkit/nlkit/internal/kerneltest.TestMain", "github.com/nlkit/nlkit/internal/kerneltest"},
		{"main.TestMain", "main"},
	} {
		if got := callerPackage(c.fn); got != c.pkg {
			t.Errorf("callerPackage(%q) = %q, want %q", c.fn, got, c.pkg)
		}
	}
	want := "3 kernel tests skipped in example.com/p: not running as root (euid 1000); run `sudo go test ./...` (NLKIT_KERNEL_TESTS=require makes a skip a failure)\n"
	if got := skipLine(3, "example.com/p", "not running as root (euid 1000)"); got != want {
		t.Errorf("skipLine = %q, want %q", got, want)
	}
	if got := skipLine(1, "p", "r"); !strings.HasPrefix(got, "1 kernel test skipped in p: r;") {
		t.Errorf("skipLine(1) = %q", got)
	}
}

func TestToolFindsSbin(t *testing.T) {
	// sh is on every machine; Tool must find it and return a usable path.
	p := Tool(t, "sh", "dash")
	if st, err := os.Stat(p); err != nil || st.Mode()&0o111 == 0 {
		t.Fatalf("Tool(sh) = %q: not an executable (%v)", p, err)
	}
}

func TestToolMissingSkips(t *testing.T) {
	if os.Getenv(envVar) == "require" {
		t.Skip("under require a missing tool fails the test; checked without it")
	}
	var was bool
	ok := t.Run("missing", func(t *testing.T) {
		defer func() { was = t.Skipped() }()
		Tool(t, "nlkit-no-such-tool", "nlkit-no-such-package")
		t.Error("Tool returned for a missing command")
	})
	// This skip is the test's own: keep it out of Main's report.
	skipped.Add(-1)
	skipReason.Store("")
	if !ok || !was {
		t.Fatalf("a missing tool did not skip (ok=%v skipped=%v)", ok, was)
	}
}
