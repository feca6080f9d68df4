package rtnl_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/nlkit/nlkit/rtnl"
	"github.com/nlkit/nlkit/rtnl/rtnltest"
)

// A Dialer is where sockets come from: nil (the default) is the kernel,
// and an rtnltest.Fake runs a Mirror, a Resolver or a Conn without root.
func ExampleDialer() {
	fake := rtnltest.NewFake() // a fresh namespace: lo, down
	m := rtnl.NewMirror(rtnl.MirrorConfig{Links: true, Dialer: fake})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		if err := m.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
			log.Print(err)
		}
	}()
	<-m.Ready()
	for _, l := range m.LinkList() {
		fmt.Println(l.Index, l.Name)
	}
	// Output: 1 lo
}
