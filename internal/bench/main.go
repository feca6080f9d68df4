// Command bench measures nlkit against the kernel's floor: for each
// workload, a minimal program that only moves the kernel's bytes (raw
// sendmsg/recvmsg, no decoding) runs in the same throwaway namespace, and
// nlkit's paths are reported as ratios to it. Sizes are flags; the defaults
// finish in a few minutes on a 2-core machine. It needs root (it creates
// namespaces) and exits non-zero only on an error, never on a slow figure.
//
//	go run ./internal/bench                 # everything, default sizes
//	go run ./internal/bench -routes 100000  # smaller
//	go run ./internal/bench -only links -cpuprofile /tmp/cpu.prof
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"strings"
	"text/tabwriter"
	"time"
)

type options struct {
	routes   int
	onebyone int
	links    int
	addrs    int
	neighs   int
	lookups  int
	flows    int
	policies int
	nflog    int
	sockets  int
	reps     int
	aevents  int
	arules   int
	only     string
	cpuprof  string
	trace    string
	packets  int

	ynlRoutes, ynlLinks int    // ynl.go
	ynlSpecs            string // ynl.go

	showRoutes int // ipshow.go
}

func main() {
	var o options
	flag.IntVar(&o.routes, "routes", 1_000_000, "IPv4 routes to install, dump and delete")
	flag.IntVar(&o.onebyone, "onebyone", 50_000, "routes to install with one request each (the one-by-one API)")
	flag.IntVar(&o.showRoutes, "showroutes", 200_000, "routes in the main table for nl [-j] route show (ipshow)")
	flag.IntVar(&o.links, "links", 2000, "links to dump (veth pairs: half as many pairs)")
	flag.IntVar(&o.addrs, "addrs", 100_000, "IPv4 addresses to dump (spread over the links)")
	flag.IntVar(&o.neighs, "neighs", 100_000, "neighbour entries to dump (spread over the links)")
	flag.IntVar(&o.lookups, "lookups", 10_000, "single lookups to time per kind")
	flag.IntVar(&o.flows, "flows", 200_000, "conntrack flows to create, dump and delete (nf_conntrack_max is 262,144 in a namespace)")
	flag.IntVar(&o.policies, "policies", 100_000, "xfrm policies to install and dump")
	flag.IntVar(&o.nflog, "nflog", 100_000, "NFLOG entries to log and drain per round")
	flag.IntVar(&o.sockets, "sockets", 50_000, "TCP connections on loopback to dump with tcp_info (sock_diag; twice as many sockets)")
	flag.IntVar(&o.reps, "reps", 5, "rounds of each dump measurement, floor and paths taking turns (medians are kept; short dumps get more rounds)")
	flag.IntVar(&o.packets, "packets", 100_000, "UDP packets to queue and verdict per round (NFQUEUE)")
	flag.StringVar(&o.only, "only", "", "run only this workload: routes, install, links, addrs, neighs, lookups, nfqueue, conntrack, ynl, xfrm, nflog, audit, sockdiag, ipshow")
	flag.IntVar(&o.aevents, "auditevents", 100_000, "audited system calls of the audit storm (audit workload)")
	flag.IntVar(&o.arules, "auditrules", 1000, "audit rules to list (audit workload)")
	flag.StringVar(&o.cpuprof, "cpuprofile", "", "write a CPU profile of the whole run to this file (go tool pprof)")
	flag.StringVar(&o.trace, "trace", "", "write an execution trace of the whole run to this file (go tool trace)")
	flag.IntVar(&o.ynlRoutes, "ynlroutes", 100_000, "ynl: IPv4 routes to dump through hand-written, generated and runtime clients")
	flag.IntVar(&o.ynlLinks, "ynllinks", 50, "ynl: extra links whose netdev devices are dumped")
	flag.StringVar(&o.ynlSpecs, "ynlspecs", "ynl/testdata/specs", "ynl: directory of the specs (run from the repository's root)")
	flag.Parse()
	maybeHold()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// result is one line of the table.
type result struct {
	workload, path string
	m              measure
	floor          *measure // a single-run floor to divide by, or nil
	ratio          float64  // the median per-round ratio to the floor, or 0
	note           string
}

func run(ctx context.Context, o options) error {
	fmt.Printf("nlkit bench: %s, %d CPUs, %s\n", runtime.Version(), runtime.NumCPU(), kernelRelease())
	for _, p := range []struct {
		path  string
		start func(io.Writer) error
		stop  func()
	}{{o.cpuprof, pprof.StartCPUProfile, pprof.StopCPUProfile}, {o.trace, trace.Start, trace.Stop}} {
		if p.path == "" {
			continue
		}
		f, err := os.Create(p.path)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := p.start(f); err != nil {
			return err
		}
		defer p.stop()
	}
	var results []result
	want := func(name string) bool { return o.only == "" || o.only == name }
	steps := []struct {
		name string
		fn   func(context.Context, options) ([]result, error)
	}{
		{"routes", benchRouteDump},
		{"install", benchInstall},
		{"links", benchLinks},
		{"addrs", benchAddrsNeighs},
		{"lookups", benchLookups},
		{"nfqueue", benchNfqueue},
		{"conntrack", benchConntrack},
		{"ynl", benchYnl},
		{"xfrm", benchXfrm},
		{"nflog", benchNFLOG},
		{"audit", benchAudit},
		{"sockdiag", benchSockDiag},
		{"ipshow", benchIPShow},
	}
	for _, s := range steps {
		if !want(s.name) {
			continue
		}
		t0 := time.Now()
		r, err := s.fn(ctx, o)
		if err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		results = append(results, r...)
		fmt.Fprintf(os.Stderr, "  %s done in %v\n", s.name, time.Since(t0).Round(time.Millisecond))
	}
	printTable(results)
	fmt.Println(`wall: median run. x floor: for the small dumps and the changes, the median of per-round ratios
(floor and path taking turns; up to 3 rounds of changes, 5 of the xfrm install); for the route dump, the median warm run (the heap keeps
its memory between runs, as in a program that lists again) over the median floor, and "cold" the first run with
the heap's free memory given back to the system first.`)
	return nil
}

func printTable(results []result) {
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "workload\tpath\twall\tx floor\tuser\tsys\tallocs/obj\tB/obj\tpeak RSS\tnote\t")
	for _, r := range results {
		ratio := "-"
		if strings.Contains(r.path, "(floor)") {
			ratio = "floor"
		}
		switch {
		case r.ratio != 0:
			ratio = fmt.Sprintf("%.2f", r.ratio)
		case r.floor != nil:
			ratio = fmt.Sprintf("%.2f", r.m.wall.Seconds()/r.floor.wall.Seconds())
		}
		rss := ""
		if r.m.peakRSS > 0 {
			rss = fmt.Sprintf("%.1f MiB", float64(r.m.peakRSS)/(1<<20))
		}
		fmt.Fprintf(w, "%s\t%s\t%v\t%s\t%v\t%v\t%.2f\t%.0f\t%s\t%s\t\n", r.workload, r.path,
			r.m.wall.Round(time.Microsecond), ratio, r.m.user.Round(time.Millisecond), r.m.sys.Round(time.Millisecond),
			r.m.allocsPer(), r.m.bytesPer(), rss, r.note)
	}
	w.Flush()
}
