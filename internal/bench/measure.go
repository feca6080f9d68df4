package main

import (
	"bytes"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// measure is what one run of a workload cost.
type measure struct {
	wall, user, sys time.Duration
	allocs, bytes   uint64
	objects         int
	peakRSS         int64 // bytes; 0 when not measured
}

func (m measure) allocsPer() float64 {
	if m.objects == 0 {
		return 0
	}
	return float64(m.allocs) / float64(m.objects)
}

func (m measure) bytesPer() float64 {
	if m.objects == 0 {
		return 0
	}
	return float64(m.bytes) / float64(m.objects)
}

// timeIt runs fn once and measures it; fn returns the number of objects it
// handled. With rss, the process's peak RSS is reset first and read after.
func timeIt(rss bool, fn func() (int, error)) (measure, error) {
	runtime.GC()
	if rss {
		resetPeakRSS()
	}
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	var ru0, ru1 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
	t0 := time.Now()
	n, err := fn()
	wall := time.Since(t0)
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
	runtime.ReadMemStats(&ms1)
	m := measure{
		wall:    wall,
		user:    tv(ru1.Utime) - tv(ru0.Utime),
		sys:     tv(ru1.Stime) - tv(ru0.Stime),
		allocs:  ms1.Mallocs - ms0.Mallocs,
		bytes:   ms1.TotalAlloc - ms0.TotalAlloc,
		objects: n,
	}
	if rss {
		m.peakRSS = peakRSS()
	}
	return m, err
}

// best runs timeIt reps times and keeps the fastest.
func best(reps int, rss bool, fn func() (int, error)) (measure, error) {
	var b measure
	for i := range max(reps, 1) {
		m, err := timeIt(rss, fn)
		if err != nil {
			return m, err
		}
		if i == 0 || m.wall < b.wall {
			b = m
		}
	}
	return b, nil
}

func tv(t syscall.Timeval) time.Duration {
	return time.Duration(t.Sec)*time.Second + time.Duration(t.Usec)*time.Microsecond
}

// resetPeakRSS resets VmHWM (writing 5 to clear_refs, see proc(5)).
func resetPeakRSS() { os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS reads VmHWM from /proc/self/status.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range bytes.Split(b, []byte("\n")) {
		if rest, ok := bytes.CutPrefix(line, []byte("VmHWM:")); ok {
			f := strings.Fields(string(rest))
			if len(f) >= 1 {
				kb, _ := strconv.ParseInt(f[0], 10, 64)
				return kb << 10
			}
		}
	}
	return 0
}

func kernelRelease() string {
	var u syscall.Utsname
	if syscall.Uname(&u) != nil {
		return "linux"
	}
	var b strings.Builder
	for _, c := range u.Release {
		if c == 0 {
			break
		}
		b.WriteByte(byte(c))
	}
	return "Linux " + b.String()
}
