//go:build linux

package sockdiag

import (
	"bufio"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

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
		line, err := bufio.NewReader(stdout).ReadString('\n')
		if err != nil || line != "ready\n" {
			t.Fatalf("helper %d: %q %v", p, line, err)
		}
	}
}
