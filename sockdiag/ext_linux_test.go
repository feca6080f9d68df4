//go:build linux

package sockdiag

import (
	"fmt"
	"net"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// controlFD runs fn on the descriptor of a Go socket.
func controlFD(t *testing.T, c syscall.Conn, fn func(fd int) error) {
	t.Helper()
	rc, err := c.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var ferr error
	if err := rc.Control(func(fd uintptr) { ferr = fn(int(fd)) }); err != nil {
		t.Fatal(err)
	}
	if ferr != nil {
		t.Fatal(ferr)
	}
}

// Mark, bound device, TOS and cgroup: decoded, and filtered by the kernel
// (INET_DIAG_BC_MARK_COND, DEV_COND, CGROUP_COND). kTLS's ULP where the
// kernel has it.
func TestInetExtensionsKernel(t *testing.T) {
	ns, _ := testNS(t)
	var marked, bound, plain net.Listener
	if err := ns.Do(func() (err error) {
		lc := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
			var serr error
			c.Control(func(fd uintptr) {
				if serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_MARK, 0x2a); serr == nil {
					serr = unix.SetsockoptInt(int(fd), unix.IPPROTO_IP, unix.IP_TOS, 0x10)
				}
			})
			return serr
		}}
		if marked, err = lc.Listen(bg, "tcp4", "198.18.0.1:7001"); err != nil {
			return err
		}
		lb := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
			var serr error
			c.Control(func(fd uintptr) { serr = unix.SetsockoptString(int(fd), unix.SOL_SOCKET, unix.SO_BINDTODEVICE, "lo") })
			return serr
		}}
		if bound, err = lb.Listen(bg, "tcp4", "198.18.0.1:7002"); err != nil {
			return err
		}
		plain, err = net.Listen("tcp4", "198.18.0.1:7003")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	defer marked.Close()
	defer bound.Close()
	defer plain.Close()
	c := testDial(t, ns)
	all := map[uint16]*InetSocket{}
	for s, err := range c.InetSockets(bg, &InetFilter{Family: unix.AF_INET, Extensions: ExtTOS}) {
		if err != nil {
			t.Fatal(err)
		}
		all[s.ID.Src.Port()] = s.Clone()
	}
	if s := all[7001]; s == nil || s.Mark != 0x2a || !s.Has(AttrMark) || s.TOS != 0x10 || !s.Has(AttrTOS) {
		t.Errorf("marked: %+v", s)
	}
	if s := all[7002]; s == nil || s.ID.IfIndex != 1 {
		t.Errorf("bound: %+v", s)
	}
	cg := all[7003].CgroupID
	for _, tc := range []struct {
		expr string
		want []uint16
	}{
		{"fwmark = 0x2a", []uint16{7001}},
		{"fwmark = 0x20/0xf0", []uint16{7001}},
		{"dev = 1", []uint16{7002}},
		{"not dev = 1", []uint16{7001, 7003}},
		{fmt.Sprintf("cgroup = %d", cg), []uint16{7001, 7002, 7003}},
		{fmt.Sprintf("cgroup = %d", cg+1000), nil},
	} {
		var e Expr
		if err := e.UnmarshalText([]byte(tc.expr)); err != nil {
			t.Fatal(err)
		}
		var got []uint16
		for s, err := range c.InetSockets(bg, &InetFilter{Family: unix.AF_INET, Expr: &e}) {
			if err != nil {
				t.Fatalf("%s: %v", tc.expr, err)
			}
			got = append(got, s.ID.Src.Port())
		}
		if fmt.Sprint(sortedPorts(got)) != fmt.Sprint(tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
			t.Errorf("%s: %v, want %v", tc.expr, got, tc.want)
		}
	}

	// kTLS: attach the "tls" ULP to an established socket.
	ch := make(chan net.Conn, 1)
	go func() {
		c, _ := plain.Accept()
		ch <- c
	}()
	var conn net.Conn
	if err := ns.Do(func() (err error) { conn, err = net.Dial("tcp4", "198.18.0.1:7003"); return }); err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	peer := <-ch
	defer peer.Close()
	var ulpErr error
	rc, _ := conn.(syscall.Conn).SyscallConn()
	rc.Control(func(fd uintptr) { ulpErr = unix.SetsockoptString(int(fd), unix.SOL_TCP, unix.TCP_ULP, "tls") })
	if ulpErr != nil {
		t.Logf("no kTLS on this kernel (TCP_ULP tls: %v): ULP info checked by the unit tests only", ulpErr)
		return
	}
	id := SockID{Src: addrPort(conn.LocalAddr()), Dst: addrPort(conn.RemoteAddr()), Cookie: NoCookie}
	s, err := c.InetSocket(bg, ProtocolTCP, id, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Has(AttrULPInfo) || s.ULP.Name != "tls" {
		t.Errorf("ulp: %+v", s.ULP)
	}
	t.Logf("kTLS ULP: %+v", s.ULP)
}

