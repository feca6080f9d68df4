package ethtool

import (
	"context"
	"fmt"
	"iter"
	"strconv"

	"github.com/nlkit/nlkit/genl"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nlattr"
)

// Names from linux/ethtool_netlink.h.
const (
	FamilyName   = "ethtool" // ETHTOOL_GENL_NAME
	GroupMonitor = "monitor" // ETHTOOL_MCGRP_MONITOR_NAME
)

// Request commands (ETHTOOL_MSG_*, user to kernel).
const (
	msgStrsetGet    = 1  // ETHTOOL_MSG_STRSET_GET
	msgLinkinfoGet  = 2  // ETHTOOL_MSG_LINKINFO_GET
	msgLinkmodesGet = 4  // ETHTOOL_MSG_LINKMODES_GET
	msgFeaturesGet  = 11 // ETHTOOL_MSG_FEATURES_GET
	msgRingsGet     = 15 // ETHTOOL_MSG_RINGS_GET
	msgChannelsGet  = 17 // ETHTOOL_MSG_CHANNELS_GET
	msgChannelsSet  = 18 // ETHTOOL_MSG_CHANNELS_SET
)

// Reply commands (ETHTOOL_MSG_*_REPLY, kernel to user).
const (
	msgLinkinfoReply  = 2  // ETHTOOL_MSG_LINKINFO_GET_REPLY
	msgLinkmodesReply = 4  // ETHTOOL_MSG_LINKMODES_GET_REPLY
	msgFeaturesReply  = 11 // ETHTOOL_MSG_FEATURES_GET_REPLY
	msgRingsReply     = 16 // ETHTOOL_MSG_RINGS_GET_REPLY
	msgChannelsReply  = 18 // ETHTOOL_MSG_CHANNELS_GET_REPLY
)

// Every request and reply carries the header nest as attribute 1
// (ETHTOOL_A_*_HEADER).
const attrHeader = 1

// Request header attributes (ETHTOOL_A_HEADER_*).
const (
	headerDevIndex = 1 // ETHTOOL_A_HEADER_DEV_INDEX: u32
	headerDevName  = 2 // ETHTOOL_A_HEADER_DEV_NAME: string
	headerFlags    = 3 // ETHTOOL_A_HEADER_FLAGS: u32
)

// Request header flags (ETHTOOL_FLAG_*).
const (
	flagCompactBitsets = 1 << 0 // ETHTOOL_FLAG_COMPACT_BITSETS
)

// Device names the device a request is about: by Index when it is not 0,
// else by Name. Replies fill in both.
type Device struct {
	Index int32  // ETHTOOL_A_HEADER_DEV_INDEX: interface index
	Name  string // ETHTOOL_A_HEADER_DEV_NAME: interface name
}

// String gives the name, or "ifindex N" when the name is unknown.
func (d Device) String() string {
	if d.Name != "" {
		return d.Name
	}
	return fmt.Sprintf("ifindex %d", d.Index)
}

// ByName names a device by its interface name.
func ByName(name string) Device { return Device{Name: name} }

// ByIndex names a device by its interface index.
func ByIndex(index int32) Device { return Device{Index: index} }

// what names the device a request selects, for errors: `"eth0"`,
// "ifindex 2" (the index when there is one: the request carries it).
func (d Device) what() string {
	if d.Index != 0 || d.Name == "" {
		return fmt.Sprintf("ifindex %d", d.Index)
	}
	return strconv.Quote(d.Name)
}

// family describes the ethtool client to genl.FamilyConn. Its bit sets
// are beyond genl.Spec: the client encodes and decodes with nlattr.
var family = &genl.FamilyInfo[Event]{Name: FamilyName, Package: "ethtool", Event: event}

// Conn speaks the ethtool family. It is safe for concurrent use by many
// goroutines (see genl.Conn).
type Conn struct {
	b *genl.FamilyConn[Event]
}

