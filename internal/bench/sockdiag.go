package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nlkit/nlkit/internal/cli"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/netns"
	"github.com/nlkit/nlkit/rtnl"
	"github.com/nlkit/nlkit/sockdiag"
)

// The sock_diag workload: a namespace holding many TCP connections on
// loopback, made by helper processes (this binary run again with
// holdEnv set: one process may open only so many files), dumped with
// tcp_info by a raw loop, by netlink.Dump, by sockdiag.InetSockets, and by
// `nl ss -tin` against iproute2's `ss -tin`.

// holdEnv makes the bench binary a helper that holds connections:
// "NSPATH ADDR PORT N" (see holdConnections).
const holdEnv = "NLKIT_BENCH_HOLD"

// maybeHold runs the helper when holdEnv is set, and exits.
func maybeHold() {
	v := os.Getenv(holdEnv)
	if v == "" {
		return
	}
	f := strings.Fields(v)
	if len(f) != 4 {
		os.Exit(2)
	}
	port, _ := strconv.Atoi(f[2])
	n, _ := strconv.Atoi(f[3])
	if err := holdConnections(f[0], netip.MustParseAddr(f[1]), port, n); err != nil {
		fmt.Fprintln(os.Stderr, "hold:", err)
		os.Exit(1)
	}
	fmt.Println("ready")
	io.Copy(io.Discard, os.Stdin)
	os.Exit(0)
}

// holdConnections listens on ADDR:PORT in the namespace at nsPath,
// connects n times from ADDR and accepts each.
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
	return ns.Do(func() error {
		lfd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return err
		}
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
	})
}

