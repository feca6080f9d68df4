package xfrmtest_test

import (
	"context"
	"errors"
	"io/fs"
	"net/netip"
	"syscall"
	"testing"
	"time"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/xfrm"
	"github.com/nlkit/nlkit/xfrm/xfrmtest"
)

func dial(t *testing.T, f *xfrmtest.Fake) *xfrm.Conn {
	t.Helper()
	nl, err := f.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nl.Close() })
	c := xfrm.NewConn(nl)
	t.Cleanup(func() { c.Close() })
	return c
}

var (
	src, dst = netip.MustParseAddr("198.18.0.1"), netip.MustParseAddr("198.18.0.2")
	keyed    = xfrm.State{Src: src, Dst: dst, SPI: 0x100, Proto: xfrm.ProtoESP, Mode: xfrm.ModeTunnel, ReqID: 5,
		Crypt: xfrm.Algorithm{Name: "cbc(aes)", Key: make([]byte, 16)}, Auth: xfrm.Algorithm{Name: "hmac(sha256)", Key: make([]byte, 32), ICVBits: 128},
		Mark: xfrm.Mark{Value: 7, Mask: 0xf}}
)

// SAs with keys (which a kernel without ESP refuses) go through the
// whole API on the fake, with their notifications.
func TestStates(t *testing.T) {
	f := xfrmtest.NewFake()
	c := dial(t, f)
	w := dial(t, f)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := w.JoinGroup(xfrm.GroupSA); err != nil {
		t.Fatal(err)
	}
	next, stop := pull(w.Events(ctx))
	defer stop()
	if err := c.AddState(ctx, keyed); err != nil {
		t.Fatal(err)
	}
	if ev := next(); ev.Kind != xfrm.EventNewState || ev.State.SPI != 0x100 || string(ev.State.Auth.Key) != string(keyed.Auth.Key) {
		t.Errorf("event %v %v", ev.Kind, ev.State.ID())
	}
	if err := c.AddState(ctx, keyed); !errors.Is(err, fs.ErrExist) {
		t.Errorf("duplicate: %v", err)
	}
	got, err := c.State(ctx, keyed.ID())
	if err != nil || got.Crypt.Name != "cbc(aes)" || got.Auth.ICVBits != 128 || got.Current.Added == 0 {
		t.Fatalf("get: %+v %v", got.ID(), err)
	}
	up := keyed
	up.ReqID = 6
	if err := c.ReplaceState(ctx, up); err != nil {
		t.Fatal(err)
	}
	if ev := next(); ev.Kind != xfrm.EventUpdateState || ev.State.ReqID != 6 {
		t.Errorf("update event %v %d", ev.Kind, ev.State.ReqID)
	}
	missing := keyed
	missing.SPI = 0x999
	if err := c.ReplaceState(ctx, missing); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("update of a missing SA: %v", err)
	}
	larval, err := c.AllocSPI(ctx, xfrm.State{Src: src, Dst: dst, Proto: xfrm.ProtoAH, ReqID: 9}, 0x200, 0x2ff)
	if err != nil || larval.SPI != 0x200 {
		t.Fatalf("allocspi: %#x %v", larval.SPI, err)
	}
	list, err := c.StateList(ctx, xfrm.StateFilter{Proto: xfrm.ProtoAH})
	if err != nil || len(list) != 1 || list[0].SPI != 0x200 {
		t.Errorf("AH list: %d %v", len(list), err)
	}
	if err := c.DeleteState(ctx, keyed.ID()); err != nil {
		t.Fatal(err)
	}
	if ev := next(); ev.Kind != xfrm.EventDeleteState || ev.State.SPI != 0x100 || ev.State.Crypt.Name != "cbc(aes)" {
		t.Errorf("delete event %v %+v", ev.Kind, ev.State.ID())
	}
	if err := c.FlushStates(ctx, xfrm.ProtoAny); err != nil {
		t.Fatal(err)
	}
	if ev := next(); ev.Kind != xfrm.EventFlushStates {
		t.Errorf("flush event %v", ev.Kind)
	}
	if info, err := c.SADInfo(ctx); err != nil || info.Count != 0 {
		t.Errorf("SAD info %+v %v", info, err)
	}
}

// Policies get the kernel's indexes, and are found by selector and by
// index.
func TestPolicies(t *testing.T) {
	f := xfrmtest.NewFake()
	c := dial(t, f)
	ctx := context.Background()
	p := xfrm.Policy{Selector: xfrm.Selector{Src: netip.MustParsePrefix("198.18.0.0/24"), Dst: netip.MustParsePrefix("198.18.1.0/24")},
		Dir: xfrm.DirOut, Templates: []xfrm.Template{{Proto: xfrm.ProtoESP, Mode: xfrm.ModeTransport}}}
	in := p
	in.Dir = xfrm.DirIn
	if err := c.AddPolicies(ctx, []xfrm.Policy{p, in, p}); err == nil {
		t.Fatal("duplicate accepted")
	}
	list, err := c.PolicyList(ctx)
	if err != nil || len(list) != 2 || list[0].Index != 1 || list[1].Index != 8 {
		t.Fatalf("list %d %v", len(list), err)
	}
	got, err := c.Policy(ctx, xfrm.PolicyID{Index: 8, Dir: xfrm.DirIn})
	if err != nil || got.Dir != xfrm.DirIn {
		t.Errorf("by index: %v %v", got, err)
	}
	if _, err := c.Policy(ctx, p.ID()); err != nil {
		t.Errorf("by selector: %v", err)
	}
	info, err := c.SPDInfo(ctx)
	if err != nil || info.In != 1 || info.Out != 1 {
		t.Errorf("SPD info %+v %v", info, err)
	}
	if err := c.DeletePolicy(ctx, p.ID()); err != nil {
		t.Fatal(err)
	}
	if err := c.DeletePolicy(ctx, p.ID()); !errors.Is(err, syscall.ENOENT) {
		t.Errorf("second delete: %v", err)
	}
	if err := c.SetDefaultPolicy(ctx, xfrm.DefaultPolicy{Fwd: xfrm.DefaultBlock}); err != nil {
		t.Fatal(err)
	}
	if d, err := c.DefaultPolicy(ctx); err != nil || d.Fwd != xfrm.DefaultBlock || d.In != xfrm.DefaultAccept {
		t.Errorf("defaults %+v %v", d, err)
	}
	if err := c.FlushPolicies(ctx, xfrm.PolicyTypeMain); err != nil {
		t.Fatal(err)
	}
	if len(f.PolicyList()) != 0 {
		t.Errorf("policies left after flush")
	}
}

