package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/kernelsrc"
	"github.com/nlkit/nlkit/internal/kerneltest"
)

// Test suites nobody here wrote, run with ip and with nl in its place:
// the kernel's own net selftests (linux-source-6.12's
// tools/testing/selftests/net) and iproute2 6.1's testsuite (tests/ip).
// Opt-in (NLKIT_FOREIGN_SUITES=1): the sources are fetched once (Debian's
// linux-source-6.12 with apt-get download, iproute2_6.1.0.orig.tar.xz over
// HTTP) and the few files needed are cached under the user cache dir,
// nlkit/foreign-suites. Each script runs twice, in a fresh network and
// mount namespace (unshare -n -m, a private tmpfs on /run/netns, so that
// neither the host's links and routes nor its named namespaces are
// touched): once with the real ip, once with nl built and placed as `ip`
// first in PATH (nl reads argv[0]). The test fails when a test the run with
// ip passes does not pass with nl.
//
// Where this kernel lacks the dummy link kind (no module), the scripts are
// run with `type dummy` replaced by `type ifb` (a device as inert as dummy
// for configuration tests), in both runs alike.
func TestForeignSuites(t *testing.T) {
	if os.Getenv("NLKIT_FOREIGN_SUITES") == "" {
		t.Skip("opt-in: set NLKIT_FOREIGN_SUITES=1 to fetch the kernel's net selftests and iproute2's testsuite and run them with ip and with nl")
	}
	kerneltest.Require(t)
	realIP := kerneltest.Tool(t, "ip", "iproute2")
	kerneltest.Tool(t, "unshare", "util-linux")
	kerneltest.Tool(t, "bash", "bash")
	kerneltest.Tool(t, "tc", "iproute2")
	kerneltest.Tool(t, "sysctl", "procps")
	kerneltest.Tool(t, "xz", "xz-utils")
	start := time.Now()
	src := foreignSuites(t)
	fetched := time.Since(start)

	// NLKIT_FOREIGN_SUITES_NL names an nl binary to run instead of this
	// tree's (to measure another version: a before/after figure)
	bin := t.TempDir()
	if nl := os.Getenv("NLKIT_FOREIGN_SUITES_NL"); nl != "" {
		if err := os.Symlink(nl, filepath.Join(bin, "ip")); err != nil {
			t.Fatal(err)
		}
		t.Logf("nl: %s", nl)
	} else {
		if out, err := exec.Command("go", "build", "-o", filepath.Join(bin, "nl"), "../../cmd/nl").CombinedOutput(); err != nil {
			t.Fatalf("go build: %v\n%s", err, out)
		}
		if err := os.Symlink("nl", filepath.Join(bin, "ip")); err != nil {
			t.Fatal(err)
		}
	}
	// nettest, the selftests' socket helper (fib_rule_tests.sh and others
	// skip without it), built from its source, for ip's and nl's runs.
	helpers := t.TempDir()
	gcc := kerneltest.Tool(t, "gcc", "gcc")
	if out, err := exec.Command(gcc, "-O2", "-o", filepath.Join(helpers, "nettest"), filepath.Join(src, "net", "nettest.c")).CombinedOutput(); err != nil {
		t.Fatalf("building nettest: %v\n%s", err, out)
	}
	t.Setenv("PATH", helpers+":"+os.Getenv("PATH"))
	work := t.TempDir()
	dummy := kindWorks("dummy")
	if !dummy {
		t.Logf("this kernel has no dummy link kind: the scripts run with `type ifb` in its place (ip and nl alike)")
	}
	if err := copyScripts(src, work, dummy); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll("/run/netns", 0o755); err != nil {
		t.Fatal(err)
	}

	kernel := filepath.Join(work, "net")
	tools := []struct{ name, path string }{{"ip", realIP}, {"nl", filepath.Join(bin, "ip")}}
	total := map[string][2]int{}
	var order []string
	for _, s := range foreignSuiteList(work) {
		run := func() (res [2]map[string]string, took [2]time.Duration) {
			for i, tool := range tools {
				t0 := time.Now()
				var out []byte
				if s.iproute2 {
					out = runIproute2Test(t, filepath.Join(work, "testsuite"), s.script, tool.path)
				} else {
					out = runSelftest(t, kernel, s.script, s.args, bin, i == 1)
				}
				res[i] = parseSuiteResults(s, out)
				took[i] = time.Since(t0)
				if os.Getenv("NLKIT_FOREIGN_SUITES_LOG") != "" { // a directory for every run's output
					os.WriteFile(filepath.Join(os.Getenv("NLKIT_FOREIGN_SUITES_LOG"), tool.name+"-"+strings.NewReplacer("/", "_", " ", "_").Replace(s.name)+".log"), out, 0o644)
				}
			}
			return res, took
		}
		// lostIn lists the tests that pass with ip and not with nl.
		lostIn := func(res [2]map[string]string) (ipPass, nlPass int, lost map[string]string) {
			lost = map[string]string{}
			for k, v := range res[0] {
				if v == "PASS" {
					ipPass++
					if res[1][k] == "PASS" {
						nlPass++
					} else if lost[k] = res[1][k]; lost[k] == "" {
						lost[k] = "absent"
					}
				}
			}
			return ipPass, nlPass, lost
		}
		res, took := run()
		ipPass, nlPass, lostMap := lostIn(res)
		if len(lostMap) > 0 {
			// Some of these scripts race (timers, a monitor started in the
			// background): a loss counts only if both run again and it is
			// there again.
			again, _ := run()
			_, _, lost2 := lostIn(again)
			for k := range lostMap {
				if _, still := lost2[k]; !still {
					t.Logf("%s: %q passed with ip, not with nl, once; not again on a second run of both", s.name, k)
					delete(lostMap, k)
					nlPass++
				}
			}
		}
		var lost []string
		for k, v := range lostMap {
			lost = append(lost, fmt.Sprintf("%s: %s", k, v))
		}
		extra := 0
		for k, v := range res[1] {
			if v == "PASS" && res[0][k] != "PASS" {
				extra++
			}
		}
		sort.Strings(lost)
		t.Logf("%-40s ip passes %3d of %3d, nl passes %3d of them (%d more that ip does not pass) [ip %v, nl %v]", s.name, ipPass, len(res[0]), nlPass, extra,
			took[0].Round(100*time.Millisecond), took[1].Round(100*time.Millisecond))
		for _, l := range lost {
			t.Errorf("%s: passes with ip, not with nl: %s", s.name, l)
		}
		group := "kernel selftests"
		if s.iproute2 {
			group = "iproute2 testsuite"
		}
		if _, ok := total[group]; !ok {
			order = append(order, group)
		}
		tt := total[group]
		tt[0] += ipPass
		tt[1] += nlPass
		total[group] = tt
	}
	for _, g := range order {
		t.Logf("%s: ip passes %d, nl passes %d of those", g, total[g][0], total[g][1])
	}
	t.Logf("fetch/cache %v, total %v", fetched.Round(time.Millisecond), time.Since(start).Round(time.Second))
}

