package xfrmtest_test

import (
	"context"
	"fmt"
	"log"
	"net/netip"

	"github.com/nlkit/nlkit/xfrm"
	"github.com/nlkit/nlkit/xfrm/xfrmtest"
)

// Test code that installs SAs without root or ESP modules.
func ExampleNewFake() {
	f := xfrmtest.NewFake()
	nl, err := f.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer nl.Close()
	c := xfrm.NewConn(nl)
	ctx := context.Background()
	sa := xfrm.State{Src: netip.MustParseAddr("198.18.0.1"), Dst: netip.MustParseAddr("198.18.0.2"), SPI: 0x100,
		Proto: xfrm.ProtoESP, Mode: xfrm.ModeTransport, AEAD: xfrm.Algorithm{Name: "rfc4106(gcm(aes))", Key: make([]byte, 20), ICVBits: 128}}
	if err := c.AddState(ctx, sa); err != nil {
		log.Fatal(err)
	}
	for s, err := range c.States(ctx, xfrm.StateFilter{}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(s, s.AEAD)
	}
	// Output: esp spi 0x00000100 198.18.0.1 -> 198.18.0.2 rfc4106(gcm(aes)) (160 bits) icv/trunc 128
}
