//go:build linux

package genl

import (
	"testing"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nlattr"
)

// Helpers shared by the kernel tests.

// dialNS opens a Conn in a throwaway namespace.
func dialNS(t *testing.T, cfg *netlink.Config) (*Conn, *netlink.Config) {
	t.Helper()
	ns := kerneltest.NetNS(t)
	if cfg == nil {
		cfg = &netlink.Config{}
	}
	cfg.NetNS = ns
	c, err := Dial(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, cfg
}

// netdevGet is a raw NETDEV_CMD_DEV_GET for ifindex.
func netdevGet(ifindex uint32) Message {
	e := nlattr.NewEncoder(nil)
	e.Uint32(1, ifindex) // NETDEV_A_DEV_IFINDEX
	b, _ := e.Finish()
	return Message{Command: 1, Data: b}
}