// foreignSuite is one script run: a kernel selftest with its arguments
// (fib_tests.sh -t NAME runs one of its tests) or an iproute2 .t file.
type foreignSuite struct {
	name     string
	script   string
	args     []string
	iproute2 bool
}

// foreignSuiteList: the kernel scripts that configure routing and links
// with ip and run here within seconds (each in its own namespaces;
// fib_tests' and fib_nexthops' tests one by one, so that one test
// aborting its script does not hide the others; fib_tests' fib6_gc_test
// is left out: it sleeps for most of a minute), and every iproute2
// tests/ip .t file. Left out as they give nothing here for ip either (a
// missing module, tool or ping) or take too long: fib-onlink-tests.sh
// (vrf), altnames.sh (mausezahn), vlan_hw_filter.sh (bond),
// ndisc_unsolicited_na_test.sh (20 s of sleeps), the pmtu/xfrm/vrf/srv6
// scripts.
func foreignSuiteList(work string) []foreignSuite {
	var l []foreignSuite
	l = append(l, foreignSuite{name: "rtnetlink.sh", script: "rtnetlink.sh"})
	for _, tc := range strings.Fields(`unregister down carrier nexthop suppress ipv6_notify ipv4_notify
		ipv6_rt ipv4_rt ipv6_addr_metric ipv4_addr_metric ipv6_route_metrics ipv4_route_metrics
		ipv4_route_v6_gw rp_filter ipv4_del_addr ipv6_del_addr ipv4_mangle ipv6_mangle
		ipv4_bcast_neigh ipv4_mpath_list ipv6_mpath_list`) {
		l = append(l, foreignSuite{name: "fib_tests.sh -t " + tc, script: "fib_tests.sh", args: []string{"-t", tc}})
	}
	for _, tc := range strings.Fields(`basic basic_res ipv4_fcnal ipv4_grp_fcnal ipv4_res_grp_fcnal
		ipv4_withv6_fcnal ipv4_fcnal_runtime ipv4_large_grp ipv4_large_res_grp ipv4_compat_mode
		ipv4_fdb_grp_fcnal ipv4_mpath_select ipv4_torture ipv4_res_torture ipv6_fcnal ipv6_grp_fcnal
		ipv6_res_grp_fcnal ipv6_fcnal_runtime ipv6_large_grp ipv6_large_res_grp ipv6_compat_mode
		ipv6_fdb_grp_fcnal ipv6_mpath_select ipv6_torture ipv6_res_torture`) {
		l = append(l, foreignSuite{name: "fib_nexthops.sh -t " + tc, script: "fib_nexthops.sh", args: []string{"-t", tc}})
	}
	for _, s := range []string{"fib_rule_tests.sh", "fib_nexthop_multiprefix.sh", "fib_nexthop_nongw.sh",
		"icmp_redirect.sh", "route_localnet.sh", "netns-name.sh", "test_vxlan_fdb_changelink.sh"} {
		l = append(l, foreignSuite{name: s, script: s})
	}
	ts, _ := filepath.Glob(filepath.Join(work, "testsuite", "tests", "ip", "*", "*.t"))
	sort.Strings(ts)
	for _, f := range ts {
		rel, _ := filepath.Rel(filepath.Join(work, "testsuite"), f)
		l = append(l, foreignSuite{name: "iproute2 " + strings.TrimPrefix(rel, "tests/"), script: rel, iproute2: true})
	}
	return l
}

