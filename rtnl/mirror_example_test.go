package rtnl_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/nlkit/nlkit/rtnl"
)

// A Mirror keeps the tables current and resynchronises by itself.
func ExampleMirror() {
	m := rtnl.NewMirror(rtnl.MirrorConfig{Routes: true, Links: true})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		if err := m.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
			log.Print(err)
		}
	}()
	<-m.Ready()
	fmt.Println(len(m.LinkList()) > 0, len(m.RouteList()) >= 0, m.Stats().Resyncs)
}
