package ynl_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/ynl"
	"github.com/nlkit/nlkit/ynl/gen/netdev"
)

// A family of your own module, described by a small spec.
const counterSpec = `
name: my_counter
protocol: genetlink
doc: A counter family.
attribute-sets:
  - name: counter
    attributes:
      - { name: name, type: string }
      - { name: value, type: u64 }
operations:
  list:
    - name: get
      doc: Read a counter.
      attribute-set: counter
      do: { request: { attributes: [ name ] }, reply: { attributes: [ name, value ] } }
`

func ExampleNewSpec() {
	spec, err := ynl.NewSpec([]byte(counterSpec))
	if err != nil {
		log.Fatal(err)
	}
	op := spec.Operation("get")
	fmt.Println(spec.Name, op.Name, op.RequestID, spec.AttributeSet("counter").Attr("value").ID)
	// Output: my_counter get 1 2
}

func ExampleSpec_AppendRequest() {
	spec, err := ynl.NewSpec([]byte(counterSpec))
	if err != nil {
		log.Fatal(err)
	}
	b, err := spec.AppendRequest(nil, "get", map[string]any{"name": "rx"})
	if err != nil {
		log.Fatal(err)
	}
	v, err := spec.Decode(spec.Operation("get"), b)
	if err != nil {
		log.Fatal(err)
	}
	j, _ := ynl.JSON(v, "")
	fmt.Printf("% x\n%s\n", b, j)
	// Output:
	// 07 00 01 00 72 78 00 00
	// {"name":"rx"}
}

func ExampleConn_Execute() {
	spec, err := ynl.SpecFile("testdata/specs/ethtool.yaml")
	if err != nil {
		log.Fatal(err)
	}
	c, err := ynl.Dial(spec, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	req, _ := ynl.ValueFromJSON([]byte(`{"header": {"dev-name": "lo"}}`))
	replies, err := c.Execute(context.Background(), "channels-get", req, 0)
	if e, ok := errors.AsType[*ynl.Error](err); ok {
		fmt.Println(e.Attr, e.Err.Errno) // e.g. header.dev-name operation not supported
		return
	}
	for _, r := range replies {
		j, _ := ynl.JSON(r, "  ")
		fmt.Println(string(j))
	}
}

func ExampleConn_Dump() {
	spec, err := ynl.SpecFile("testdata/specs/rt_addr.yaml")
	if err != nil {
		log.Fatal(err)
	}
	c, err := ynl.Dial(spec, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	for a, err := range c.Dump(context.Background(), "getaddr", map[string]any{"ifa-family": 2}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(a["ifa-label"], a["ifa-local"], a["ifa-prefixlen"])
	}
}

// Dump reuses its trees: Clone the ones to keep beyond the loop body.
func ExampleClone() {
	spec, err := ynl.SpecFile("testdata/specs/rt_addr.yaml")
	if err != nil {
		log.Fatal(err)
	}
	c, err := ynl.Dial(spec, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	var loopback []map[string]any
	for a, err := range c.Dump(context.Background(), "getaddr", map[string]any{"ifa-family": 2}) {
		if err != nil {
			log.Fatal(err)
		}
		if a["ifa-label"] == "lo" {
			loopback = append(loopback, ynl.Clone(a))
		}
	}
	fmt.Println(len(loopback))
}

func ExampleConn_Events() {
	spec, err := ynl.SpecFile("testdata/specs/netdev.yaml")
	if err != nil {
		log.Fatal(err)
	}
	c, err := ynl.Dial(spec, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	if err := c.JoinGroup(ctx, "mgmt"); err != nil {
		log.Fatal(err)
	}
	for ev, err := range c.Events(ctx) {
		if errors.Is(err, netlink.ErrOverrun) {
			continue // some were lost: dump again to resynchronise
		}
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(ev.Op, ev.Attrs["ifindex"])
	}
}

// The same family through the package nlgen generated from its spec
// (ynl/gen/netdev): typed values, no YAML at run time.
func Example_generated() {
	c, err := netdev.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	for d, err := range c.Devices(context.Background(), nil) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(d.Ifindex.Val, d.XDPFeatures.Val)
	}
}
