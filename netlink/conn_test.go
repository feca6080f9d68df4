package netlink

import (
	"errors"
	"testing"

	"github.com/nlkit/nlkit/nlattr"
	"golang.org/x/sys/unix"
)

func TestLinkDump(t *testing.T) {
	c, _ := dialRoute(t, nil)
	ctx := testCtx(t)
	var names []string
	for m, err := range c.Dump(ctx, Message{Header: Header{Type: rtmGetLink}, Data: ifinfomsg(unix.AF_UNSPEC, 0)}) {
		if err != nil {
			t.Fatal(err)
		}
		if m.Header.Type != rtmNewLink {
			t.Fatalf("got %v", m.Header)
		}
		_, name := linkName(t, m)
		names = append(names, name)
	}
	if len(names) != 1 || names[0] != "lo" {
		t.Fatalf("links in a fresh namespace: %q, want [lo]", names)
	}
}

func TestExtendedAckNamesAttribute(t *testing.T) {
	c, _ := dialRoute(t, nil)
	ctx := testCtx(t)
	// IFLA_MTU with a 2-byte payload: the policy wants 4.
	e := nlattr.NewEncoder(ifinfomsg(unix.AF_UNSPEC, 1))
	e.Uint16(iflaMTU, 1400)
	b, _ := e.Finish()
	_, err := c.Execute(ctx, Message{Header: Header{Type: rtmNewLink}, Data: b})
	var ne *Error
	if !errors.As(err, &ne) {
		t.Fatalf("got %v, want *Error", err)
	}
	if ne.Errno == 0 || ne.Message == "" || ne.AttrType != iflaMTU || ne.Offset != HeaderLen+16 {
		t.Fatalf("got %#v (%v)", ne, err)
	}
	t.Logf("kernel said: %v", err)

	// Unknown link kind: the kernel explains in words.
	e = nlattr.NewEncoder(ifinfomsg(unix.AF_UNSPEC, 0))
	e.String(iflaIfname, "x0")
	e.Nest(iflaLinkinfo)
	e.String(iflaInfoKind, "no-such-kind")
	e.End()
	b, _ = e.Finish()
	_, err = c.Execute(ctx, Message{Header: Header{Type: rtmNewLink, Flags: Create | Excl}, Data: b})
	if !errors.As(err, &ne) || ne.Message == "" || ne.Errno == 0 {
		t.Fatalf("got %v, want an *Error with the kernel's message", err)
	}
	t.Logf("kernel said: %v", err)
}
