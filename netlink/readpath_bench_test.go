package netlink

import (
	"encoding/binary"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// BenchmarkDumpCPU is BenchmarkDump's comparison (an address dump through
// Conn.Dump against a raw recvmsg loop) with the process's CPU time
// (user+sys, getrusage) per dump as well as the wall time: on a shared
// machine the wall time moves with the neighbours' load, the CPU time
// much less. Floor and Dump take turns, dump after dump.
//
//	go test -run '^$' -bench DumpCPU -benchtime 200x ./netlink
func BenchmarkDumpCPU(b *testing.B) {
	c, ns := dialRoute(b, &Config{ReceiveBuffer: 4 << 20})
	const n = 20000
	addAddrs(b, c, 0, n)
	req := Message{Header: Header{Type: rtmGetAddr}, Data: ifaddrmsg(unix.AF_INET, 0, 0)}
	ctx := testCtx(b)
	var fd int
	if err := ns.Do(func() (err error) {
		fd, err = unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
		return err
	}); err != nil {
		b.Fatal(err)
	}
	defer unix.Close(fd)
	unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, 4<<20)
	buf := make([]byte, 1<<20)
	wire, _ := AppendMessage(nil, Header{Type: rtmGetAddr, Flags: Request | Dump, Sequence: 1}, req.Data)
	floor := func() int {
		if err := unix.Sendto(fd, wire, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
			b.Fatal(err)
		}
		count := 0
		for {
			m, err := unix.Read(fd, buf)
			if err != nil {
				b.Fatal(err)
			}
			for off := 0; off+HeaderLen <= m; {
				l := int(binary.NativeEndian.Uint32(buf[off:]))
				if binary.NativeEndian.Uint16(buf[off+4:]) == uint16(TypeDone) {
					return count
				}
				count++
				off += Align(l)
			}
		}
	}
	dump := func() int {
		count := 0
		for _, err := range c.Dump(ctx, req) {
			if err != nil {
				b.Fatal(err)
			}
			count++
		}
		return count
	}
	cpu := func() time.Duration {
		var ru syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	var floorCPU, dumpCPU, floorWall, dumpWall time.Duration
	dumps := 0
	for b.Loop() {
		for i, fn := range []func() int{floor, dump} {
			c0, w0 := cpu(), time.Now()
			if got := fn(); got != n+1 {
				b.Fatalf("counted %d messages, want %d", got, n+1)
			}
			dc, dw := cpu()-c0, time.Since(w0)
			if i == 0 {
				floorCPU, floorWall = floorCPU+dc, floorWall+dw
			} else {
				dumpCPU, dumpWall = dumpCPU+dc, dumpWall+dw
			}
		}
		dumps++
	}
	b.ReportMetric(float64(floorCPU.Microseconds())/float64(dumps), "floor-cpu-µs/dump")
	b.ReportMetric(float64(dumpCPU.Microseconds())/float64(dumps), "dump-cpu-µs/dump")
	b.ReportMetric(float64(dumpCPU)/float64(floorCPU), "cpu-x-floor")
	b.ReportMetric(float64(dumpWall)/float64(floorWall), "wall-x-floor")
}
