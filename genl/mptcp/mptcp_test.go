//go:build linux

package mptcp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nlkit/nlkit/genl"
	"github.com/nlkit/nlkit/genl/internal/gtest"
	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/netns"
)

func dial(t *testing.T) *Conn {
	t.Helper()
	c, err := Dial(gtest.Config(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// kernelErr checks that err is the kernel's errno with an explanation.
func kernelErr(t *testing.T, what string, err error, errno syscall.Errno, msg string) *netlink.Error {
	t.Helper()
	var ne *netlink.Error
	if !errors.Is(err, errno) || !errors.As(err, &ne) {
		t.Fatalf("%s: err = %v, want %v from the kernel", what, err, errno)
	}
	if msg != "" && ne.Message != msg {
		t.Errorf("%s: extended ACK %q, want %q", what, ne.Message, msg)
	}
	return ne
}

// The spec agrees with the kernel's policy for every command.
func TestSpecMatchesKernel(t *testing.T) {
	sp := Spec()
	if err := sp.Validate(); err != nil {
		t.Fatal(err)
	}
	c := dial(t)
	p, err := c.Genl().Policy(t.Context(), FamilyName)
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, cmd := range sp.Commands {
		if cmd.Notification {
			continue
		}
		o, ok := p.Op(cmd.ID)
		if !ok || o.Do == nil {
			t.Errorf("%s: no do policy", cmd.Name)
			continue
		}
		if err := cmd.Attrs.CheckPolicy(o.Do); err != nil {
			t.Error(err)
		}
		checked++
	}
	if checked != 7 {
		t.Errorf("checked %d commands", checked)
	}
}

func TestEndpoints(t *testing.T) {
	c := dial(t)
	ctx := t.Context()
	eps := []Endpoint{
		{Addr: netip.MustParseAddr("192.0.2.1"), Flags: Signal},
		{ID: 7, Addr: netip.MustParseAddr("2001:db8::1"), Flags: Subflow | Backup, IfIndex: 1},
		{ID: 9, Addr: netip.MustParseAddr("127.0.0.1"), Port: 10000, Flags: Signal},
	}
	for _, e := range eps {
		if err := c.AddEndpoint(ctx, e); err != nil {
			t.Fatalf("AddEndpoint(%v): %v", e, err)
		}
	}
	got, err := netlink.Collect(c.Endpoints(ctx))
	if err != nil {
		t.Fatal(err)
	}
	eps[0].ID = 1 // the kernel's choice: the first free id
	if !slices.Equal(got, eps) {
		t.Fatalf("Endpoints:\n got  %v\n want %v", got, eps)
	}
	for _, e := range eps {
		one, err := c.Endpoint(ctx, e.ID)
		if err != nil || one != e {
			t.Errorf("Endpoint(%d) = %v, %v; want %v", e.ID, one, err, e)
		}
	}
	if s := eps[1].String(); s != "2001:db8::1 id 7 subflow backup dev 1" {
		t.Errorf("String = %q", s)
	}

	if err := c.SetEndpointFlags(ctx, Endpoint{ID: 7, Flags: Subflow}); err != nil {
		t.Fatal(err)
	}
	if e, _ := c.Endpoint(ctx, 7); e.Flags != Subflow {
		t.Errorf("after SetEndpointFlags: %v", e)
	}
	if err := c.DeleteEndpoint(ctx, Endpoint{ID: 7}); err != nil {
		t.Fatal(err)
	}
	if got, _ := netlink.Collect(c.Endpoints(ctx)); len(got) != 2 {
		t.Errorf("after delete: %v", got)
	}
	if err := c.FlushEndpoints(ctx); err != nil {
		t.Fatal(err)
	}
	if got, _ := netlink.Collect(c.Endpoints(ctx)); len(got) != 0 {
		t.Errorf("after flush: %v", got)
	}
}

func TestEndpointErrors(t *testing.T) {
	c := dial(t)
	ctx := t.Context()
	e := Endpoint{Addr: netip.MustParseAddr("192.0.2.1"), Flags: Signal}
	if err := c.AddEndpoint(ctx, e); err != nil {
		t.Fatal(err)
	}
	err := c.AddEndpoint(ctx, e)
	ne := kernelErr(t, "duplicate", err, syscall.EEXIST, "")
	if !errors.Is(err, fs.ErrExist) || ne.Message == "" || ne.Op != "mptcp add endpoint 192.0.2.1" ||
		err.Error() != "mptcp: add endpoint 192.0.2.1: file exists: "+ne.Message {
		t.Errorf("duplicate: %v (want fs.ErrExist, a message, the op naming the endpoint)", err)
	}
	ne = kernelErr(t, "signal+fullmesh", c.AddEndpoint(ctx, Endpoint{Addr: netip.MustParseAddr("192.0.2.2"), Flags: Signal | Fullmesh}),
		syscall.EINVAL, "flags mustn't have both signal and fullmesh")
	if ne.AttrType != 1 { // the address nest, MPTCP_PM_ENDPOINT_ADDR
		t.Errorf("bad attribute type %d, want 1", ne.AttrType)
	}
	kernelErr(t, "port without signal", c.AddEndpoint(ctx, Endpoint{Addr: netip.MustParseAddr("192.0.2.3"), Port: 1, Flags: Subflow}),
		syscall.EINVAL, "flags must have signal and not subflow when using port")
	err = c.DeleteEndpoint(ctx, Endpoint{ID: 99})
	kernelErr(t, "delete unknown", err, syscall.EINVAL, "address not found")
	if want := "mptcp: delete endpoint id 99: invalid argument: address not found (attribute type 1 at offset 20)"; err.Error() != want {
		t.Errorf("delete unknown: %q, want %q", err, want)
	}
	_, err = c.Endpoint(ctx, 99)
	kernelErr(t, "get unknown", err, syscall.EINVAL, "address not found")
	if want := "mptcp: get endpoint id 99: invalid argument: address not found (attribute type 1 at offset 20)"; err.Error() != want {
		t.Errorf("get unknown: %q, want %q", err, want)
	}

	// A malformed request through the declarative client: an address
	// family without its address.
	cl := genl.NewClient(c.Genl(), Spec())
	_, err = cl.Execute(ctx, "add-addr", genl.Attrs{"addr": genl.Attrs{"family": 2}}, 0)
	ne = kernelErr(t, "no address", err, syscall.EINVAL, "missing address data")
	if ne.AttrType != 1 || ne.Offset != 20 { // nlmsghdr + genlmsghdr: the first attribute
		t.Errorf("bad attribute %d at %d", ne.AttrType, ne.Offset)
	}
	_, err = cl.Execute(ctx, "add-addr", nil, 0)
	ne = kernelErr(t, "no nest", err, syscall.EINVAL, "")
	if ne.MissingType != 1 {
		t.Errorf("missing attribute %d, want 1", ne.MissingType)
	}
	if err := c.AddEndpoint(ctx, Endpoint{}); err == nil {
		t.Errorf("AddEndpoint without an address: no error")
	}
}

func TestLimits(t *testing.T) {
	c := dial(t)
	ctx := t.Context()
	if _, err := c.Limits(ctx); err != nil {
		t.Fatal(err)
	}
	want := Limits{AddAddrAccepted: 3, Subflows: 5}
	if err := c.SetLimits(ctx, LimitsChange{AddAddrAccepted: new(uint32(3)), Subflows: new(uint32(5))}); err != nil {
		t.Fatal(err)
	}
	got, err := c.Limits(ctx)
	if err != nil || got != want {
		t.Fatalf("Limits = %v, %v; want %v", got, err, want)
	}
	if got.String() != "add_addr_accepted 3 subflows 5" {
		t.Errorf("String = %q", got)
	}
	// One limit at a time: the kernel keeps the other.
	for _, step := range []struct {
		ch   LimitsChange
		want Limits
	}{
		{LimitsChange{Subflows: new(uint32(2))}, Limits{AddAddrAccepted: 3, Subflows: 2}},
		{LimitsChange{AddAddrAccepted: new(uint32(0))}, Limits{AddAddrAccepted: 0, Subflows: 2}},
		{LimitsChange{}, Limits{AddAddrAccepted: 0, Subflows: 2}},
		{LimitsChange{AddAddrAccepted: new(uint32(8)), Subflows: new(uint32(8))}, Limits{AddAddrAccepted: 8, Subflows: 8}},
	} {
		if err := c.SetLimits(ctx, step.ch); err != nil {
			t.Fatal(err)
		}
		if got, err := c.Limits(ctx); err != nil || got != step.want {
			t.Errorf("after SetLimits(%+v): %v, %v; want %v", step.ch, got, err, step.want)
		}
	}
	want = Limits{AddAddrAccepted: 8, Subflows: 8}
	ne := kernelErr(t, "too many", c.SetLimits(ctx, LimitsChange{AddAddrAccepted: new(uint32(100))}), syscall.EINVAL, "limit greater than maximum (8)")
	if ne.AttrType != 2 { // MPTCP_PM_ATTR_RCV_ADD_ADDRS
		t.Errorf("bad attribute %d, want 2", ne.AttrType)
	}
	// A valid limit with an invalid one: neither is set.
	ne = kernelErr(t, "one too many", c.SetLimits(ctx, LimitsChange{AddAddrAccepted: new(uint32(1)), Subflows: new(uint32(9))}),
		syscall.EINVAL, "limit greater than maximum (8)")
	if ne.AttrType != 3 { // MPTCP_PM_ATTR_SUBFLOWS
		t.Errorf("bad attribute %d, want 3", ne.AttrType)
	}
	if got, _ := c.Limits(ctx); got != want {
		t.Errorf("limits changed by a failed set: %v", got)
	}
}

// A signal endpoint with a port makes the path manager listen on it,
// which the events group reports.
func TestEvents(t *testing.T) {
	c := dial(t)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := c.JoinGroup(ctx, GroupEvents); err != nil {
		t.Fatal(err)
	}
	if err := c.AddEndpoint(ctx, Endpoint{ID: 3, Addr: netip.MustParseAddr("127.0.0.1"), Port: 10001, Flags: Signal}); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteEndpoint(ctx, Endpoint{ID: 3}); err != nil {
		t.Fatal(err)
	}
	want := []EventType{EventListenerCreated, EventListenerClosed}
	var got []Event
	for ev, err := range c.Events(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, ev)
		if len(got) == len(want) {
			break
		}
	}
	for i, ev := range got {
		if ev.Type != want[i] || ev.Source != netip.MustParseAddrPort("127.0.0.1:10001") {
			t.Errorf("event %d: %v, want %v for 127.0.0.1:10001", i, ev, want[i])
		}
	}
	if s := got[0].String(); s != "[LISTENER_CREATED] saddr4=127.0.0.1 sport=10001" {
		t.Errorf("String = %q", s)
	}
	if !got[0].Has(AttrFamily|AttrSaddr4|AttrSport) || got[0].Has(AttrToken) {
		t.Errorf("Present = %#x", got[0].Present)
	}
}

// SetEndpointFlags and DeleteEndpoint select endpoints by id or by
// address (and port), as `ip mptcp endpoint change|delete` do.
func TestEndpointSelect(t *testing.T) {
	c := dial(t)
	ctx := t.Context()
	a1, a2, a3 := netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("192.0.2.2"), netip.MustParseAddr("2001:db8::3")
	eps := []Endpoint{
		{ID: 1, Addr: a1, Port: 8080, Flags: Signal},
		{ID: 2, Addr: a2, Flags: Subflow},
		{ID: 3, Addr: a3, Flags: Subflow},
	}
	for _, e := range eps {
		if err := c.AddEndpoint(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	check := func(what string) {
		t.Helper()
		got, err := netlink.Collect(c.Endpoints(ctx))
		if err != nil || !slices.Equal(got, eps) {
			t.Fatalf("%s: %v %v\nwant %v", what, got, err, eps)
		}
	}
	for _, step := range []struct {
		sel  Endpoint
		id   uint8 // the endpoint that changes
		want EndpointFlags
	}{
		{Endpoint{Addr: a2, Flags: Backup | Fullmesh}, 2, Subflow | Backup | Fullmesh},
		{Endpoint{Addr: a3, Flags: Backup}, 3, Subflow | Backup},
		{Endpoint{Addr: a1, Port: 8080, Flags: Backup}, 1, Signal | Backup},
		{Endpoint{ID: 3, Addr: a2, Flags: 0}, 2, Subflow}, // the address wins over the id
		{Endpoint{ID: 1, Flags: Implicit}, 1, Signal},     // only backup and fullmesh change
	} {
		if err := c.SetEndpointFlags(ctx, step.sel); err != nil {
			t.Fatalf("SetEndpointFlags(%+v): %v", step.sel, err)
		}
		eps[step.id-1].Flags = step.want
		check(fmt.Sprintf("after SetEndpointFlags(%+v)", step.sel))
	}
	kernelErr(t, "other port", c.SetEndpointFlags(ctx, Endpoint{Addr: a1, Port: 9999, Flags: Backup}), syscall.EINVAL, "address not found")
	kernelErr(t, "unknown address", c.SetEndpointFlags(ctx, Endpoint{Addr: netip.MustParseAddr("192.0.2.9")}), syscall.EINVAL, "address not found")
	kernelErr(t, "fullmesh on signal", c.SetEndpointFlags(ctx, Endpoint{ID: 1, Flags: Fullmesh}), syscall.EINVAL, "invalid addr flags")
	if err := c.SetEndpointFlags(ctx, Endpoint{Flags: Backup}); err == nil {
		t.Errorf("SetEndpointFlags without id or address: no error")
	}
	check("after failed changes")

	// Id 0 with an address concerns connections, not endpoints: none
	// is removed (there are no connections here).
	if err := c.DeleteEndpoint(ctx, Endpoint{Addr: a2}); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteEndpoint(ctx, Endpoint{}); err == nil {
		t.Errorf("DeleteEndpoint of id 0 without an address: no error")
	}
	check("after deleting id 0")
	// A non-zero id selects, whatever the address says.
	if err := c.DeleteEndpoint(ctx, Endpoint{ID: 3, Addr: a1}); err != nil {
		t.Fatal(err)
	}
	eps = eps[:2]
	check("after deleting id 3")
	// An endpoint as listed works as a selector.
	if err := c.DeleteEndpoint(ctx, eps[1]); err != nil {
		t.Fatal(err)
	}
	eps = eps[:1]
	check("after deleting id 2")
}

// mptcpSocket opens an MPTCP socket in ns.
func mptcpSocket(t *testing.T, ns *netns.NS) int {
	t.Helper()
	var fd int
	err := ns.Do(func() error {
		var err error
		fd, err = unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, unix.IPPROTO_MPTCP)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return fd
}

// listen opens an MPTCP listener on addr:port in ns.
func listen(t *testing.T, ns *netns.NS, addr [4]byte, port int) int {
	t.Helper()
	fd := mptcpSocket(t, ns)
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
		t.Fatal(err)
	}
	if err := unix.Bind(fd, &unix.SockaddrInet4{Port: port, Addr: addr}); err != nil {
		t.Fatal(err)
	}
	if err := unix.Listen(fd, 4); err != nil {
		t.Fatal(err)
	}
	return fd
}

// monitorLine strips the padding of an `ip mptcp monitor` line's event
// name ("[   CREATED]" -> "[CREATED]"); iproute2 6.1 pads to 14 columns,
// later releases to 16.
func monitorLine(s string) string {
	name, rest, ok := strings.Cut(strings.TrimPrefix(s, "["), "]")
	if !ok {
		return s
	}
	return "[" + strings.TrimSpace(name) + "]" + rest
}

// listenerEvent reports whether a monitor line is a listener event, which
// iproute2 6.1 prints as "[UNKNOWN 15]" and "[UNKNOWN 16]".
func listenerEvent(line string) bool {
	return strings.HasPrefix(line, "[LISTENER_") || line == "[UNKNOWN 15]" || line == "[UNKNOWN 16]"
}

// Event.String prints what `ip mptcp monitor` prints, event for event,
// through a connection's life: created, established, an announced
// address, a subflow to it, the initial address withdrawn with
// DeleteEndpoint of id 0, closed.
func TestEventsMatchIPMonitor(t *testing.T) {
	ns, name := kerneltest.NamedNetNS(t)
	c, err := Dial(&netlink.Config{NetNS: ns})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	kerneltest.Run(t, ns, "ip", "address", "add", "198.18.0.1/32", "dev", "lo")
	if err := c.SetLimits(ctx, LimitsChange{AddAddrAccepted: new(uint32(2)), Subflows: new(uint32(2))}); err != nil {
		t.Fatal(err)
	}
	if err := c.AddEndpoint(ctx, Endpoint{Addr: netip.MustParseAddr("198.18.0.1"), Flags: Signal}); err != nil {
		t.Fatal(err)
	}
	if err := c.JoinGroup(ctx, GroupEvents); err != nil {
		t.Fatal(err)
	}
	events := make(chan Event, 256)
	go func() {
		defer close(events)
		for ev, err := range c.Events(ctx) {
			if err != nil {
				return
			}
			events <- ev
		}
	}()

	var out syncBuffer
	ip := exec.CommandContext(ctx, "ip", "-n", name, "mptcp", "monitor")
	ip.Stdout, ip.Stderr = &out, &out
	if err := ip.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { ip.Process.Kill(); ip.Wait() }()
	// ip joins the group at some point: open listeners until it prints.
	for out.String() == "" {
		if ctx.Err() != nil {
			t.Fatalf("ip mptcp monitor printed nothing")
		}
		unix.Close(listen(t, ns, [4]byte{127, 0, 0, 1}, 10999))
		time.Sleep(20 * time.Millisecond)
	}

	// A connection over 127.0.0.1; the endpoint 198.18.0.1 is announced
	// to both ends and the client opens a subflow to it.
	l := listen(t, ns, [4]byte{}, 10000)
	defer unix.Close(l)
	cl := mptcpSocket(t, ns)
	defer unix.Close(cl)
	if err := unix.Connect(cl, &unix.SockaddrInet4{Port: 10000, Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	srv, _, err := unix.Accept4(l, unix.SOCK_CLOEXEC)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(srv)
	var got []Event
	var tokens []uint32
	await := func(what string, done func() bool) {
		t.Helper()
		for !done() {
			select {
			case ev, ok := <-events:
				if !ok {
					t.Fatalf("events ended waiting for %s: %v", what, got)
				}
				if ev.Type == EventCreated {
					tokens = append(tokens, ev.Token)
				}
				got = append(got, ev)
			case <-ctx.Done():
				t.Fatalf("no %s: %v", what, got)
			}
		}
	}
	count := func(typ EventType) int {
		n := 0
		for _, ev := range got {
			if ev.Type == typ {
				n++
			}
		}
		return n
	}
	await("subflow", func() bool { return count(EventEstablished) == 2 && count(EventSubEstablished) == 2 })

	// Withdraw 127.0.0.1 (id 0, the initial subflows' address) from the
	// connections: each end closes its initial subflow and tells the
	// other, which reports the address removed.
	if err := c.DeleteEndpoint(ctx, Endpoint{Addr: netip.MustParseAddr("127.0.0.1")}); err != nil {
		t.Fatal(err)
	}
	await("removal", func() bool { return count(EventRemoved) == 2 && count(EventSubClosed) >= 2 })
	if _, err := unix.Write(cl, []byte("x")); err != nil { // still connected, over the subflow left
		t.Fatal(err)
	}
	unix.Close(cl)
	unix.Close(srv)
	await("close", func() bool { return count(EventClosed) == 2 })
	// A marker after which nothing more of the connection comes.
	unix.Close(listen(t, ns, [4]byte{127, 0, 0, 1}, 10998))
	await("marker", func() bool {
		ev := got[len(got)-1]
		return ev.Type == EventListenerClosed && ev.Source.Port() == 10998
	})

	// The same events, as ip printed them (without the listener events,
	// which iproute2 6.1 does not name).
	var want, mine []string
	for _, ev := range got {
		s := ev.String()
		if !strings.HasPrefix(s, fmt.Sprintf("[%16s]", ev.Type)) {
			t.Errorf("%q: the name is not right-aligned in 16 columns", s)
		}
		if ev.Type == EventRemoved && (!ev.Has(AttrRemoteID) || ev.RemoteID != 0) {
			t.Errorf("REMOVED without remote id 0: %+v", ev)
		}
		if s := monitorLine(s); !listenerEvent(s) {
			mine = append(mine, s)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		want = want[:0]
		for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
			if line := monitorLine(line); !listenerEvent(line) {
				want = append(want, line)
			}
		}
		if len(want) >= len(mine) || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !slices.Equal(mine, want) {
		t.Errorf("Event.String:\n%s\nip mptcp monitor:\n%s", strings.Join(mine, "\n"), strings.Join(want, "\n"))
	}
	if len(tokens) != 2 || !strings.Contains(strings.Join(mine, "\n"), fmt.Sprintf("[CLOSED] token=%08x", tokens[0])) {
		t.Errorf("tokens %x", tokens)
	}
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Two Conns sharing one genl.Conn join the events group each; one leaving
// does not unsubscribe the other.
func TestSharedConnGroups(t *testing.T) {
	cfg := gtest.Config(t)
	g, err := genl.Dial(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	a, b := NewConn(g), NewConn(g)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	for _, c := range []*Conn{a, b} {
		if err := c.JoinGroup(ctx, GroupEvents); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.LeaveGroup(ctx, GroupEvents); err != nil {
		t.Fatal(err)
	}
	// b still receives: a listener's events arrive.
	fd := listen(t, cfg.NetNS, [4]byte{127, 0, 0, 1}, 10002)
	unix.Close(fd)
	for ev, err := range b.Events(ctx) {
		if err != nil {
			t.Fatalf("after a left, b: %v", err)
		}
		if ev.Type == EventListenerCreated && ev.Source.Port() == 10002 {
			break
		}
	}
	// Drain the LISTENER_CLOSED event.
	for ev, err := range b.Events(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if ev.Type == EventListenerClosed {
			break
		}
	}
	if err := b.LeaveGroup(ctx, GroupEvents); err != nil {
		t.Fatal(err)
	}
	// Now the socket has left: a listener's events no longer arrive, and
	// the first notification is one of netdev's, caused after them.
	unix.Close(listen(t, cfg.NetNS, [4]byte{127, 0, 0, 1}, 10003))
	if _, err := g.JoinGroup(ctx, "netdev", "mgmt"); err != nil {
		t.Fatal(err)
	}
	kerneltest.Run(t, cfg.NetNS, "ip", "link", "add", "mp0", "type", "veth", "peer", "name", "mp1")
	for n, err := range g.Receive(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if n.Family != "netdev" {
			t.Fatalf("after both left: %+v", n)
		}
		break
	}
}
