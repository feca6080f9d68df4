package nlattr_test

import (
	"fmt"
	"net/netip"

	"github.com/nlkit/nlkit/nlattr"
)

// Attribute types of a made-up family.
const (
	attrName  = 1
	attrMTU   = 2
	attrAddrs = 3 // nested: a list of attrAddr
	attrAddr  = 4
	attrUp    = 5
)

func ExampleEncoder() {
	e := nlattr.NewEncoder(nil)
	e.String(attrName, "eth0")
	e.Uint32(attrMTU, 1500)
	e.Nest(attrAddrs)
	e.Addr(attrAddr, netip.MustParseAddr("192.0.2.1"))
	e.Addr(attrAddr, netip.MustParseAddr("2001:db8::1"))
	e.End()
	e.Flag(attrUp)
	b, err := e.Finish()
	if err != nil {
		fmt.Println(err)
		return
	}
	// name: 4+5 bytes padded to 12; mtu: 8; nest: 4 + (4+4) + (4+16); flag: 4.
	fmt.Println("encoded bytes:", len(b))

	d := nlattr.NewDecoder(b)
	for d.Next() {
		fmt.Printf("type %d, nested %t, payload %d bytes\n", d.Type(), d.RawType()&nlattr.Nested != 0, d.Len())
	}
	// Output:
	// encoded bytes: 56
	// type 1, nested false, payload 5 bytes
	// type 2, nested false, payload 4 bytes
	// type 3, nested true, payload 28 bytes
	// type 5, nested false, payload 0 bytes
}

func ExampleDecoder() {
	// Typically b is the attribute part of a received netlink message.
	e := nlattr.NewEncoder(nil)
	e.String(attrName, "eth0")
	e.Uint32(attrMTU, 1500)
	e.Uint32(99, 0) // a type this program does not know: skipped
	e.Nest(attrAddrs)
	e.Addr(attrAddr, netip.MustParseAddr("192.0.2.1"))
	e.Addr(attrAddr, netip.MustParseAddr("2001:db8::1"))
	e.End()
	e.Flag(attrUp)
	b, _ := e.Finish()

	d := nlattr.NewDecoder(b)
	for d.Next() {
		switch d.Type() {
		case attrName:
			fmt.Println("name:", d.String())
		case attrMTU:
			fmt.Println("mtu:", d.Uint32())
		case attrAddrs:
			nd := d.Nested()
			for nd.Next() {
				if nd.Type() == attrAddr {
					fmt.Println("addr:", nd.Addr())
				}
			}
		case attrUp:
			fmt.Println("up:", d.Flag())
		}
	}
	// Err also covers errors found in nested Decoders.
	if err := d.Err(); err != nil {
		fmt.Println("error:", err)
	}
	// Output:
	// name: eth0
	// mtu: 1500
	// addr: 192.0.2.1
	// addr: 2001:db8::1
	// up: true
}

func ExampleDecoder_Fail() {
	e := nlattr.NewEncoder(nil)
	e.Uint32(attrMTU, 70000)
	b, _ := e.Finish()

	d := nlattr.NewDecoder(b)
	for d.Next() {
		if d.Type() == attrMTU && d.Uint32() > 65535 {
			d.Fail(fmt.Errorf("mtu %d out of range", d.Uint32()))
		}
	}
	fmt.Println(d.Err())
	// Output:
	// nlattr: attribute 2 at offset 0: payload length 4: mtu 70000 out of range
}
