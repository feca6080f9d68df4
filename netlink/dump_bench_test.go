package netlink

import (
	"encoding/binary"
	"testing"

	"golang.org/x/sys/unix"
)

// BenchmarkDump compares streaming a dump of 10,000 addresses through
// Conn.Dump with the floor: a raw recvmsg loop on a plain socket that only
// counts messages (1 MiB buffer). Both read the same namespace.
func BenchmarkDump(b *testing.B) {
	c, ns := dialRoute(b, &Config{ReceiveBuffer: 4 << 20})
	const n = 10000
	addAddrs(b, c, 0, n)
	req := Message{Header: Header{Type: rtmGetAddr}, Data: ifaddrmsg(unix.AF_INET, 0, 0)}
	ctx := testCtx(b)

	b.Run("floor", func(b *testing.B) {
		var fd int
		if err := ns.Do(func() (err error) {
			fd, err = unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
			return err
		}); err != nil {
			b.Fatal(err)
		}
		defer unix.Close(fd)
		buf := make([]byte, 1<<20)
		wire, _ := AppendMessage(nil, Header{Type: rtmGetAddr, Flags: Request | Dump, Sequence: 1}, req.Data)
		b.ReportAllocs()
		for b.Loop() {
			if err := unix.Sendto(fd, wire, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
				b.Fatal(err)
			}
			count := 0
		read:
			for {
				m, err := unix.Read(fd, buf)
				if err != nil {
					b.Fatal(err)
				}
				for off := 0; off+HeaderLen <= m; {
					l := int(binary.NativeEndian.Uint32(buf[off:]))
					if binary.NativeEndian.Uint16(buf[off+4:]) == uint16(TypeDone) {
						break read
					}
					count++
					off += Align(l)
				}
			}
			if count != n+1 {
				b.Fatalf("floor counted %d", count)
			}
		}
		b.ReportMetric(float64(n+1), "msgs/op")
	})
	b.Run("Dump", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			count := 0
			for _, err := range c.Dump(ctx, req) {
				if err != nil {
					b.Fatal(err)
				}
				count++
			}
			if count != n+1 {
				b.Fatalf("Dump yielded %d", count)
			}
		}
		b.ReportMetric(float64(n+1), "msgs/op")
	})
}
