package ynl

import (
	"context"
	"github.com/nlkit/nlkit/netlink"
	"testing"
)

const specs = "/tmp/ynlsrc/linux-source-6.12/Documentation/netlink/specs/"

func TestTmpSmoke(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		f, op string
		req   map[string]any
	}{{"netdev", "dev-get", nil}, {"rt_addr", "getaddr", nil}, {"rt_route", "getroute", map[string]any{"rtm-family": 2}}, {"rt_link", "getlink", nil}, {"ethtool", "linkinfo-get", map[string]any{"header": map[string]any{}}}, {"nlctrl", "getfamily", nil}} {
		s, err := SpecFile(specs + c.f + ".yaml")
		if err != nil {
			t.Fatal(err)
		}
		cn, err := Dial(s, nil)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for v, err := range cn.Dump(ctx, c.op, c.req) {
			if err != nil {
				t.Error(c.f, err)
				break
			}
			if n < 2 {
				j, _ := JSON(v, "")
				t.Logf("%s: %s", c.f, j)
			}
			n++
		}
		cn.Close()
	}
	s, _ := SpecFile(specs + "ethtool.yaml")
	cn, _ := Dial(s, nil)
	_, err := cn.Execute(ctx, "channels-get", map[string]any{"header": map[string]any{"dev-index": 99999}}, 0)
	t.Log(err)
	_, err = cn.Execute(ctx, "channels-get", map[string]any{"header": map[string]any{"dev-name": "nonexistent0"}}, 0)
	t.Log(err)
	_, err = cn.Execute(ctx, "channels-get", map[string]any{}, 0)
	t.Log(err)
	_ = netlink.Create
}