// isolated wraps a command so that it runs in a new network and mount
// namespace with a private /run/netns: the scripts' namespaces and
// `ip netns add` names vanish with it.
func isolated(ctx context.Context, dir string, env []string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "unshare", append([]string{"-n", "-m", "--propagation", "private", "bash", "-c",
		`mount -t tmpfs nlkit-suites /run/netns && exec "$@"`, "isolated"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// runSelftest runs one kernel selftest script, with nl as ip when asNL,
// and returns its combined output plus a line with its exit status.
func runSelftest(t *testing.T, dir, script string, args []string, bin string, asNL bool) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	defer cancel()
	var env []string
	if asNL {
		env = append(env, "PATH="+bin+":"+os.Getenv("PATH"))
	}
	cmd := isolated(ctx, dir, env, append([]string{"bash", "./" + script}, args...)...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	fmt.Fprintf(&out, "\nnlkit-exit: %d\n", exitCode(err))
	if ctx.Err() != nil {
		fmt.Fprintf(&out, "nlkit-timeout\n")
	}
	return out.Bytes()
}

// runIproute2Test runs one .t file as iproute2's testsuite Makefile does
// (IP=path, STD_OUT/STD_ERR/ERRF files, DEV=lo) and returns its output
// and its verdict: exit 127 is a skip, an ERRF file written a failure.
func runIproute2Test(t *testing.T, dir, script, ip string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	tmp := t.TempDir()
	errf := filepath.Join(tmp, "errf")
	env := []string{"IP=" + ip, "TC=tc", "SS=ss", "BRIDGE=bridge", "DEV=lo", "IPVER=" + script,
		"STD_OUT=" + filepath.Join(tmp, "out"), "STD_ERR=" + filepath.Join(tmp, "err"), "ERRF=" + errf}
	cmd := isolated(ctx, dir, env, "sh", script)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	code := exitCode(err)
	verdict := "PASS"
	switch {
	case code == 127:
		verdict = "SKIP"
	case ctx.Err() != nil:
		verdict = "FAIL"
	default:
		if b, err := os.ReadFile(errf); err == nil {
			verdict = "FAIL"
			out.WriteString("\n--- ERRF\n")
			out.Write(b)
		}
	}
	fmt.Fprintf(&out, "\nnlkit-verdict: %s (exit %d)\n", verdict, code)
	return out.Bytes()
}

func exitCode(err error) int {
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.ExitCode()
	}
	return -1
}

var (
	// lib.sh's log_test, fib_tests' and fib_nexthops' own: "TEST: what [ OK ]"
	suiteTestLine = regexp.MustCompile(`^\s*(?:TEST: )?(.*?)\s*\[\s*(OK|FAIL|XFAIL|SKIP)\s*\]\s*$`)
	// rtnetlink.sh's end_test: "PASS: what"
	suiteEndLine = regexp.MustCompile(`^(PASS|FAIL|SKIP): (.*)$`)
	// setup_ns's names: ns1-XXXXXX (mktemp -u)
	suiteRandom   = regexp.MustCompile(`-[A-Za-z0-9]{6}\b`)
	suiteVerdict  = regexp.MustCompile(`(?m)^nlkit-verdict: (\w+)`)
	suiteExitLine = regexp.MustCompile(`(?m)^nlkit-exit: (-?\d+)$`)
)

// parseSuiteResults reads the per-test verdicts of a run: name -> PASS,
// FAIL, XFAIL or SKIP. Repeated names get #2, #3...; the script's own exit
// status is one more result (0 PASS, 4 SKIP, else FAIL), named "exit".
func parseSuiteResults(s foreignSuite, out []byte) map[string]string {
	res := map[string]string{}
	if s.iproute2 {
		if m := suiteVerdict.FindSubmatch(out); m != nil {
			res["verdict"] = string(m[1])
		}
		return res
	}
	seen := map[string]int{}
	add := func(name, v string) {
		name = suiteRandom.ReplaceAllString(strings.TrimSpace(name), "-XXXXXX")
		seen[name]++
		if n := seen[name]; n > 1 {
			name = fmt.Sprintf("%s #%d", name, n)
		}
		res[name] = v
	}
	for _, line := range strings.Split(string(out), "\n") {
		if m := suiteTestLine.FindStringSubmatch(line); m != nil {
			v := m[2]
			if v == "OK" {
				v = "PASS"
			}
			add(m[1], v)
		} else if m := suiteEndLine.FindStringSubmatch(line); m != nil {
			add(m[2], m[1])
		}
	}
	if m := suiteExitLine.FindSubmatch(out); m != nil {
		v := "FAIL"
		switch string(m[1]) {
		case "0":
			v = "PASS"
		case "4":
			v = "SKIP"
		}
		if bytes.Contains(out, []byte("\nnlkit-timeout\n")) {
			v = "FAIL"
		}
		res["exit"] = v
	}
	return res
}

// kindWorks reports whether the kernel creates a link of this kind, in a
// throwaway namespace.
func kindWorks(kind string) bool {
	return exec.Command("unshare", "-n", "ip", "link", "add", "nlkit-probe0", "type", kind).Run() == nil
}

// copyScripts copies the cached sources into the work directory (net/ and
// testsuite/), replacing the dummy kind by ifb when the kernel lacks it.
func copyScripts(src, dst string, dummy bool) error {
	for _, d := range []string{"net", "testsuite"} {
		err := filepath.WalkDir(filepath.Join(src, d), func(p string, e os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(src, p)
			to := filepath.Join(dst, rel)
			if e.IsDir() {
				return os.MkdirAll(to, 0o755)
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if !dummy {
				b = bytes.ReplaceAll(b, []byte("type dummy"), []byte("type ifb"))
			}
			return os.WriteFile(to, b, 0o755)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

const (
	iproute2URL = "http://deb.debian.org/debian/pool/main/i/iproute2/iproute2_6.1.0.orig.tar.xz"
	// the selftests' directory in linux-source-6.12's tree, and what the
	// cache keeps of it (as net/...)
	selftestsDir = "tools/testing/selftests/net/"
)

// foreignSuites returns a directory holding net/ (the kernel's
// tools/testing/selftests/net scripts and their libraries) and testsuite/
// (iproute2 6.1's), from the cache or fetched.
func foreignSuites(t *testing.T) string {
	dir := kernelsrc.CacheDir("foreign-suites")
	_, err1 := os.Stat(filepath.Join(dir, "complete"))
	_, err2 := os.Stat(filepath.Join(dir, "net", "nettest.c")) // caches of before nettest was kept are fetched again
	if err1 == nil && err2 == nil {
		t.Logf("suites from the cache %s", dir)
		return dir
	}
	if _, err := exec.LookPath("xz"); err != nil {
		t.Skip("cannot fetch the suites: xz is missing (Debian: xz-utils)")
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		t.Fatal(err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), "foreign-suites-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(tmp)

	// iproute2's testsuite
	resp, err := http.Get(iproute2URL)
	if err != nil {
		t.Skipf("cannot fetch %s: %v", iproute2URL, err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		t.Skipf("cannot fetch %s: %s", iproute2URL, resp.Status)
	}
	n, err := kernelsrc.UntarXZ(resp.Body, func(name string) (string, bool) {
		rest, ok := strings.CutPrefix(name, "iproute2-6.1.0/testsuite/")
		return filepath.Join("testsuite", rest), ok && rest != ""
	}, tmp)
	resp.Body.Close()
	if err != nil || n == 0 {
		t.Fatalf("%s: %d files, %v", iproute2URL, n, err)
	}

	// the kernel's selftests, from Debian's linux-source-6.12:
	// tools/testing/selftests/net's top-level scripts, lib/ and forwarding/
	n, err = kernelsrc.Fetch(tmp, func(name string) (string, bool) {
		_, rest, ok := strings.Cut(name, "/"+selftestsDir)
		if !ok || rest == "" {
			return "", false
		}
		top := !strings.Contains(rest, "/") && (strings.HasSuffix(rest, ".sh") || rest == "nettest.c")
		if !top && !strings.HasPrefix(rest, "lib/") && !strings.HasPrefix(rest, "forwarding/") {
			return "", false
		}
		return filepath.Join("net", rest), true
	})
	if errors.Is(err, kernelsrc.ErrUnavailable) {
		t.Skip(err)
	}
	if err != nil || n == 0 {
		t.Fatalf("extract: %d files of %s, %v", n, selftestsDir, err)
	}
	if err := os.WriteFile(filepath.Join(tmp, "complete"), []byte(iproute2URL+"\n"+kernelsrc.Package+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(dir)
	if err := os.Rename(tmp, dir); err != nil {
		t.Fatal(err)
	}
	return dir
}
