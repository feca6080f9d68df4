package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/nlkit/nlkit/internal/cli"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/netns"
	"github.com/nlkit/nlkit/rtnl"
	"golang.org/x/sys/unix"
)

// The speed of `nl [-j] OBJECT show` on large tables (issue 20, item 7):
// what a user sees when nl lists 200,000 routes, 100,000 neighbours or
// addresses, 2,000 links. Each is measured three ways against the raw
// dump of the same table (the floor: recvmsg, bytes only, the same request
// nl sends) in the same rounds, taking turns:
//
//   - nl in process: cli.RunProgram writing to a counting writer, the whole
//     command (options, namespace, name cache, dump, formatting, output);
//     this row gives allocations per object;
//   - nl as a built binary (go build ./cmd/nl), its output to /dev/null:
//     what users see, with the process's start and its own peak RSS;
//   - ip (iproute2), exec'd the same way, for reference.

// showTableRoute is route i of the show workload, in the main table:
// 198.18.0.0/15 holds 131,072 /32s, then 65,536 /31s, 32,768 /30s ... so
// that up to 262,143 routes fit in the test range, every one distinct.
func showTableRoute(i int, link int32) rtnl.Route {
	bits := 32
	for span := 131072; i >= span && bits > 15; span >>= 1 {
		i -= span
		bits--
	}
	a := 198<<24 | 18<<16 + uint32(i)<<(32-bits)
	return rtnl.Route{
		Dst:      netip.PrefixFrom(netip.AddrFrom4([4]byte{byte(a >> 24), byte(a >> 16), byte(a >> 8), byte(a)}), bits),
		Table:    rtnl.TableMain,
		OutIndex: link,
		Protocol: rtnl.ProtoStatic,
		Family:   rtnl.FamilyIPv4,
		Type:     rtnl.RouteUnicast,
		Scope:    rtnl.ScopeLink,
	}
}

// countWriter counts what nl writes, so that the output is produced in
// full but not kept.
type countWriter struct{ n int64 }

func (w *countWriter) Write(b []byte) (int, error) { w.n += int64(len(b)); return len(b), nil }

// showRunEnv makes the bench binary a launcher (see init): it runs the
// command in its arguments with its output to /dev/null and prints the
// command's wall time, CPU time and peak RSS. The launcher is a small
// process: on Linux a child's peak RSS includes the memory of the process
// it was forked from (the kernel keeps the larger of the RSS before and
// after exec), so a command started from the bench itself, whose heap
// holds the tables, would report the bench's RSS as its own.
const showRunEnv = "NLKIT_BENCH_SHOWRUN"

func init() {
	if os.Getenv(showRunEnv) == "" {
		return
	}
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	cmd := exec.Command(os.Args[1], os.Args[2:]...)
	cmd.Stdout, cmd.Stderr = devnull, os.Stderr
	cmd.Env = slices.DeleteFunc(os.Environ(), func(s string) bool { return strings.HasPrefix(s, showRunEnv+"=") })
	t0 := time.Now()
	err = cmd.Run()
	wall := time.Since(t0)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var rss int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = ru.Maxrss << 10
	}
	fmt.Println(int64(wall), int64(cmd.ProcessState.UserTime()), int64(cmd.ProcessState.SystemTime()), rss)
	os.Exit(0)
}

// timeExec runs a command through the launcher (showRunEnv) and returns
// its measure: wall, CPU and peak RSS are the command's own.
func timeExec(objects int, bin string, args ...string) (measure, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.Command("/proc/self/exe", append([]string{bin}, args...)...)
	cmd.Env = append(os.Environ(), showRunEnv+"=1")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return measure{}, fmt.Errorf("%s %v: %v: %s", filepath.Base(bin), args, err, stderr.Bytes())
	}
	var wall, user, sys, rss int64
	if _, err := fmt.Sscan(stdout.String(), &wall, &user, &sys, &rss); err != nil {
		return measure{}, fmt.Errorf("launcher: %q: %v", stdout.String(), err)
	}
	return measure{wall: time.Duration(wall), user: time.Duration(user), sys: time.Duration(sys), objects: objects, peakRSS: rss}, nil
}

// showTable is one `show` workload: the command's words and the floor's
// dumps (one, or several whose objects add up).
type showTable struct {
	what   string
	args   []string
	floors []func() (int, error)
	unit   string
}