func sortedPorts(p []uint16) []uint16 {
	for i := range p {
		for j := i + 1; j < len(p); j++ {
			if p[j] < p[i] {
				p[i], p[j] = p[j], p[i]
			}
		}
	}
	return p
}

// An MPTCP connection: the MPTCP sockets with mptcp_info, and their TCP
// subflows with the "mptcp" ULP and its subflow info.
func TestMPTCPKernel(t *testing.T) {
	ns, _ := testNS(t)
	var lfd, cfd, afd int
	if err := ns.Do(func() (err error) {
		sa := &unix.SockaddrInet4{Port: 7100, Addr: [4]byte{198, 18, 0, 1}}
		if lfd, err = unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, int(ProtocolMPTCP)); err != nil {
			return err
		}
		if err = unix.Bind(lfd, sa); err != nil {
			return err
		}
		if err = unix.Listen(lfd, 4); err != nil {
			return err
		}
		if cfd, err = unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, int(ProtocolMPTCP)); err != nil {
			return err
		}
		if err = unix.Connect(cfd, sa); err != nil {
			return err
		}
		afd, _, err = unix.Accept4(lfd, unix.SOCK_CLOEXEC)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	defer unix.Close(lfd)
	defer unix.Close(cfd)
	defer unix.Close(afd)
	unix.Write(cfd, []byte("hello"))
	c := testDial(t, ns)
	var e Expr
	if err := e.UnmarshalText([]byte("sport = :7100 or dport = :7100")); err != nil {
		t.Fatal(err)
	}
	ms, err := c.InetSocketList(bg, &InetFilter{Protocol: ProtocolMPTCP, Family: unix.AF_INET, Extensions: ExtInfo, Expr: &e})
	if err != nil {
		t.Fatal(err)
	}
	est := 0
	for _, s := range ms {
		if s.State == StateEstablished {
			est++
			if s.MPTCPInfo.Len == 0 || !s.Has(AttrInfo) || s.MPTCPInfo.Token == 0 {
				t.Errorf("mptcp socket %v: info %+v", s, s.MPTCPInfo)
			}
		}
	}
	if est != 2 {
		t.Errorf("%d established MPTCP sockets, want 2 (%d listed)", est, len(ms))
	}
	ts, err := c.InetSocketList(bg, &InetFilter{Family: unix.AF_INET, States: StatesOf(StateEstablished), Expr: &e, Extensions: ExtInfo})
	if err != nil {
		t.Fatal(err)
	}
	subflows := 0
	for _, s := range ts {
		if s.Has(AttrULPInfo) && s.ULP.Name == "mptcp" {
			subflows++
			if s.ULP.MPTCP.TokenLocal == 0 && s.ULP.MPTCP.TokenRemote == 0 {
				t.Errorf("subflow %v: %+v", s, s.ULP.MPTCP)
			}
		}
	}
	if subflows != 2 {
		t.Errorf("%d TCP subflows with the mptcp ULP, want 2 (of %d)", subflows, len(ts))
	}
	t.Logf("mptcp: %d sockets; subflow ULP %+v", len(ms), ts[0].ULP)
}
