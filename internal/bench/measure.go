package main

import (
	"bytes"
	"cmp"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
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
// The heap is collected first but keeps its memory: the run is warm, as
// in a long-running program that lists again.
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

// timed is a path's result over several rounds: its median run, and the
// median of its per-round ratios to the floor.
type timed struct {
	m     measure
	ratio float64
	runs  []measure // in round order
}

// median is the run of median wall time.
func median(runs []measure) measure {
	byWall := slices.Clone(runs)
	slices.SortFunc(byWall, func(a, b measure) int { return cmp.Compare(a.wall, b.wall) })
	return byWall[len(byWall)/2]
}

// pairedRatio is the median over rounds of path's wall time over floor's.
func pairedRatio(floor, path timed) float64 {
	ratios := make([]float64, min(len(floor.runs), len(path.runs)))
	for i := range ratios {
		ratios[i] = path.runs[i].wall.Seconds() / floor.runs[i].wall.Seconds()
	}
	slices.Sort(ratios)
	return ratios[len(ratios)/2]
}

// rounds runs a floor (fns[0]) and the paths (fns[1:]) in turn, round
// after round, and returns for each its median run and the median of its
// ratios to the floor's run in the same round. Taking turns and pairing
// by round let both sides meet the same noise, which on a shared VM comes
// in bursts longer than one run. Short workloads get more rounds than
// reps: until the floor has run for about half a second, up to 50. rss[i]
// says whether fns[i]'s peak RSS is measured.
func rounds(reps int, rss []bool, fns ...func() (int, error)) ([]timed, error) {
	runs := make([][]measure, len(fns))
	n := max(reps, 1)
	for i := 0; i < n; i++ {
		for j, fn := range fns {
			m, err := timeIt(j < len(rss) && rss[j], fn)
			if err != nil {
				return nil, err
			}
			runs[j] = append(runs[j], m)
		}
		if i == 0 && runs[0][0].wall > 0 {
			n = max(n, min(50, int(500*time.Millisecond/runs[0][0].wall)))
		}
	}
	out := make([]timed, len(fns))
	for j := range fns {
		out[j] = timed{m: median(runs[j]), runs: runs[j]}
		out[j].ratio = pairedRatio(timed{runs: runs[0]}, out[j])
	}
	return out, nil
}

// warmCold measures fn once cold, with every free page of the heap given
// back to the system first (so that the memory it allocates has to be
// faulted in again, as in a program's first large list), then reps times
// warm. It returns the median warm run and the cold run.
func warmCold(reps int, rss bool, fn func() (int, error)) (warm, cold measure, err error) {
	debug.FreeOSMemory()
	if cold, err = timeIt(rss, fn); err != nil {
		return warm, cold, err
	}
	runs := make([]measure, 0, reps)
	for range max(reps, 1) {
		m, err := timeIt(rss, fn)
		if err != nil {
			return warm, cold, err
		}
		runs = append(runs, m)
	}
	return median(runs), cold, nil
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
