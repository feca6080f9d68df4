//go:build linux

package xfrm

import (
	"context"
	"errors"
	"net/netip"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nlkit/nlkit/internal/fuzz/corpus"
	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/netns"
)

// received keeps copies of the messages a Conn received (its Trace), so
// that tests can record real kernel bytes as fuzz seeds.
type received struct {
	mu   sync.Mutex
	msgs []netlink.Message
}

func (r *received) trace(d netlink.Direction, m netlink.Message) {
	if d != netlink.Received {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, netlink.Message{Header: m.Header, Data: append([]byte(nil), m.Data...)})
}

// record writes the received messages as seeds of the fuzz targets when
// NLKIT_RECORD_FUZZ_SEEDS=1: SAs to FuzzState, policies to FuzzPolicy,
// notifications to FuzzEvent.
func (r *received) record(t *testing.T) {
	if os.Getenv("NLKIT_RECORD_FUZZ_SEEDS") != "1" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	ws := map[string]*corpus.Writer{}
	for _, target := range []string{"FuzzState", "FuzzPolicy", "FuzzEvent"} {
		w, err := corpus.NewWriter(corpus.Dir(target), 16)
		if err != nil {
			t.Fatal(err)
		}
		ws[target] = w
	}
	for _, m := range r.msgs {
		switch m.Header.Type {
		case msgNewSA:
			ws["FuzzState"].Add("sa", m.Data)
		case msgNewPolicy:
			ws["FuzzPolicy"].Add("policy", m.Data)
		}
		if ev, ok, err := DecodeEvent(m); ok && err == nil {
			ws["FuzzEvent"].Add(strings.ReplaceAll(ev.Kind.String(), " ", "-"), uint16(m.Header.Type), m.Data)
		}
	}
}

// acquireSetup is a namespace with 198.18.0.1/24 on a veth to a peer
// namespace with 198.18.0.2, and an out policy
// for UDP to 198.18.0.2:9999 that wants an ESP transport SA with reqid 7.
type acquireSetup struct {
	ns   *netns.NS
	name string
	c    *Conn
	rec  *received
	pol  Policy
}

var (
	acqSrc = netip.MustParseAddr("198.18.0.1")
	acqDst = netip.MustParseAddr("198.18.0.2")
)

func newAcquireSetup(t *testing.T) *acquireSetup {
	t.Helper()
	ns, name := kerneltest.NamedNetNS(t)
	peer, peerName := kerneltest.NamedNetNS(t)
	// Loopback is exempt from IPsec (NOXFRM): the traffic goes over a
	// veth pair to a second namespace.
	kerneltest.Run(t, ns, "ip", "link", "add", "v0", "type", "veth", "peer", "name", "v1", "netns", peerName)
	kerneltest.Run(t, ns, "ip", "address", "add", "198.18.0.1/24", "dev", "v0")
	kerneltest.Run(t, ns, "ip", "link", "set", "v0", "up")
	kerneltest.Run(t, peer, "ip", "address", "add", "198.18.0.2/24", "dev", "v1")
	kerneltest.Run(t, peer, "ip", "link", "set", "v1", "up")
	rec := &received{}
	c, err := Dial(&netlink.Config{NetNS: ns, Trace: rec.trace})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	s := &acquireSetup{ns: ns, name: name, c: c, rec: rec}
	s.pol = Policy{
		Selector:  Selector{Src: netip.PrefixFrom(acqSrc, 32), Dst: netip.PrefixFrom(acqDst, 32), Proto: unix.IPPROTO_UDP, DstPort: 9999, DstPortMask: 0xffff},
		Dir:       DirOut,
		Templates: []Template{{Proto: ProtoESP, Mode: ModeTransport, ReqID: 7}},
	}
	if err := c.AddPolicy(context.Background(), s.pol); err != nil {
		t.Fatal(err)
	}
	return s
}

// send sends one UDP datagram from 198.18.0.1 to 198.18.0.2:9999 inside
// the namespace; the policy holds it (the kernel reports EAGAIN or drops
// it while no SA exists), which is what makes the ACQUIRE.
func (s *acquireSetup) send(t *testing.T) {
	t.Helper()
	err := s.ns.Do(func() error {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return err
		}
		defer unix.Close(fd)
		if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: acqSrc.As4()}); err != nil {
			return err
		}
		_ = unix.Sendto(fd, []byte("acquire me"), 0, &unix.SockaddrInet4{Port: 9999, Addr: acqDst.As4()})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// next waits for the next event of kind k, failing after 5 s.