// An overrun is an event and the stream goes on.
func TestOverrun(t *testing.T) {
	f := xfrmtest.NewFake()
	w := dial(t, f)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := w.JoinGroup(xfrm.GroupPolicy); err != nil {
		t.Fatal(err)
	}
	f.Overrun()
	c := dial(t, f) // after the loss: its requests are not affected
	done := make(chan error, 1)
	go func() {
		n := 0
		for ev, err := range w.Events(ctx) {
			if n == 0 && !errors.Is(err, netlink.ErrOverrun) {
				done <- err
				return
			}
			if n == 1 {
				if err != nil || ev.Kind != xfrm.EventNewPolicy {
					done <- err
				} else {
					done <- nil
				}
				return
			}
			n++
		}
	}()
	time.Sleep(50 * time.Millisecond)
	if err := c.AddPolicy(ctx, xfrm.Policy{Dir: xfrm.DirIn, Selector: xfrm.Selector{Src: netip.MustParsePrefix("198.18.0.0/24")}}); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func pull(seq func(func(xfrm.Event, error) bool)) (func() xfrm.Event, func()) {
	ch := make(chan xfrm.Event)
	stop := make(chan struct{})
	go func() {
		defer close(ch)
		seq(func(ev xfrm.Event, err error) bool {
			if err != nil {
				return false
			}
			select {
			case ch <- ev:
				return true
			case <-stop:
				return false
			}
		})
	}()
	return func() xfrm.Event { return <-ch }, func() { close(stop) }
}

// A key manager answers the fake's ACQUIRE as it would the kernel's: it
// allocates an SPI for the larval SA by the ACQUIRE's sequence number and
// completes it with keys, which a kernel without ESP cannot hold.
func TestKeyManager(t *testing.T) {
	f := xfrmtest.NewFake()
	km := dial(t, f)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := km.JoinGroup(xfrm.GroupAcquire); err != nil {
		t.Fatal(err)
	}
	p := xfrm.Policy{Selector: xfrm.Selector{Src: netip.PrefixFrom(src, 32), Dst: netip.PrefixFrom(dst, 32)}, Dir: xfrm.DirOut,
		Templates: []xfrm.Template{{Proto: xfrm.ProtoESP, Mode: xfrm.ModeTransport, ReqID: 7}}}
	if err := km.AddPolicy(ctx, p); err != nil {
		t.Fatal(err)
	}
	answered := make(chan error, 1)
	go func() {
		for ev, err := range km.Events(ctx) {
			if err != nil {
				answered <- err
				return
			}
			if ev.Kind != xfrm.EventAcquire {
				continue
			}
			a := ev.Acquire
			tmpl := a.Policy.Templates[0]
			sa, err := km.AllocSPI(ctx, xfrm.State{Src: a.Src, Dst: a.Dst, Proto: a.Proto, Mode: tmpl.Mode, ReqID: tmpl.ReqID, Seq: a.Seq}, 0x100, 0x1ff)
			if err != nil {
				answered <- err
				return
			}
			sa.Crypt = xfrm.Algorithm{Name: "cbc(aes)", Key: []byte("0123456789abcdef")}
			sa.Auth = xfrm.Algorithm{Name: "hmac(sha256)", Key: make([]byte, 32), ICVBits: 128}
			sa.Selector = a.Selector
			answered <- km.ReplaceState(ctx, sa)
			return
		}
	}()
	time.Sleep(20 * time.Millisecond) // the key manager is listening
	sel := xfrm.Selector{Src: netip.PrefixFrom(src, 32), Dst: netip.PrefixFrom(dst, 32), Proto: 17, DstPort: 9999, DstPortMask: 0xffff}
	seq, err := f.Acquire(p, src, dst, sel)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-answered; err != nil {
		t.Fatal(err)
	}
	states := f.StateList()
	if len(states) != 1 {
		t.Fatalf("%d SAs", len(states))
	}
	s := states[0]
	if s.SPI != 0x100 || s.Seq != seq || s.ReqID != 7 || string(s.Crypt.Key) != "0123456789abcdef" || s.Selector.DstPort != 9999 {
		t.Errorf("completed SA: %v seq %d reqid %d sel %+v", s, s.Seq, s.ReqID, s.Selector)
	}
}
