//go:build linux

package xfrm

import (
	"context"
	"errors"
	"strings"
	"syscall"
	"testing"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netlink"
)

// Each SA shape encodes to exactly the request `ip xfrm state add` sends
// for the same words, and the kernel refuses ours as it refuses ip's:
// after checking every attribute, at the type lookup (EPROTONOSUPPORT: this kernel has no
// ESP, AH or IPComp module) or, for AEAD, at the algorithm lookup (no
// gcm module).
func TestStateShapesLikeIP(t *testing.T) {
	ns, name := kerneltest.NamedNetNS(t)
	c, err := Dial(&netlink.Config{NetNS: ns})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	if len(stateShapes) < 15 {
		t.Fatalf("%d shapes, want at least 15", len(stateShapes))
	}
	for _, sh := range stateShapes {
		t.Run(sh.name, func(t *testing.T) {
			msgs, ipErr := ipSends(t, name, append([]string{"state", "add"}, strings.Fields(sh.ip)...)...)
			ip := firstOf(t, msgs, msgNewSA)
			if ip.flags != netlink.Request|netlink.Acknowledge {
				t.Errorf("ip's flags %v", ip.flags)
			}
			ours, err := sh.state.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			sameBytes(t, sh.name, ip.data, ours)

			err = c.AddState(ctx, sh.state)
			var ne *netlink.Error
			if !errors.As(err, &ne) {
				t.Fatalf("AddState: %v, want a kernel error", err)
			}
			if want := "Error: " + ne.Message + "."; ipErr != want {
				t.Errorf("kernel refused ours with %q (%v), ip's with %q", ne.Message, ne.Errno, ipErr)
			}
			switch {
			case sh.state.AEAD.Name != "":
				if !errors.Is(err, syscall.ENOSYS) || ne.Message != "Requested AEAD algorithm not found" {
					t.Errorf("AEAD SA: %v", err)
				}
			default:
				if !errors.Is(err, syscall.EPROTONOSUPPORT) || ne.Message != "Requested type not found" {
					t.Errorf("SA: %v, want EPROTONOSUPPORT \"Requested type not found\"", err)
				}
			}
			if !strings.HasPrefix(err.Error(), "xfrm: add state "+sh.state.String()+": ") {
				t.Errorf("error does not name the SA: %v", err)
			}
			if strings.Contains(err.Error(), "0001020304") {
				t.Errorf("error shows a key: %v", err)
			}
		})
	}
}

// ReplaceState, State, DeleteState, FlushStates and AllocSPI send what ip
// sends for the same words.
func TestStateRequestsLikeIP(t *testing.T) {
	_, name := kerneltest.NamedNetNS(t)
	sh := stateShapes[1]
	for _, tc := range []struct {
		words string
		typ   netlink.MessageType
		body  func() ([]byte, error)
	}{
		{"state update " + sh.ip, msgUpdSA, sh.state.MarshalBinary},
		{"state get src 198.18.0.1 dst 198.18.0.2 proto esp spi 0x101", msgGetSA,
			func() ([]byte, error) { id := sh.state.ID(); return id.request(), nil }},
		{"state get dst 198.18.0.2 proto ah spi 0x101 mark 5 mask 0xff", msgGetSA,
			func() ([]byte, error) {
				id := StateID{Dst: sa2, Proto: ProtoAH, SPI: 0x101, Mark: Mark{5, 0xff}}
				return id.request(), nil
			}},
		{"state delete src 198.18.0.1 dst 198.18.0.2 proto esp spi 0x101 mark 5 mask 0xf", msgDelSA,
			func() ([]byte, error) {
				id := sh.state.ID()
				id.Mark = Mark{5, 0xf}
				return id.request(), nil
			}},
		{"state flush", msgFlushSA, func() ([]byte, error) { return []byte{0}, nil }},
		{"state flush proto ah", msgFlushSA, func() ([]byte, error) { return []byte{uint8(ProtoAH)}, nil }},
	} {
		msgs, _ := ipSends(t, name, strings.Fields(tc.words)...)
		ip := firstOf(t, msgs, tc.typ)
		ours, err := tc.body()
		if err != nil {
			t.Fatal(err)
		}
		sameBytes(t, tc.words, ip.data, ours)
	}
}
