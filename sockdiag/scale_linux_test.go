//go:build linux

package sockdiag

import (
	"bufio"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netns"
)

// helperEnv, when set, makes the test binary a helper process that holds
// TCP connections in a namespace (see helperMain): one process may open
// only 20,000 files here, so 50,000 connections (100,000 sockets) need
// several.
const helperEnv = "NLKIT_SOCKDIAG_HOLD"

// helperMain holds connections: NLKIT_SOCKDIAG_HOLD="NSPATH ADDR PORT N"
// listens on ADDR:PORT inside the namespace at NSPATH, connects N times
// from ADDR to it and accepts each, prints "ready", and keeps them until
// its standard input closes.
func helperMain() int {
	f := strings.Fields(os.Getenv(helperEnv))
	if len(f) != 4 {
		fmt.Fprintln(os.Stderr, "bad", helperEnv)
		return 2
	}
	port, _ := strconv.Atoi(f[2])
	n, _ := strconv.Atoi(f[3])
	if err := holdConnections(f[0], netip.MustParseAddr(f[1]), port, n); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println("ready")
	io.Copy(io.Discard, os.Stdin)
	return 0
}

func holdConnections(nsPath string, addr netip.Addr, port, n int) error {
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err == nil {
		lim.Cur = lim.Max
		unix.Setrlimit(unix.RLIMIT_NOFILE, &lim)
	}
	ns, err := netns.OpenPath(nsPath)
	if err != nil {
		return err
	}
	defer ns.Close()
	sa := &unix.SockaddrInet4{Port: port, Addr: addr.As4()}
	var lfd int
	if err := ns.Do(func() error {
		var err error
		if lfd, err = unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0); err != nil {
			return err
		}
		unix.SetsockoptInt(lfd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1)
		if err := unix.Bind(lfd, sa); err != nil {
			return err
		}
		if err := unix.Listen(lfd, 4096); err != nil {
			return err
		}
		for i := range n {
			c, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
			if err != nil {
				return fmt.Errorf("socket %d: %w", i, err)
			}
			if err := unix.Bind(c, &unix.SockaddrInet4{Addr: addr.As4()}); err != nil {
				return fmt.Errorf("bind %d: %w", i, err)
			}
			if err := unix.Connect(c, sa); err != nil {
				return fmt.Errorf("connect %d: %w", i, err)
			}
			if _, _, err := unix.Accept4(lfd, unix.SOCK_CLOEXEC); err != nil {
				return fmt.Errorf("accept %d: %w", i, err)
			}
		}
		return nil
	}); err != nil {
		return err
	}
	return nil
}

// holders starts procs helper processes holding n connections each in
// the namespace at nsPath, on addresses 198.18.1.P (which the caller put
// on lo) port 9000, and returns when all are ready. They exit at cleanup.
func holders(t testing.TB, nsPath string, procs, n int) {
	t.Helper()
	var outs []*bufio.Reader
	for p := range procs {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s 198.18.1.%d 9000 %d", helperEnv, nsPath, p+1, n))
		stdin, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			stdin.Close()
			cmd.Wait()
		})
		outs = append(outs, bufio.NewReader(stdout))
	}
	for p, out := range outs {
		line, err := out.ReadString('\n')
		if err != nil || line != "ready\n" {
			t.Fatalf("helper %d: %q %v", p, line, err)
		}
	}
}

// 50,000 TCP connections on loopback (100,000 sockets, held by six
// processes): one dump lists every one exactly once, with tcp_info.
func TestInetSockets50k(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	const procs, perProc = 6, 8334 // 50,004 connections
	ns, name := kerneltest.NamedNetNS(t)
	for p := range procs {
		kerneltest.Run(t, ns, "ip", "addr", "add", fmt.Sprintf("198.18.1.%d/32", p+1), "dev", "lo")
	}
	start := time.Now()
	holders(t, "/run/netns/"+name, procs, perProc)
	t.Logf("%d connections made in %v", procs*perProc, time.Since(start))
	c := testDial(t, ns)
	start = time.Now()
	type end struct{ client, server bool }
	seen := map[[2]netip.AddrPort]end{}
	cookies := make(map[uint64]bool, 2*procs*perProc)
	listeners, info := 0, 0
	for s, err := range c.InetSockets(bg, &InetFilter{Family: unix.AF_INET, Extensions: ExtInfo}) {
		if err != nil {
			t.Fatal(err)
		}
		if cookies[s.ID.Cookie] {
			t.Fatalf("%v listed twice", s)
		}
		cookies[s.ID.Cookie] = true
		if s.TCPInfo.Len > 0 {
			info++
		}
		switch {
		case s.State == StateListen:
			listeners++
		case s.State != StateEstablished:
			t.Errorf("%v", s)
		case s.ID.Dst.Port() == 9000: // the client end
			k := [2]netip.AddrPort{s.ID.Src, s.ID.Dst}
			e := seen[k]
			if e.client {
				t.Fatalf("client %v twice", s)
			}
			e.client = true
			seen[k] = e
		case s.ID.Src.Port() == 9000: // the server end
			k := [2]netip.AddrPort{s.ID.Dst, s.ID.Src}
			e := seen[k]
			if e.server {
				t.Fatalf("server %v twice", s)
			}
			e.server = true
			seen[k] = e
		}
	}
	elapsed := time.Since(start)
	if listeners != procs || len(seen) != procs*perProc || info != len(cookies) {
		t.Errorf("%d listeners, %d connections, %d sockets with tcp_info of %d", listeners, len(seen), info, len(cookies))
	}
	for k, e := range seen {
		if !e.client || !e.server {
			t.Fatalf("%v: client end %v, server end %v", k, e.client, e.server)
		}
	}
	t.Logf("dumped %d sockets with tcp_info in %v", len(cookies), elapsed)

	// A second dump, steady state: no allocation per socket (a few per
	// dump and per datagram of the netlink layer).
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	n := 0
	for s, err := range c.InetSockets(bg, &InetFilter{Family: unix.AF_INET, Extensions: ExtInfo}) {
		if err != nil {
			t.Fatal(err)
		}
		n += int(s.TCPInfo.Len & 1)
	}
	runtime.ReadMemStats(&after)
	perSocket := float64(after.Mallocs-before.Mallocs) / float64(len(cookies))
	t.Logf("%d allocations for %d sockets (%.4f per socket)", after.Mallocs-before.Mallocs, len(cookies), perSocket)
	if perSocket > 0.05 {
		t.Errorf("%.3f allocations per socket, want none", perSocket)
	}
}
