package xfrm_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/netip"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/xfrm"
)

// A transport-mode ESP association between two hosts, one SA each way,
// and the policies that send their traffic through them: what host A
// (198.18.0.1) installs to talk to host B (198.18.0.2); B installs the
// mirror image.
func Example_transportPair() {
	c, err := xfrm.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	a, b := netip.MustParseAddr("198.18.0.1"), netip.MustParseAddr("198.18.0.2")
	keyAB := make([]byte, 20) // from your key exchange: 16 bytes of AES key, 4 of salt
	keyBA := make([]byte, 20)
	sa := func(src, dst netip.Addr, spi uint32, key []byte) xfrm.State {
		return xfrm.State{
			Src: src, Dst: dst, SPI: spi, Proto: xfrm.ProtoESP, Mode: xfrm.ModeTransport, ReqID: 1,
			ReplayWindow: 32,
			AEAD:         xfrm.Algorithm{Name: "rfc4106(gcm(aes))", Key: key, ICVBits: 128},
		}
	}
	if err := c.AddStates(ctx, []xfrm.State{sa(a, b, 0x1000, keyAB), sa(b, a, 0x2000, keyBA)}); err != nil {
		log.Fatal(err) // names the SA, never its key
	}
	policy := func(src, dst netip.Addr, dir xfrm.Dir) xfrm.Policy {
		return xfrm.Policy{
			Selector:  xfrm.Selector{Src: netip.PrefixFrom(src, 32), Dst: netip.PrefixFrom(dst, 32)},
			Dir:       dir,
			Templates: []xfrm.Template{{Proto: xfrm.ProtoESP, Mode: xfrm.ModeTransport, ReqID: 1}},
		}
	}
	if err := c.AddPolicies(ctx, []xfrm.Policy{policy(a, b, xfrm.DirOut), policy(b, a, xfrm.DirIn)}); err != nil {
		log.Fatal(err)
	}
}

// A key manager's loop: answer each ACQUIRE with an SA for the template
// the policy wants, carrying the ACQUIRE's sequence number. (A real one
// negotiates keys with the peer first; see RFC 7296.)
func Example_acquireHandler() {
	c, err := xfrm.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	if err := c.JoinGroup(xfrm.GroupAcquire); err != nil {
		log.Fatal(err)
	}
	for ev, err := range c.Events(ctx) {
		if errors.Is(err, netlink.ErrOverrun) {
			continue // ACQUIREs were lost; the kernel sends them again for new traffic
		}
		if err != nil {
			log.Fatal(err)
		}
		if ev.Kind != xfrm.EventAcquire {
			continue
		}
		acq := ev.Acquire
		tmpl := acq.Policy.Templates[0]
		sa, err := c.AllocSPI(ctx, xfrm.State{Src: acq.Src, Dst: acq.Dst, Proto: acq.Proto, Mode: tmpl.Mode, ReqID: tmpl.ReqID, Seq: acq.Seq}, 0x100, 0x0fffffff)
		if err != nil {
			log.Print(err)
			continue
		}
		sa.Crypt = xfrm.Algorithm{Name: "cbc(aes)", Key: make([]byte, 16)}
		sa.Auth = xfrm.Algorithm{Name: "hmac(sha256)", Key: make([]byte, 32), ICVBits: 128}
		sa.Selector = acq.Selector
		if err := c.ReplaceState(ctx, sa); err != nil {
			log.Print(err)
		}
	}
}

func ExampleDial() {
	c, err := xfrm.Dial(&netlink.Config{}) // cfg.NetNS for another namespace
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
}

func ExampleConn_States() {
	c, err := xfrm.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	for s, err := range c.States(context.Background(), xfrm.StateFilter{Proto: xfrm.ProtoESP}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(s) // esp spi 0x00001000 198.18.0.1 -> 198.18.0.2 (no keys)
	}
}

func ExampleConn_State() {
	c, err := xfrm.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	s, err := c.State(context.Background(), xfrm.StateID{Dst: netip.MustParseAddr("198.18.0.2"), SPI: 0x1000, Proto: xfrm.ProtoESP})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s.Mode, s.ReqID, s.Current.Bytes)
}

