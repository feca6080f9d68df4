//go:build linux

package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/netns"
)

// ssWorld is a namespace with sockets of every kind, made by the test
// inside it: TCP listeners, connections (IPv4 and IPv6) and one in
// TIME-WAIT, UDP bound and connected, unix stream, datagram and seqpacket,
// a packet socket and a route netlink socket.
type ssWorld struct {
	ns      *netns.NS
	name    string
	closers []io.Closer
	fds     []int
}

func (w *ssWorld) close() {
	for _, c := range w.closers {
		c.Close()
	}
	for _, fd := range w.fds {
		unix.Close(fd)
	}
}

func newSSWorld(t *testing.T) *ssWorld {
	t.Helper()
	ns, name := kerneltest.NamedNetNS(t)
	w := &ssWorld{ns: ns, name: name}
	t.Cleanup(w.close)
	for _, a := range []string{"198.18.0.1/15", "198.18.0.2/15", "198.18.0.3/15", "2001:db8::1/64", "2001:db8::2/64"} {
		kerneltest.Run(t, ns, "ip", "addr", "add", a, "dev", "lo", "nodad")
	}
	do := func(fn func() error) {
		t.Helper()
		if err := ns.Do(fn); err != nil {
			t.Fatal(err)
		}
	}
	listen := func(network, addr string) net.Listener {
		var l net.Listener
		do(func() (err error) { l, err = net.Listen(network, addr); return })
		w.closers = append(w.closers, l)
		return l
	}
	connect := func(l net.Listener, local, remote string) (net.Conn, net.Conn) {
		ch := make(chan net.Conn, 1)
		go func() {
			c, _ := l.Accept()
			ch <- c
		}()
		var c net.Conn
		do(func() error {
			la, err := net.ResolveTCPAddr("tcp", local)
			if err != nil {
				return err
			}
			d := net.Dialer{LocalAddr: la, Timeout: 5 * time.Second}
			for i := 0; ; i++ {
				c, err = d.Dial("tcp", remote)
				if errors.Is(err, syscall.ENETUNREACH) && i < 300 {
					time.Sleep(10 * time.Millisecond) // IPv6 local routes come a moment after the address
					continue
				}
				return err
			}
		})
		p := <-ch
		w.closers = append(w.closers, c, p)
		return c, p
	}
	l4 := listen("tcp4", "198.18.0.1:8080")
	l443 := listen("tcp4", "198.18.0.3:443")
	l6 := listen("tcp6", "[2001:db8::1]:443")
	dual := listen("tcp", "[::]:9443") // dual stack: ss prints its address as *
	est, _ := connect(l4, "198.18.0.2:0", "198.18.0.1:8080")
	connect(l443, "198.18.0.2:0", "198.18.0.3:443")
	connect(l6, "[2001:db8::2]:0", "[2001:db8::1]:443")
	connect(dual, "198.18.0.2:0", "198.18.0.1:9443") // an IPv4 peer of an IPv6 socket
	c, p := connect(l4, "198.18.0.2:0", "198.18.0.1:8080")
	c.Close()
	io.Copy(io.Discard, p)
	p.Close()
	est.Write(make([]byte, 100))
	dir := t.TempDir()
	do(func() error {
		u, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.ParseIP("198.18.0.1"), Port: 5353})
		if err != nil {
			return err
		}
		w.closers = append(w.closers, u)
		uc, err := net.DialUDP("udp4", &net.UDPAddr{IP: net.ParseIP("198.18.0.2")}, &net.UDPAddr{IP: net.ParseIP("198.18.0.1"), Port: 5353})
		if err != nil {
			return err
		}
		w.closers = append(w.closers, uc)
		ul, err := net.ListenUnix("unix", &net.UnixAddr{Name: dir + "/stream.sock", Net: "unix"})
		if err != nil {
			return err
		}
		w.closers = append(w.closers, ul)
		ud, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: "@nl-ss-test-" + name, Net: "unixgram"})
		if err != nil {
			return err
		}
		w.closers = append(w.closers, ud)
		seq, err := unix.Socket(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return err
		}
		w.fds = append(w.fds, seq)
		if err := unix.Bind(seq, &unix.SockaddrUnix{Name: dir + "/seq.sock"}); err != nil {
			return err
		}
		if err := unix.Listen(seq, 7); err != nil {
			return err
		}
		raw, err := unix.Socket(unix.AF_INET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.IPPROTO_ICMP)
		if err != nil {
			return err
		}
		w.fds = append(w.fds, raw)
		raw6, err := unix.Socket(unix.AF_INET6, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.IPPROTO_ICMPV6)
		if err != nil {
			return err
		}
		w.fds = append(w.fds, raw6)
		pk, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, 0x0300) // htons(ETH_P_ALL)
		if err != nil {
			return err
		}
		w.fds = append(w.fds, pk)
		prog := []unix.SockFilter{{Code: 0x28, K: 12}, {Code: 0x15, Jf: 1, K: 0x800}, {Code: 0x6, K: 0xffff}, {Code: 0x6}}
		if err := unix.SetsockoptSockFprog(pk, unix.SOL_SOCKET, unix.SO_ATTACH_FILTER, &unix.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]}); err != nil {
			return err
		}
		ch := make(chan net.Conn, 1)
		go func() {
			c, _ := ul.Accept()
			ch <- c
		}()
		uconn, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: dir + "/stream.sock", Net: "unix"})
		if err != nil {
			return err
		}
		w.closers = append(w.closers, uconn, <-ch)
		rt, err := netlink.Dial(unix.NETLINK_ROUTE, &netlink.Config{Groups: []uint32{1}})
		if err != nil {
			return err
		}
		w.closers = append(w.closers, rt)
		return nil
	})
	return w
}

