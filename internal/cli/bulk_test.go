package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/nlkit/nlkit/rtnl"
)

// TestRunBulk calls runBulk directly: which lines it takes, what it does
// with them, and how it reports failures.
func TestRunBulk(t *testing.T) {
	ns, _, c := rtNS(t)
	v0 := rtLinkIndex(t, c, "v0")
	ctx := context.Background()
	newEnv := func(force bool) (*env, *bytes.Buffer) {
		var stderr bytes.Buffer
		e := &env{opts: Options{Force: force}, stdout: &bytes.Buffer{}, stderr: &stderr, ns: ns}
		t.Cleanup(e.closeConns)
		return e, &stderr
	}
	lines := func(text string) []batchLine {
		t.Helper()
		ls, err := readBatch(strings.NewReader(text))
		if err != nil {
			t.Fatal(err)
		}
		return ls
	}
	has := func(dst string) bool {
		t.Helper()
		return len(rtRoutesTo(t, c, rtnl.TableMain, dst)) > 0
	}
	neigh := func(addr string) bool {
		t.Helper()
		_, ok := rtNeighs(t, c, v0, false)[netip.MustParseAddr(addr)]
		return ok
	}

	// A run of mixed bulk lines ends at the first other command.
	e, stderr := newEnv(false)
	n, failed := runBulk(ctx, e, lines(`route add 10.1.0.0/24 dev v0
ro a 10.1.1.0/24 dev v0
neigh add 198.18.2.50 lladdr 02:00:00:00:00:50 dev v0
n add 198.18.2.51 lladdr 02:00:00:00:00:51 dev v0
route del 10.1.0.0/24
r replace 10.1.1.0/24 dev v0 proto static
neighbour del 198.18.2.50 dev v0
route show
route add 10.1.2.0/24 dev v0
`))
	if n != 7 || len(failed) != 0 || stderr.Len() != 0 {
		t.Fatalf("runBulk: %d lines, failed %v, stderr %q; want 7, none", n, failed, stderr)
	}
	if has("10.1.0.0/24") || !has("10.1.1.0/24") || has("10.1.2.0/24") || neigh("198.18.2.50") || !neigh("198.18.2.51") {
		t.Errorf("runBulk: wrong effect: %v", rtRoutes(t, c, rtnl.FamilyIPv4, rtnl.TableMain))
	}
	if r := rtRoutesTo(t, c, rtnl.TableMain, "10.1.1.0/24"); len(r) != 1 || r[0].Protocol != rtnl.ProtoStatic {
		t.Errorf("replace: %v", r)
	}

	// Lines the normal path must run (to report them): n is 0.
	for _, text := range []string{
		"route add xyz dev v0\n",
		"route add 10.3.0.0/24 dev nosuch\n",
		"route get 10.1.1.1\n",
		"neigh replace 198.18.2.52 lladdr 02:00:00:00:00:52 dev v0\n",
		"route help\n",
		"link show\n",
		"rule add pref 5 table 5\n",
	} {
		if n, failed := runBulk(ctx, e, lines(text)); n != 0 || failed != nil {
			t.Errorf("%q: runBulk took %d lines, failed %v", text, n, failed)
		}
	}
	if n, _ := runBulk(ctx, e, lines("route add 10.3.0.0/24 dev v0\nroute add 10.3.1.0/24 dev v0 metric x\n")); n != 1 || !has("10.3.0.0/24") {
		t.Errorf("a line that does not parse ends the run: took %d", n)
	}

	// A failure without -force: as ip, nothing after the failing line
	// stays applied (the rest of its group is undone) and the run ends
	// at it.
	e, stderr = newEnv(false)
	text := `route add 10.2.0.0/24 dev v0
route add 10.2.0.0/24 dev v0
route add 10.2.1.0/24 dev v0
neigh add 198.18.2.60 lladdr 02:00:00:00:00:60 dev v0
`
	n, failed = runBulk(ctx, e, lines(text))
	if n != 2 || len(failed) != 1 || failed[0].index != 1 || failed[0].err == nil || stderr.String() != "" {
		t.Errorf("failure: took %d, failed %v, stderr %q; want 2, [1]", n, failed, stderr)
	}
	if !has("10.2.0.0/24") || has("10.2.1.0/24") || neigh("198.18.2.60") {
		t.Errorf("failure: 10.2.1.0/24 added %v (want false), neighbour added %v (want false)", has("10.2.1.0/24"), neigh("198.18.2.60"))
	}
	// With -force it goes on.
	e, stderr = newEnv(true)
	n, failed = runBulk(ctx, e, lines(text))
	if n != 4 || len(failed) != 2 || failed[0].index != 0 || failed[1].index != 1 || !has("10.2.1.0/24") || !neigh("198.18.2.60") {
		t.Errorf("-force: took %d, failed %v, stderr %q", n, failed, stderr)
	}
	// Route lines of any kind form one ordered batch: a delete sees the
	// add before it, and a failure is reported at its line.
	e, stderr = newEnv(false)
	n, failed = runBulk(ctx, e, lines(`route add 10.4.0.0/24 dev v0
route del 10.4.0.0/24 dev v0
route replace 10.4.0.0/24 dev v0 proto static
route del 10.4.9.0/24 dev v0
route append 10.4.1.0/24 dev v0
route change 10.4.1.0/24 dev v0 proto static
neigh add 198.18.2.62 lladdr 02:00:00:00:00:62 dev v0
`))
	if n != 4 || len(failed) != 1 || failed[0].index != 3 || !errors.Is(failed[0].err, syscall.ESRCH) {
		t.Errorf("mixed routes: took %d, failed %v, stderr %q; want 4, [3], No such process", n, failed, stderr)
	}
	if r := rtRoutesTo(t, c, rtnl.TableMain, "10.4.0.0/24"); len(r) != 1 || r[0].Protocol != rtnl.ProtoStatic {
		t.Errorf("mixed routes: 10.4.0.0/24: %v", r)
	}
	if r := rtRoutesTo(t, c, rtnl.TableMain, "10.4.1.0/24"); len(r) != 0 {
		t.Errorf("mixed routes: 10.4.1.0/24 (after the failure, undone): %v", r)
	}
	if neigh("198.18.2.62") {
		t.Error("mixed routes: the next group ran after a failure")
	}
	// Neighbour failures are reported by index too.
	e, stderr = newEnv(false)
	n, failed = runBulk(ctx, e, lines(`neigh add 198.18.2.61 lladdr 02:00:00:00:00:61 dev v0
neigh del 198.18.2.99 dev v0
neigh del 198.18.2.61 dev v0
`))
	if n != 2 || len(failed) != 1 || failed[0].index != 1 || !neigh("198.18.2.61") || !errors.Is(failed[0].err, syscall.ENOENT) {
		t.Errorf("neigh failure: took %d, failed %v, stderr %q", n, failed, stderr)
	}
}