// Dial opens a generic netlink socket for the ethtool family; cfg is
// passed to netlink.Dial (set cfg.NetNS to work in another namespace).
// The Conn owns the socket: Close closes it.
func Dial(cfg *netlink.Config) (*Conn, error) {
	b, err := genl.DialFamily(cfg, family)
	if err != nil {
		return nil, err
	}
	return &Conn{b: b}, nil
}

// NewConn speaks ethtool over g, which it shares with the caller and with
// the clients of other families: Close leaves the groups this Conn joined
// and leaves g open (see genl.FamilyConn).
func NewConn(g *genl.Conn) *Conn { return &Conn{b: genl.NewFamilyConn(g, family)} }

// Close closes the socket of a Conn made by Dial; for one made by NewConn
// it leaves the groups it joined and ends its Events, and the genl.Conn
// stays open. Closing twice is harmless.
func (c *Conn) Close() error { return c.b.Close() }

// Genl returns the underlying genl.Conn.
func (c *Conn) Genl() *genl.Conn { return c.b.Genl() }

// appendHeader encodes the request header naming dev (none for the zero
// Device: all devices, in a dump) with header flags.
func appendHeader(e *nlattr.Encoder, dev Device, flags uint32) {
	e.Nest(attrHeader)
	if dev.Index != 0 {
		e.Uint32(headerDevIndex, uint32(dev.Index))
	} else if dev.Name != "" {
		e.String(headerDevName, dev.Name)
	}
	if flags != 0 {
		e.Uint32(headerFlags, flags)
	}
	e.End()
}

// request encodes a GET request for dev (or for all devices, a dump, when
// dev is the zero Device) with header flags.
func request(cmd uint8, dev Device, flags uint32) (genl.Message, error) {
	e := nlattr.NewEncoder(nil)
	appendHeader(e, dev, flags)
	b, err := e.Finish()
	if err != nil {
		return genl.Message{}, err
	}
	return genl.Message{Command: cmd, Data: b}, nil
}

// get runs one GET request for dev ("get <what> of <device>") and returns
// the reply's attributes.
func (c *Conn) get(ctx context.Context, what string, cmd, reply uint8, dev Device, flags uint32) ([]byte, error) {
	if dev.Index == 0 && dev.Name == "" {
		return nil, fmt.Errorf("ethtool: get %s: no device given", what)
	}
	op := "get " + what + " of " + dev.what()
	req, err := request(cmd, dev, flags)
	if err != nil {
		return nil, fmt.Errorf("ethtool: %s: %w", op, err)
	}
	msgs, err := c.b.Execute(ctx, op, req, 0)
	if err != nil {
		return nil, err
	}
	if len(msgs) != 1 || msgs[0].Command != reply {
		return nil, fmt.Errorf("ethtool: %s: unexpected reply (%d messages): %w", op, len(msgs), netlink.ErrMalformed)
	}
	return msgs[0].Data, nil
}

// dump runs a GET request for every device ("list <what>") and decodes
// each reply.
func dump[T any](c *Conn, ctx context.Context, what string, cmd, reply uint8, flags uint32, decode func([]byte) (T, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		req, err := request(cmd, Device{}, flags)
		if err != nil {
			yield(zero, err)
			return
		}
		for m, err := range c.b.Dump(ctx, "list "+what, req) {
			if err != nil {
				yield(zero, err)
				return
			}
			if m.Command != reply {
				continue
			}
			v, err := decode(m.Data)
			if !yield(v, err) || err != nil {
				return
			}
		}
	}
}

// decodeHeader reads a reply header nest.
func decodeHeader(d nlattr.Decoder) Device {
	var dev Device
	for d.Next() {
		switch d.Type() {
		case headerDevIndex:
			dev.Index = int32(d.Uint32())
		case headerDevName:
			dev.Name = d.String()
		}
	}
	return dev
}

// decodeErr wraps a decoding error.
func decodeErr(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("ethtool: decoding %s: %w", what, err)
}