// runNL runs nl with args and returns its output and exit code.
func runNL(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), args, &out, &errb)
	return out.String(), errb.String(), code
}

// ssRun runs iproute2's ss in the namespace: entered with nsenter, not
// ss -N, which remounts /sys for the namespace and so loses the cgroup
// mounts ss resolves cgroup ids with.
func ssRun(t *testing.T, name string, args ...string) (string, string, int) {
	t.Helper()
	ss := kerneltest.Tool(t, "ss", "iproute2")
	cmd := exec.Command(kerneltest.Tool(t, "nsenter", "util-linux"), append([]string{"--net=/run/netns/" + name, "--", ss}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return stdout.String(), stderr.String(), 0
	case errors.As(err, &ee):
		return stdout.String(), stderr.String(), ee.ExitCode()
	}
	t.Fatalf("ss: %v", err)
	return "", "", 0
}

// The values that change between two runs a moment apart: timers, the
// times since the last packet, and counters of the whole host.
var ssVolatile = []struct {
	re   *regexp.Regexp
	repl string
}{
	{regexp.MustCompile(`timer:\((\w+),[^,]*,`), "timer:($1,T,"},
	{regexp.MustCompile(`(lastsnd|lastrcv|lastack):\d+`), "$1:T"},
	{regexp.MustCompile(`^Total: \d+`), "Total: N"},
	// The tool's own sock_diag socket: nl's or ss's.
	{regexp.MustCompile(`tcpdiag:[^ ]+/\d+`), "tcpdiag:SELF"},
	{regexp.MustCompile(`^TCP:   \d+ \(estab (\d+), closed \d+,`), "TCP:   N (estab $1, closed N,"},
}

// ssFields splits output into lines of fields, volatile values masked.
func ssFields(out string) [][]string {
	var lines [][]string
	for l := range strings.Lines(out) {
		l = strings.TrimRight(l, "\n")
		for _, v := range ssVolatile {
			l = v.re.ReplaceAllString(l, v.repl)
		}
		f := strings.Fields(l)
		if len(f) > 0 && !strings.Contains(l, "tcpdiag:SELF") { // where the tool's own socket sits varies
			lines = append(lines, f)
		}
	}
	return lines
}

// nl ss prints what ss prints, line for line and field for field, on the
// same namespace (and, where nothing varies, byte for byte).
func TestSSLikeSS(t *testing.T) {
	w := newSSWorld(t)
	for _, args := range [][]string{
		{}, {"-n"}, {"-l"}, {"-tan"}, {"-tlnp"}, {"-uan"}, {"-xa"}, {"-tin"}, {"-tm"}, {"-s"}, {"-ta"}, {"-tane"}, {"-tano"}, {"-tanm"},
		{"-tinO"}, {"-tmO"}, {"-ua"}, {"-tulpn"}, {"-x"}, {"-xae"}, {"-xam"}, {"-xap"}, {"-uane"}, {"-0", "-ae"}, {"-0", "-a"}, {"-4", "-tan"}, {"-6", "-tan"}, {"-tan", "-H"}, {"-A", "tcp,udp", "-an"}, {"-wa"}, {"-x", "-4", "-n"}, {"-A", "tcp,unix_stream", "-4", "-an"}, {"-t", "-f", "unix", "-n"}, {"-0", "-4", "-an"}, {"-Man"}, {"-Mani"}, {"-uanm"}, {"-tan", "--tos"}, {"-uan", "--tos"}, {"-tan", "--cgroup"}, {"-xa", "--cgroup"}, {"-tane", "--tos"}, {"-tano", "--cgroup"}, {"-tan", "--inet-sockopt"}, {"-uan", "--inet-sockopt"}, {"-0", "-a", "-b"}, {"-0", "-a", "-b", "-e"},
		// The state filters and five expressions.
		{"-tan", "state", "established"},
		{"-tan", "exclude", "listening"},
		{"-tan", "state", "established", "dport = :443 and dst 198.18.0.0/15"},
		{"-tan", "( sport = :443 or dport = :443 ) and src 198.18.0.0/15"},
		{"-tan", "not", "dst", "0.0.0.0/0"},
		{"-tan", "sport >= :1024 and sport <= :8080"},
		{"-tan", "state", "connected", "dst [2001:db8::1]:443 or src 198.18.0.2"},
		{"-tan", "dport > :1024"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			want, _, wcode := ssRun(t, w.name, args...)
			got, gerr, gcode := runNL(t, append([]string{"-n", w.name, "ss"}, args...)...)
			if gcode != wcode {
				t.Fatalf("exit %d, ss %d (%s)", gcode, wcode, gerr)
			}
			g, s := ssFields(got), ssFields(want)
			if len(g) != len(s) {
				t.Fatalf("%d lines, ss %d:\n%q\nss:\n%q", len(g), len(s), got, want)
			}
			for i := range s {
				if strings.Join(g[i], " ") != strings.Join(s[i], " ") {
					t.Errorf("line %d:\n nl: %q\n ss: %q", i, strings.Join(g[i], " "), strings.Join(s[i], " "))
				}
			}
			if got == want {
				t.Logf("byte for byte equal")
			} else {
				t.Logf("same fields, other spacing or volatile values:\n%q\nss:\n%q", got, want)
			}
		})
	}
}