// benchSockDiag dumps o.sockets TCP connections (twice as many sockets)
// with tcp_info.
func benchSockDiag(ctx context.Context, o options) ([]result, error) {
	name := fmt.Sprintf("nlkit-bench-sockdiag-%d", os.Getpid())
	ns, err := netns.NewNamed(name)
	if err != nil {
		return nil, fmt.Errorf("creating a namespace (run as root): %w", err)
	}
	defer netns.DeleteNamed(name)
	defer ns.Close()
	rt, err := rtnl.Dial(&netlink.Config{NetNS: ns})
	if err != nil {
		return nil, err
	}
	defer rt.Close()
	if err := rt.SetLinkUp(ctx, 1); err != nil {
		return nil, err
	}
	const perProc = 9000 // 2 files per connection, under the 20,000 limit
	procs := (o.sockets + perProc - 1) / perProc
	for p := range procs {
		a := netip.AddrFrom4([4]byte{198, 18, 1, byte(p + 1)})
		if err := rt.AddAddress(ctx, rtnl.Address{Index: 1, Prefix: netip.PrefixFrom(a, 32)}); err != nil {
			return nil, err
		}
	}
	t0 := time.Now()
	var outs []*bufio.Reader
	for p := range procs {
		n := min(perProc, o.sockets-p*perProc)
		cmd := exec.Command("/proc/self/exe")
		cmd.Env = append(os.Environ(), fmt.Sprintf("%s=/run/netns/%s 198.18.1.%d 9000 %d", holdEnv, name, p+1, n))
		stdin, err := cmd.StdinPipe()
		if err != nil {
			return nil, err
		}
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			return nil, err
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			return nil, err
		}
		defer cmd.Wait()
		defer stdin.Close()
		outs = append(outs, bufio.NewReader(stdout))
	}
	for p, out := range outs {
		if line, err := out.ReadString('\n'); err != nil || line != "ready\n" {
			return nil, fmt.Errorf("helper %d: %q %v", p, line, err)
		}
	}
	fmt.Fprintf(os.Stderr, "  %d connections in %d processes made in %v\n", o.sockets, procs, time.Since(t0).Round(time.Millisecond))

	c, err := sockdiag.Dial(&netlink.Config{NetNS: ns, ReceiveBuffer: 8 << 20})
	if err != nil {
		return nil, err
	}
	defer c.Close()
	raw, err := openRaw(ns, unix.NETLINK_SOCK_DIAG, 0)
	if err != nil {
		return nil, err
	}
	defer raw.close()
	// struct inet_diag_req_v2: AF_INET, TCP, INET_DIAG_INFO, every state,
	// any socket.
	body := []byte{unix.AF_INET, unix.IPPROTO_TCP, 1 << 1, 0, 0xff, 0xff, 0xff, 0xff}
	body = append(body, make([]byte, 40)...)
	body = binary.NativeEndian.AppendUint32(body, 0xffffffff)
	body = binary.NativeEndian.AppendUint32(body, 0xffffffff)
	buf := make([]byte, 1<<20)
	f := &sockdiag.InetFilter{Family: unix.AF_INET, Extensions: sockdiag.ExtInfo}
	core := func() (int, error) {
		n := 0
		for _, err := range c.Netlink().Dump(ctx, netlink.Message{Header: netlink.Header{Type: 20}, Data: body}) {
			if err != nil {
				return n, err
			}
			n++
		}
		return n, nil
	}
	decoded := func() (int, error) {
		n := 0
		for s, err := range c.InetSockets(ctx, f) {
			if err != nil {
				return n, err
			}
			if s.TCPInfo.Len > 0 {
				n++
			}
		}
		return n, nil
	}
	ts, err := rounds(o.reps, nil, func() (int, error) { return raw.dump(20, body, buf) }, core, decoded)
	if err != nil {
		return nil, err
	}
	workload := fmt.Sprintf("dump %d TCP sockets + tcp_info", ts[0].m.objects)
	note := "target <= 1.25"
	if ts[2].m.objects != ts[0].m.objects {
		note = fmt.Sprintf("COUNT MISMATCH: floor %d, nlkit %d", ts[0].m.objects, ts[2].m.objects)
	}
	res := []result{
		{workload: workload, path: "raw recvmsg (floor)", m: ts[0].m},
		{workload: workload, path: "netlink.Dump (undecoded)", m: ts[1].m, ratio: ts[1].ratio},
		{workload: workload, path: "sockdiag.InetSockets", m: ts[2].m, ratio: ts[2].ratio, note: note},
	}

	// nl ss -tin (in this process, output discarded) against ss -tin
	// (a process, output to /dev/null), taking turns.
	ssPath, err := exec.LookPath("ss")
	if err != nil {
		res = append(res, result{workload: "ss -tin", path: "iproute2 ss", note: "ss not installed (iproute2)"})
		return res, nil
	}
	ssRun := func() (int, error) {
		cmd := exec.Command("nsenter", "--net=/run/netns/"+name, "--", ssPath, "-tin")
		if err := cmd.Run(); err != nil {
			return 0, err
		}
		return ts[0].m.objects, nil
	}
	nlRun := func() (int, error) {
		if code := cli.Run(ctx, []string{"-n", name, "ss", "-tin"}, io.Discard, os.Stderr); code != 0 {
			return 0, fmt.Errorf("nl ss -tin: exit %d", code)
		}
		return ts[0].m.objects, nil
	}
	st, err := rounds(max(1, o.reps/2), nil, ssRun, nlRun)
	if err != nil {
		return nil, err
	}
	// CPU time (user+system), steadier than wall time on a busy machine:
	// the child's from its rusage, nl's from this process's.
	var ssCPU, nlCPU []time.Duration
	for range max(3, o.reps) {
		cmd := exec.Command("nsenter", "--net=/run/netns/"+name, "--", ssPath, "-tin")
		if err := cmd.Run(); err != nil {
			return nil, err
		}
		ssCPU = append(ssCPU, cmd.ProcessState.UserTime()+cmd.ProcessState.SystemTime())
		var r0, r1 syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &r0)
		if _, err := nlRun(); err != nil {
			return nil, err
		}
		syscall.Getrusage(syscall.RUSAGE_SELF, &r1)
		nlCPU = append(nlCPU, tv(r1.Utime)-tv(r0.Utime)+tv(r1.Stime)-tv(r0.Stime))
	}
	slices.Sort(ssCPU)
	slices.Sort(nlCPU)
	sc, nc := ssCPU[len(ssCPU)/2], nlCPU[len(nlCPU)/2]
	sw := fmt.Sprintf("ss -tin, %d sockets", ts[0].m.objects)
	res = append(res,
		result{workload: sw, path: "iproute2 ss 6.1 (process)", m: st[0].m, note: fmt.Sprintf("ratio base; CPU %v", sc.Round(time.Millisecond))},
		result{workload: sw, path: "nl ss -tin (in process)", m: st[1].m, ratio: st[1].ratio,
			note: fmt.Sprintf("x ss (wall); CPU %v = %.2f x ss", nc.Round(time.Millisecond), nc.Seconds()/sc.Seconds())})
	return res, nil
}