func ExampleConn_DeleteState() {
	c, err := xfrm.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	err = c.DeleteState(context.Background(), xfrm.StateID{Dst: netip.MustParseAddr("198.18.0.2"), SPI: 0x1000, Proto: xfrm.ProtoESP})
	if err != nil {
		log.Fatal(err)
	}
}

func ExampleConn_FlushStates() {
	c, err := xfrm.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if err := c.FlushStates(context.Background(), xfrm.ProtoAny); err != nil {
		log.Fatal(err)
	}
}

func ExampleConn_Policies() {
	c, err := xfrm.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	for p, err := range c.Policies(context.Background()) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(p, p.Action, len(p.Templates))
	}
}

func ExampleConn_Policy() {
	c, err := xfrm.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	p, err := c.Policy(context.Background(), xfrm.PolicyID{Index: 9, Dir: xfrm.DirOut})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.Selector.Src, p.Selector.Dst, p.Priority)
}

func ExampleConn_DeletePolicy() {
	c, err := xfrm.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	sel := xfrm.Selector{Src: netip.MustParsePrefix("198.18.0.0/24"), Dst: netip.MustParsePrefix("198.18.1.0/24")}
	if err := c.DeletePolicy(context.Background(), xfrm.PolicyID{Selector: sel, Dir: xfrm.DirOut}); err != nil {
		log.Fatal(err)
	}
}

func ExampleConn_FlushPolicies() {
	c, err := xfrm.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if err := c.FlushPolicies(context.Background(), xfrm.PolicyTypeMain); err != nil {
		log.Fatal(err)
	}
}

func ExampleConn_ReplacePolicy() {
	c, err := xfrm.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	err = c.ReplacePolicy(context.Background(), xfrm.Policy{
		Selector: xfrm.Selector{Src: netip.MustParsePrefix("2001:db8::/64"), Dst: netip.MustParsePrefix("2001:db8:1::/64")},
		Dir:      xfrm.DirIn, Action: xfrm.ActionBlock, Priority: 10,
	})
	if err != nil {
		log.Fatal(err)
	}
}

func ExampleConn_SetDefaultPolicy() {
	c, err := xfrm.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	// Drop forwarded traffic no policy covers; leave in and out as they are.
	if err := c.SetDefaultPolicy(ctx, xfrm.DefaultPolicy{Fwd: xfrm.DefaultBlock}); err != nil {
		log.Fatal(err)
	}
	d, err := c.DefaultPolicy(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(d.In, d.Fwd, d.Out)
}

func ExampleConn_SPDInfo() {
	c, err := xfrm.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	spd, err := c.SPDInfo(ctx)
	if err != nil {
		log.Fatal(err)
	}
	sad, err := c.SADInfo(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(spd.In, spd.Out, spd.Fwd, sad.Count)
}

func ExampleConn_SetSPDThresholds() {
	c, err := xfrm.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if err := c.SetSPDThresholds(context.Background(), &xfrm.HashThreshold{Local: 24, Remote: 24}, nil); err != nil {
		log.Fatal(err)
	}
}

func ExampleConn_Counters() {
	c, err := xfrm.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	id := xfrm.StateID{Src: netip.MustParseAddr("198.18.0.1"), Dst: netip.MustParseAddr("198.18.0.2"), SPI: 0x1000, Proto: xfrm.ProtoESP}
	cnt, err := c.Counters(context.Background(), id)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(cnt.Lifetime.Bytes, cnt.Lifetime.Packets)
}

func ExampleProto_String() {
	fmt.Println(xfrm.ProtoESP, xfrm.ModeTunnel, xfrm.DirFwd, xfrm.StateNoECN|xfrm.StateESN)
	// Output: esp tunnel fwd noecn esn
}

func ExampleAlgorithm_String() {
	a := xfrm.Algorithm{Name: "cbc(aes)", Key: []byte("0123456789abcdef")}
	fmt.Println(a) // keys never print
	// Output: cbc(aes) (128 bits)
}