// rtWriteBatch writes a batch file and returns its path.
func rtWriteBatch(t *testing.T, text []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "batch")
	if err := os.WriteFile(path, text, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestBatchBulkRoutes adds 100,000 routes with -batch, which goes through
// the bulk path once batch.go calls runBulk.
func TestBatchBulkRoutes(t *testing.T) {
	_, name, c := rtNS(t)
	const count = 100000
	var b bytes.Buffer
	b.Grow(count * 40)
	base := netip.MustParseAddr("198.18.0.0").As4()
	for i := range count {
		a := base
		a[1] += byte(i >> 16)
		a[2] += byte(i >> 8)
		a[3] += byte(i)
		fmt.Fprintf(&b, "route add %d.%d.%d.%d/32 dev lo\n", a[0], a[1], a[2], a[3])
	}
	path := rtWriteBatch(t, b.Bytes())
	if _, stderr, code := run(t, "-n", name, "-batch", path); code != 0 {
		t.Fatalf("-batch: exit %d, stderr %q", code, stderr[:min(len(stderr), 500)])
	}
	bench := netip.MustParsePrefix("198.18.0.0/15")
	got := 0
	for r, err := range c.Routes(context.Background(), rtnl.RouteFilter{Family: rtnl.FamilyIPv4, Table: rtnl.TableMain}) {
		if err != nil {
			t.Fatal(err)
		}
		if r.Dst.Bits() == 32 && bench.Contains(r.Dst.Addr()) {
			got++
		}
	}
	if got != count {
		t.Errorf("%d routes, want %d", got, count)
	}
}

// TestBatchBulkFailure: a line the kernel refuses is reported by its line
// number, and stops the batch unless -force.
func TestBatchBulkFailure(t *testing.T) {
	_, name, c := rtNS(t)
	batch := func(prefix string) string {
		var b bytes.Buffer
		for i := 1; i <= 100; i++ {
			if i == 50 {
				fmt.Fprintf(&b, "route add %s.250.0/24 via 203.0.113.1\n", prefix) // no route to the gateway
				continue
			}
			fmt.Fprintf(&b, "route add %s.%d.0/24 via 198.18.2.2 dev v0\n", prefix, i)
		}
		return rtWriteBatch(t, b.Bytes())
	}
	count := func(prefix string) (n int, firsts bool) {
		firsts = true
		for i := 1; i <= 100; i++ {
			ok := len(rtRoutesTo(t, c, rtnl.TableMain, fmt.Sprintf("%s.%d.0/24", prefix, i))) == 1
			if ok {
				n++
			} else if i < 50 {
				firsts = false
			}
		}
		return n, firsts
	}

	path := batch("10.1")
	_, stderr, code := run(t, "-n", name, "-batch", path)
	if code != ExitBatch || !strings.Contains(stderr, "Error: Nexthop has invalid gateway.\n") ||
		!strings.Contains(stderr, fmt.Sprintf("Command failed %s:50\n", path)) || strings.Count(stderr, "Command failed") != 1 {
		t.Errorf("-batch: exit %d, stderr %q", code, stderr)
	}
	// Lines 1-49 are applied; 51-100 too with the bulk path (sent in the
	// same request as line 50), not on the line-by-line path.
	if n, firsts := count("10.1"); !firsts || n != 49 && n != 99 {
		t.Errorf("-batch: %d routes added (lines 1-49 all: %v)", n, firsts)
	}

	path = batch("10.2")
	_, stderr, code = run(t, "-n", name, "-force", "-batch", path)
	if code != ExitBatch || !strings.Contains(stderr, fmt.Sprintf("Command failed %s:50\n", path)) {
		t.Errorf("-force -batch: exit %d, stderr %q", code, stderr)
	}
	if n, _ := count("10.2"); n != 99 {
		t.Errorf("-force -batch: %d routes added, want 99", n)
	}
}