// ssOwnDiag matches, in ss -an's netlink lines, a user sock_diag socket.
var ssOwnDiag = regexp.MustCompile(`^UNCONN \d+ \d+ 4:[1-9-]`)

// Netlink sockets: the kernel's and the test's route socket, as ss shows
// them (the tools' own sock_diag sockets, which differ, left out).
func TestSSNetlikeSS(t *testing.T) {
	w := newSSWorld(t)
	for _, args := range [][]string{{"-A", "netlink", "-a"}, {"-A", "netlink", "-an"}} {
		want, _, _ := ssRun(t, w.name, args...)
		got, gerr, code := runNL(t, append([]string{"-n", w.name, "ss"}, args...)...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, gerr)
		}
		drop := func(out string) []string {
			var keep []string
			for _, f := range ssFields(out) {
				l := strings.Join(f, " ")
				if !strings.Contains(l, "tcpdiag:") && !ssOwnDiag.MatchString(l) {
					keep = append(keep, l)
				}
			}
			return keep
		}
		g, s := drop(got), drop(want)
		if strings.Join(g, "\n") != strings.Join(s, "\n") {
			t.Errorf("%q:\n%s\nss:\n%s", args, strings.Join(g, "\n"), strings.Join(s, "\n"))
		}
	}
}

// Exit codes and messages as ss's for bad command lines.
func TestSSExitCodes(t *testing.T) {
	w := newSSWorld(t)
	for _, args := range [][]string{
		{"-Q"}, {"state", "bogus"}, {"-tan", "dport ="}, {"-tan", "dport = :x99999"}, {"-tan", "src 300.1.1.1"},
		{"-tan", "dev = bogusdev"}, {"-tan", "state", "established", "dport = :99"}, {"-A", "bogus"}, {"-f", "bogus"},
	} {
		_, _, wcode := ssRun(t, w.name, args...)
		_, gerr, gcode := runNL(t, append([]string{"-n", w.name, "ss"}, args...)...)
		if gcode != wcode {
			t.Errorf("%q: exit %d (%s), ss %d", args, gcode, gerr, wcode)
		}
	}
	// -F FILE: the expression from a file; a missing file is ss's 255.
	file := t.TempDir() + "/filter"
	if err := os.WriteFile(file, []byte("dport = :443 or\nsport = :443\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"-tan", "-F", file}, {"-tan", "-F", file + ".missing"}} {
		want, _, wcode := ssRun(t, w.name, args...)
		got, _, gcode := runNL(t, append([]string{"-n", w.name, "ss"}, args...)...)
		if gcode != wcode || got != want {
			t.Errorf("%q: exit %d, ss %d:\n%s\nss:\n%s", args, gcode, wcode, got, want)
		}
	}
	if _, _, code := runNL(t, "ss", "-N", "nlkit-no-such-ns", "-tan"); code != 1 {
		t.Errorf("missing namespace: exit %d, want 1", code)
	}
}

// -j: one JSON object per socket, with ss's names.
func TestSSJSON(t *testing.T) {
	w := newSSWorld(t)
	out, errs, code := runNL(t, "-n", w.name, "-j", "ss", "-tanie")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 13 {
		t.Fatalf("%d objects, want 13:\n%s", len(lines), out)
	}
	states := map[string]int{}
	for _, l := range lines {
		var o struct {
			Netid, State string
			RecvQ        uint32 `json:"recv_q"`
			Local        struct {
				Address string
				Port    uint16
			}
			TCPInfo *struct{ RTT float64 } `json:"tcp_info"`
			Ino     uint32
		}
		if err := json.Unmarshal([]byte(l), &o); err != nil {
			t.Fatalf("%v: %s", err, l)
		}
		states[o.State]++
		if o.Netid != "tcp" || (o.State == "ESTAB" && (o.TCPInfo == nil || o.TCPInfo.RTT <= 0 || o.Ino == 0)) {
			t.Errorf("%s", l)
		}
	}
	if fmt.Sprint(states) != "map[ESTAB:8 LISTEN:4 TIME-WAIT:1]" {
		t.Errorf("states %v", states)
	}
}

// -K ends the sockets the filter selects and prints them; the kernel
// filtered them (bytecode) and ended them (SOCK_DESTROY).
func TestSSKill(t *testing.T) {
	w := newSSWorld(t)
	out, errs, code := runNL(t, "-n", w.name, "ss", "-K", "-tn", "dport = :443")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if n := len(ssFields(out)); n != 3 { // header and the two clients to :443
		t.Errorf("killed:\n%s", out)
	}
	after, _, _ := ssRun(t, w.name, "-tn", "dport = :443 or sport = :443")
	if n := len(ssFields(after)); n != 1 {
		t.Errorf("left after -K:\n%s", after)
	}
}

// -E prints sockets as the kernel destroys them.
func TestSSEvents(t *testing.T) {
	w := newSSWorld(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- RunWithInput(ctx, []string{"-n", w.name, "ss", "-E", "-tn", "sport = :7300 or dport = :7300"}, nil, pw, io.Discard)
		pw.Close()
	}()
	// The subscription is made inside Run, which gives no signal: end a
	// socket every 100 ms until one is reported.
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
			}
			var l net.Listener
			if err := w.ns.Do(func() (err error) { l, err = net.Listen("tcp4", "198.18.0.1:7300"); return }); err == nil {
				l.Close()
			}
		}
	}()
	buf := make([]byte, 4096)
	var out strings.Builder
	for !strings.Contains(out.String(), ":7300") {
		n, err := pr.Read(buf)
		if err != nil {
			t.Fatalf("%v; got %q", err, out.String())
		}
		out.Write(buf[:n])
	}
	cancel()
	go io.Copy(io.Discard, pr)
	if code := <-done; code != 0 {
		t.Errorf("exit %d", code)
	}
	f := ssFields(out.String())
	if len(f) < 2 || f[0][0] != "Netid" || f[1][0] != "tcp" || f[1][4] != "198.18.0.1:7300" {
		t.Errorf("ss -E printed %q", out.String())
	}
}