func next(t *testing.T, evs func() (Event, error, bool), k EventKind) Event {
	t.Helper()
	for {
		ev, err, ok := evs()
		if !ok {
			t.Fatalf("events ended waiting for %v", k)
		}
		if err != nil {
			t.Fatalf("waiting for %v: %v", k, err)
		}
		if ev.Kind == k {
			return ev
		}
	}
}

// ACQUIRE end to end: traffic matching an out policy with no SA makes the
// kernel send ACQUIRE (selector, policy, template) and hold a larval SA,
// which lists with real kernel bytes; AllocSPI gives it an SPI in range,
// State gets it, completing it is refused for want of the ESP type,
// DeleteState and FlushStates remove it (with their notifications), and a
// larval SA's timeout sends a hard EXPIRE.
func TestAcquire(t *testing.T) {
	s := newAcquireSetup(t)
	c := s.c
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := c.JoinGroup(GroupAcquire, GroupSA, GroupExpire, GroupPolicy); err != nil {
		t.Fatal(err)
	}
	evs, stop := iterPull(c.Events(ctx), cancel)
	defer stop()

	s.send(t)
	acq := next(t, evs, EventAcquire).Acquire
	if acq.Proto != ProtoESP || acq.Dst != acqDst || acq.Src != acqSrc || acq.Seq == 0 {
		t.Errorf("acquire id: %v %v %v seq %d", acq.Proto, acq.Src, acq.Dst, acq.Seq)
	}
	if acq.Selector.Src != netip.PrefixFrom(acqSrc, 32) || acq.Selector.Dst != netip.PrefixFrom(acqDst, 32) ||
		acq.Selector.Proto != unix.IPPROTO_UDP || acq.Selector.DstPort != 9999 {
		t.Errorf("acquire selector: %+v", acq.Selector)
	}
	if acq.Policy.Dir != DirOut || acq.Policy.Selector.DstPort != 9999 || len(acq.Policy.Templates) != 1 ||
		acq.Policy.Templates[0].Proto != ProtoESP || acq.Policy.Templates[0].ReqID != 7 || acq.Policy.Index == 0 {
		t.Errorf("acquire policy: %+v", acq.Policy)
	}

	// The larval SA.
	states, err := c.StateList(ctx, StateFilter{})
	if err != nil || len(states) != 1 {
		t.Fatalf("states: %d, %v", len(states), err)
	}
	l := states[0]
	if l.Proto != ProtoESP || l.SPI != 0 || l.Src != acqSrc || l.Dst != acqDst || l.ReqID != 7 || l.Mode != ModeTransport ||
		l.Limits.HardAdd != 30 || l.Current.Added == 0 || l.Seq != acq.Seq {
		t.Errorf("larval SA: %+v", l)
	}
	// Filters go to the kernel.
	if got, err := c.StateList(ctx, StateFilter{Proto: ProtoAH}); err != nil || len(got) != 0 {
		t.Errorf("AH filter: %d, %v", len(got), err)
	}
	if got, err := c.StateList(ctx, StateFilter{Dst: netip.MustParsePrefix("198.18.0.0/24")}); err != nil || len(got) != 1 {
		t.Errorf("address filter: %d, %v", len(got), err)
	}
	if got, err := c.StateList(ctx, StateFilter{Dst: netip.MustParsePrefix("198.19.0.0/24")}); err != nil || len(got) != 0 {
		t.Errorf("address filter elsewhere: %d, %v", len(got), err)
	}
	sad, err := c.SADInfo(ctx)
	if err != nil || sad.Count != 1 {
		t.Errorf("SAD info %+v, %v", sad, err)
	}

	// An SPI for it.
	got, err := c.AllocSPI(ctx, State{Src: acqSrc, Dst: acqDst, Proto: ProtoESP, Mode: ModeTransport, ReqID: 7, Seq: acq.Seq}, 0x1000, 0x1fff)
	if err != nil {
		t.Fatal(err)
	}
	if got.SPI < 0x1000 || got.SPI > 0x1fff || got.Dst != acqDst || got.Seq != acq.Seq {
		t.Errorf("allocated: spi %#x %+v", got.SPI, got.ID())
	}
	id := StateID{Dst: acqDst, SPI: got.SPI, Proto: ProtoESP}
	byID, err := c.State(ctx, id)
	if err != nil || byID.SPI != got.SPI || byID.ReqID != 7 {
		t.Errorf("get: %+v, %v", byID.ID(), err)
	}
	// Its counters, and setting them.
	cid := id
	cid.Src = acqSrc
	cnt, err := c.Counters(ctx, cid)
	if err != nil || cnt.ID.SPI != got.SPI || cnt.ReqID != 7 || cnt.Src != acqSrc {
		t.Errorf("counters: %+v, %v", cnt, err)
	}
	cnt.Replay = &Replay{OSeq: 3, Seq: 2, Bitmap: 1}
	cnt.Lifetime = Lifetime{Bytes: 100, Packets: 2}
	// The kernel sets counters only on complete SAs, which this kernel
	// cannot hold: the request is checked and refused for the state.
	var nerr *netlink.Error
	if err := c.SetCounters(ctx, cnt); !errors.As(err, &nerr) || nerr.Errno != syscall.EINVAL || nerr.Message != "SA must be in VALID state" {
		t.Errorf("set counters on a larval SA: %v", err)
	}
	// Completing it needs the ESP type, which this kernel lacks.
	full := byID
	full.Crypt = Algorithm{Name: "cbc(aes)", Key: key16}
	full.Auth = Algorithm{Name: "hmac(sha256)", Key: key32}
	if err := c.ReplaceState(ctx, full); !errors.Is(err, syscall.EPROTONOSUPPORT) {
		t.Errorf("completing the SA: %v", err)
	}
	if err := c.DeleteState(ctx, id); err != nil {
		t.Fatal(err)
	}
	del := next(t, evs, EventDeleteState)
	if del.State.SPI != got.SPI || del.State.Dst != acqDst || del.State.ReqID != 7 {
		t.Errorf("delete event: %+v", del.State.ID())
	}
	if _, err := c.State(ctx, id); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("get after delete: %v", err)
	}

	// Another acquire, then a flush.
	s.send(t)
	next(t, evs, EventAcquire)
	if err := c.FlushStates(ctx, ProtoAny); err != nil {
		t.Fatal(err)
	}
	if ev := next(t, evs, EventFlushStates); ev.Proto != ProtoAny {
		t.Errorf("flush event proto %v", ev.Proto)
	}

	// A larval SA that times out sends a hard EXPIRE.
	kerneltest.Tool(t, "sysctl", "procps")
	kerneltest.Run(t, s.ns, "sysctl", "-q", "-w", "net.core.xfrm_acq_expires=1")
	s.send(t)
	acq2 := next(t, evs, EventAcquire).Acquire
	exp := next(t, evs, EventExpire)
	if !exp.Hard || exp.State.Dst != acqDst || exp.State.Seq != acq2.Seq {
		t.Errorf("expire: hard %v, %+v seq %d", exp.Hard, exp.State.ID(), exp.State.Seq)
	}
	if states, err := c.StateList(ctx, StateFilter{}); err != nil || len(states) != 0 {
		t.Errorf("after expiry: %d states, %v", len(states), err)
	}

	// Policy events while we are at it (and the policy's kernel bytes,
	// for the fuzz seeds).
	if pols, err := c.PolicyList(ctx); err != nil || len(pols) != 1 {
		t.Fatalf("policies: %d, %v", len(pols), err)
	}
	if err := c.DeletePolicy(ctx, s.pol.ID()); err != nil {
		t.Fatal(err)
	}
	if ev := next(t, evs, EventDeletePolicy); ev.Policy.Selector.DstPort != 9999 || len(ev.Policy.Templates) != 1 {
		t.Errorf("policy delete event: %+v", ev.Policy)
	}
	s.rec.record(t)
}

// iterPull is iter.Pull2 with the ok last, for next.
// stop cancels the stream's context (cancel) and waits for it to end.
func iterPull(seq func(func(Event, error) bool), cancel func()) (func() (Event, error, bool), func()) {
	ch := make(chan struct {
		ev  Event
		err error
	})
	done := make(chan struct{})
	go func() {
		defer close(ch)
		seq(func(ev Event, err error) bool {
			select {
			case ch <- struct {
				ev  Event
				err error
			}{ev, err}:
				return true
			case <-done:
				return false
			}
		})
	}()
	return func() (Event, error, bool) {
			v, ok := <-ch
			return v.ev, v.err, ok
		}, func() {
			cancel()
			close(done)
			for range ch {
			}
		}
}