// benchIPShow: nl [-j] route|neigh|address|link show against the floor
// and ip, in one namespace: first the routes alone (the main table and
// one link, as on a router), then the links, addresses and neighbours
// (whose addresses add local routes).
func benchIPShow(ctx context.Context, o options) ([]result, error) {
	// nl, built as users run it.
	dir, err := os.MkdirTemp("", "nlkit-bench-show")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	nlBin := filepath.Join(dir, "nl")
	if out, err := exec.Command("go", "build", "-o", nlBin, "./cmd/nl").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build ./cmd/nl (run from the repository's root): %v: %s", err, out)
	}
	ipBin, _ := exec.LookPath("ip")

	name := fmt.Sprintf("nlkit-bench-show-%d", os.Getpid())
	ns, err := netns.NewNamed(name)
	if err != nil {
		return nil, fmt.Errorf("creating a namespace (run as root): %w", err)
	}
	defer netns.DeleteNamed(name)
	defer ns.Close()
	c, err := rtnl.Dial(&netlink.Config{NetNS: ns, ReceiveBuffer: 8 << 20, SendBuffer: 8 << 20})
	if err != nil {
		return nil, err
	}
	defer c.Close()
	raw, err := openRaw(ns, unix.NETLINK_ROUTE, 0)
	if err != nil {
		return nil, err
	}
	defer raw.close()
	buf := make([]byte, 1<<20)
	dump := func(typ uint16, body []byte) func() (int, error) {
		return func() (int, error) { return raw.dump(typ, body, buf) }
	}
	// The requests nl sends (ip's differ only in ip's IFLA_EXT_MASK).
	rtmsg := []byte{unix.AF_INET, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	ndmsg := []byte{unix.AF_UNSPEC, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	ifaddrmsg := []byte{unix.AF_UNSPEC, 0, 0, 0, 0, 0, 0, 0}
	ifinfomsg := make([]byte, 16)

	var out []result
	measureTables := func(tables ...showTable) error {
		for _, t := range tables {
			floor := func() (int, error) {
				total := 0
				for _, f := range t.floors {
					n, err := f()
					if err != nil {
						return total, err
					}
					total += n
				}
				return total, nil
			}
			for _, js := range []bool{false, true} {
				args := slices.Clone(t.args)
				label := "nl " + t.what + " show"
				if js {
					args = append([]string{"-j"}, args...)
					label = "nl -j " + t.what + " show"
				}
				r, err := showRounds(ctx, o, name, nlBin, ipBin, args, floor)
				if err != nil {
					return fmt.Errorf("%s: %w", label, err)
				}
				w := fmt.Sprintf("%s, %d %s", label, r[0].m.objects, t.unit)
				cpu := func(i int) string { return fmt.Sprintf("CPU %.2f x floor's", cpuRatio(r[0].runs, r[i].runs)) }
				out = append(out,
					result{workload: w, path: "raw recvmsg (floor)", m: r[0].m},
					result{workload: w, path: "nl in process", m: r[1].m, ratio: r[1].ratio, note: "target <= 2; " + cpu(1) + "; " + r[1].note},
					result{workload: w, path: "nl binary > /dev/null", m: r[2].m, ratio: r[2].ratio, note: "target <= 2; " + cpu(2)})
				if ipBin != "" {
					out = append(out, result{workload: w, path: "ip > /dev/null", m: r[3].m, ratio: r[3].ratio, note: "reference; " + cpu(3)})
				}
			}
		}
		return nil
	}

	t0 := time.Now()
	link, err := (&env{ns: ns, c: c}).upLink(ctx, "r0")
	if err != nil {
		return nil, err
	}
	if err := c.AddRoutesSeq(ctx, func(yield func(rtnl.Route) bool) {
		for i := range o.showRoutes {
			if !yield(showTableRoute(i, link)) {
				return
			}
		}
	}); err != nil {
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "  %d routes made in %v\n", o.showRoutes, time.Since(t0).Round(time.Millisecond))
	if err := measureTables(showTable{"route", []string{"route", "show"}, []func() (int, error){dump(unix.RTM_GETROUTE, rtmsg)}, "routes"}); err != nil {
		return nil, err
	}

	t0 = time.Now()
	for i := range o.links / 2 {
		if err := c.AddLink(ctx, rtnl.Link{Name: fmt.Sprintf("a%d", i), Info: &rtnl.Veth{PeerName: fmt.Sprintf("b%d", i)}}); err != nil {
			return nil, err
		}
	}
	var idx []int32
	for l, err := range c.Links(ctx, rtnl.LinkFilter{Kind: "veth"}) {
		if err != nil {
			return nil, err
		}
		idx = append(idx, l.Index)
	}
	if len(idx) == 0 {
		return nil, fmt.Errorf("no links")
	}
	addrs := make([]rtnl.Address, o.addrs)
	for i := range addrs {
		addrs[i] = rtnl.Address{Index: idx[i%len(idx)], Prefix: netip.PrefixFrom(testAddr(i), 32)}
	}
	if err := c.AddAddresses(ctx, addrs); err != nil {
		return nil, err
	}
	addrs = nil
	neighs := make([]rtnl.Neighbor, o.neighs)
	for i := range neighs {
		neighs[i] = rtnl.Neighbor{Index: idx[i%len(idx)], Addr: testAddr(i),
			LinkAddr: net.HardwareAddr{2, 0, byte(i >> 16), byte(i >> 8), byte(i), 1}, State: rtnl.NeighborPermanent}
	}
	if err := c.AddNeighbors(ctx, neighs); err != nil {
		return nil, err
	}
	neighs = nil
	fmt.Fprintf(os.Stderr, "  %d links, %d addresses, %d neighbours made in %v\n", len(idx), o.addrs, o.neighs, time.Since(t0).Round(time.Millisecond))
	err = measureTables(
		showTable{"neigh", []string{"neigh", "show"}, []func() (int, error){dump(unix.RTM_GETNEIGH, ndmsg)}, "neighbours"},
		// ip and nl both dump the links, then the addresses, and print
		// each link with its addresses.
		showTable{"address", []string{"address", "show"}, []func() (int, error){dump(unix.RTM_GETLINK, ifinfomsg), dump(unix.RTM_GETADDR, ifaddrmsg)}, "links + addresses"},
		showTable{"link", []string{"link", "show"}, []func() (int, error){dump(unix.RTM_GETLINK, ifinfomsg)}, "links"},
	)
	if err != nil {
		return nil, err
	}
	// What every command costs besides its table: the process's start,
	// the namespace, the socket and one request (the binary rows include
	// it; on the 2,000 links it is a large part).
	var starts [2][]measure
	for range max(o.reps, 10) {
		for i, bin := range []string{nlBin, ipBin} {
			if bin == "" {
				continue
			}
			m, err := timeExec(1, bin, "-n", name, "link", "show", "dev", "lo")
			if err != nil {
				return nil, err
			}
			starts[i] = append(starts[i], m)
		}
	}
	w := "link show dev lo: a command's fixed cost"
	out = append(out, result{workload: w, path: "nl binary > /dev/null", m: median(starts[0]), note: "start, namespace, socket, one request"})
	if ipBin != "" {
		out = append(out, result{workload: w, path: "ip > /dev/null", m: median(starts[1]), note: "reference"})
	} else {
		out = append(out, result{workload: "nl show", path: "ip", note: "ip not installed (iproute2): no reference rows"})
	}
	return out, nil
}

// cpuRatio is the median over rounds of a path's CPU time (user+system)
// over the floor's: steadier than wall time on a loaded machine, where a
// run's wall time is mostly waiting for a CPU.
func cpuRatio(floor, path []measure) float64 {
	var rs []float64
	for i := range min(len(floor), len(path)) {
		if f := floor[i].user + floor[i].sys; f > 0 {
			rs = append(rs, (path[i].user+path[i].sys).Seconds()/f.Seconds())
		}
	}
	if len(rs) == 0 {
		return 0
	}
	slices.Sort(rs)
	return rs[len(rs)/2]
}

// showPath is one path's runs and note.
type showPath struct {
	timed
	note string
}

// showRounds measures the floor, nl in process, the nl binary and ip (if
// installed) on `[-j] OBJECT show` in namespace name, taking turns, round
// after round; ratios are the medians of the per-round ratios.
func showRounds(ctx context.Context, o options, name, nlBin, ipBin string, args []string, floor func() (int, error)) ([]showPath, error) {
	nsArgs := append([]string{"-n", name}, args...)
	paths := make([]showPath, 4)
	var outBytes int64
	n := max(o.reps, 1)
	for round := 0; round < n; round++ {
		fm, err := timeIt(false, floor)
		if err != nil {
			return nil, err
		}
		objects := fm.objects
		var cw countWriter
		var stderr bytes.Buffer
		im, err := timeIt(false, func() (int, error) {
			if code := cli.RunProgram(ctx, "nl", nsArgs, nil, &cw, &stderr); code != 0 {
				return 0, fmt.Errorf("nl %v: exit %d: %s", nsArgs, code, stderr.Bytes())
			}
			return objects, nil
		})
		if err != nil {
			return nil, err
		}
		outBytes = cw.n
		bm, err := timeExec(objects, nlBin, nsArgs...)
		if err != nil {
			return nil, err
		}
		ms := []measure{fm, im, bm}
		if ipBin != "" {
			pm, err := timeExec(objects, ipBin, nsArgs...)
			if err != nil {
				return nil, err
			}
			ms = append(ms, pm)
		}
		for i, m := range ms {
			paths[i].runs = append(paths[i].runs, m)
		}
		if round == 0 && fm.wall > 0 {
			// Short dumps get more rounds (as rounds does), up to 20: the
			// processes' start dominates them.
			n = max(n, min(20, int(300*time.Millisecond/fm.wall)))
		}
	}
	for i := range paths {
		if len(paths[i].runs) == 0 {
			continue
		}
		paths[i].m = median(paths[i].runs)
		paths[i].ratio = pairedRatio(paths[0].timed, paths[i].timed)
	}
	paths[1].note = fmt.Sprintf("%.1f MB out", float64(outBytes)/1e6)
	return paths, nil
}
