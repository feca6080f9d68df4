package rtnl

import (
	"context"
	"errors"
	"net/netip"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netlink"
)

// benchRoutes is the size of the install benchmarks: NLKIT_BENCH_ROUTES,
// default 1,000,000.
func benchRoutes() int {
	if n, err := strconv.Atoi(os.Getenv("NLKIT_BENCH_ROUTES")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

// BenchmarkWatchInstall installs NLKIT_BENCH_ROUTES routes in a namespace
// while a watcher with an 8 MiB buffer consumes the events, and reports
// what it received against what the kernel produced.
func BenchmarkWatchInstall(b *testing.B) {
	n := benchRoutes()
	for b.Loop() {
		ns := kerneltest.NetNS(b)
		c := testDial(b, ns)
		idx := evIfb(b, c, "bench0")
		ctx, cancel := context.WithCancel(context.Background())
		var events, overruns atomic.Int64
		var last atomic.Int64
		done := make(chan struct{})
		go func() {
			defer close(done)
			for _, err := range Events(ctx, &netlink.Config{NetNS: ns, ReceiveBuffer: 8 << 20}, GroupIPv4Route) {
				if errors.Is(err, netlink.ErrOverrun) {
					overruns.Add(1)
					continue
				}
				if err != nil {
					return
				}
				events.Add(1)
				last.Store(time.Now().UnixNano())
			}
		}()
		time.Sleep(50 * time.Millisecond)
		seq := func(yield func(Route) bool) {
			for i := range n {
				dst := netip.PrefixFrom(netip.AddrFrom4([4]byte{10 + byte(i>>24&0x3f), byte(i >> 16), byte(i >> 8), byte(i)}), 32)
				if !yield(Route{Dst: dst, OutIndex: idx}) {
					return
				}
			}
		}
		t0 := time.Now()
		if err := c.AddRoutesSeq(ctx, seq); err != nil {
			b.Fatal(err)
		}
		produced := time.Since(t0)
		// Wait until the watcher has been idle for 200 ms.
		for time.Since(time.Unix(0, last.Load())) < 200*time.Millisecond {
			time.Sleep(50 * time.Millisecond)
		}
		consumed := time.Duration(last.Load() - t0.UnixNano())
		cancel()
		<-done
		b.ReportMetric(float64(n), "routes")
		b.ReportMetric(float64(events.Load()), "events")
		b.ReportMetric(float64(overruns.Load()), "overruns")
		b.ReportMetric(float64(n)/produced.Seconds(), "kernel-routes/s")
		b.ReportMetric(float64(events.Load())/consumed.Seconds(), "events/s")
	}
}
