package nltest_test

import (
	"context"
	"errors"
	"fmt"
	"syscall"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nltest"
)

// countLinks is the code under test: it dumps RTM_GETLINK and counts.
func countLinks(ctx context.Context, c *netlink.Conn) (int, error) {
	n := 0
	for _, err := range c.Dump(ctx, netlink.Message{Header: netlink.Header{Type: 18 /* RTM_GETLINK */}, Data: make([]byte, 16)}) {
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// A user's function tested against a fake kernel: no root, no namespace.
func Example() {
	fake := nltest.HandlerFunc(func(req netlink.Message) ([]netlink.Message, error) {
		if req.Header.Type != 18 {
			return nil, nltest.Errorf(syscall.EOPNOTSUPP, "only RTM_GETLINK here")
		}
		link := netlink.Message{Header: netlink.Header{Type: 16 /* RTM_NEWLINK */}, Data: make([]byte, 16)}
		return []netlink.Message{link, link, link}, nil
	})
	c, err := nltest.Dial(fake, nil)
	if err != nil {
		panic(err)
	}
	defer c.Close()

	n, err := countLinks(context.Background(), c)
	fmt.Println(n, err)

	_, err = c.Execute(context.Background(), netlink.Message{Header: netlink.Header{Type: 20}})
	var ne *netlink.Error
	fmt.Println(errors.As(err, &ne), ne.Errno == syscall.EOPNOTSUPP, ne.Message)
	// Output:
	// 3 <nil>
	// true true only RTM_GETLINK here
}

// Notifications: the Server multicasts to the Conns that joined a group.
func ExampleServer_Notify() {
	srv := nltest.NewServer(nltest.HandlerFunc(func(netlink.Message) ([]netlink.Message, error) { return nil, nil }))
	w, _ := srv.Dial(&netlink.Config{Groups: []uint32{1}})
	defer w.Close()
	srv.Notify(1, netlink.Message{Header: netlink.Header{Type: 16}, Data: []byte{1, 2, 3, 4}})
	for n, err := range w.Receive(context.Background()) {
		fmt.Println(n.Group, n.Header.Type, n.Data, err)
		break
	}
	// Output: 1 type(16) [1 2 3 4] <nil>
}
