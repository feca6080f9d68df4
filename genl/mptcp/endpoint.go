package mptcp

import (
	"context"
	"fmt"
	"iter"
	"net/netip"
	"strings"

	"github.com/nlkit/nlkit/genl"
	"github.com/nlkit/nlkit/netlink"
)

// Address families of MPTCP_PM_ADDR_ATTR_FAMILY (linux/socket.h).
const (
	afInet  = 2  // AF_INET
	afInet6 = 10 // AF_INET6
)

// EndpointFlags say how the path manager uses an endpoint
// (MPTCP_PM_ADDR_FLAG_*, linux/mptcp.h).
type EndpointFlags uint32

// Endpoint flags.
const (
	Signal   EndpointFlags = 1 << 0 // MPTCP_PM_ADDR_FLAG_SIGNAL: announce the address to peers
	Subflow  EndpointFlags = 1 << 1 // MPTCP_PM_ADDR_FLAG_SUBFLOW: open subflows from it
	Backup   EndpointFlags = 1 << 2 // MPTCP_PM_ADDR_FLAG_BACKUP: subflows are backups
	Fullmesh EndpointFlags = 1 << 3 // MPTCP_PM_ADDR_FLAG_FULLMESH: a subflow to every announced peer address
	Implicit EndpointFlags = 1 << 4 // MPTCP_PM_ADDR_FLAG_IMPLICIT: created by the kernel, not by a user
	Laminar  EndpointFlags = 1 << 5 // MPTCP_PM_ADDR_FLAG_LAMINAR: subflows to addresses the peer announced (Linux 6.18)
)

var flagNames = []string{"signal", "subflow", "backup", "fullmesh", "implicit", "laminar"}

// String lists the flags in `ip mptcp endpoint` words separated by '|'
// ("signal|backup"); unknown bits in hex; "0" when none is set.
func (f EndpointFlags) String() string {
	if f == 0 {
		return "0"
	}
	var out []string
	for i, n := range flagNames {
		if f&(1<<i) != 0 {
			out = append(out, n)
			f &^= 1 << i
		}
	}
	if f != 0 {
		out = append(out, fmt.Sprintf("%#x", uint32(f)))
	}
	return strings.Join(out, "|")
}

// Endpoint is a local address the path manager may use (`ip mptcp
// endpoint`).
type Endpoint struct {
	// ID identifies the endpoint (MPTCP_PM_ADDR_ATTR_ID). When adding, 0
	// lets the kernel pick one.
	ID uint8
	// Addr is the address (MPTCP_PM_ADDR_ATTR_ADDR4 or _ADDR6, with
	// MPTCP_PM_ADDR_ATTR_FAMILY).
	Addr netip.Addr
	// Port is the port to announce with a signal endpoint, 0 for none
	// (MPTCP_PM_ADDR_ATTR_PORT).
	Port uint16
	// Flags (MPTCP_PM_ADDR_ATTR_FLAGS).
	Flags EndpointFlags
	// IfIndex binds the endpoint's subflows to a device, 0 for none
	// (MPTCP_PM_ADDR_ATTR_IF_IDX).
	IfIndex int32
}

// String formats the endpoint like `ip mptcp endpoint show`:
// "10.0.0.1 port 8080 id 1 signal dev 3".
func (e Endpoint) String() string {
	var b strings.Builder
	b.WriteString(e.Addr.String())
	if e.Port != 0 {
		fmt.Fprintf(&b, " port %d", e.Port)
	}
	fmt.Fprintf(&b, " id %d", e.ID)
	for i, n := range flagNames {
		if e.Flags&(1<<i) != 0 {
			b.WriteString(" " + n)
		}
	}
	if rest := e.Flags &^ (1<<len(flagNames) - 1); rest != 0 {
		fmt.Fprintf(&b, " flags %#x", uint32(rest))
	}
	if e.IfIndex != 0 {
		fmt.Fprintf(&b, " dev %d", e.IfIndex)
	}
	return b.String()
}

// attrs encodes e as an "address" nest; the zero Addr is left out (for
// requests that identify the endpoint by ID alone).
func (e Endpoint) attrs() genl.Attrs {
	v := genl.Attrs{}
	if e.ID != 0 {
		v["id"] = e.ID
	}
	switch {
	case e.Addr.Is4():
		v["family"], v["addr4"] = uint16(afInet), e.Addr
	case e.Addr.IsValid():
		v["family"], v["addr6"] = uint16(afInet6), e.Addr.WithZone("")
	}
	if e.Port != 0 {
		v["port"] = e.Port
	}
	if e.Flags != 0 {
		v["flags"] = uint32(e.Flags)
	}
	if e.IfIndex != 0 {
		v["if-idx"] = e.IfIndex
	}
	return v
}

// endpointFrom decodes the "addr" nest of a reply.
func endpointFrom(reply genl.Attrs) (Endpoint, error) {
	v, ok := genl.Value[genl.Attrs](reply, "addr")
	if !ok {
		return Endpoint{}, fmt.Errorf("mptcp: endpoint reply without an address: %w", netlink.ErrMalformed)
	}
	var e Endpoint
	e.ID, _ = genl.Value[uint8](v, "id")
	e.Port, _ = genl.Value[uint16](v, "port")
	flags, _ := genl.Value[uint32](v, "flags")
	e.Flags = EndpointFlags(flags)
	e.IfIndex, _ = genl.Value[int32](v, "if-idx")
	family, _ := genl.Value[uint16](v, "family")
	switch family {
	case afInet:
		e.Addr, _ = genl.Value[netip.Addr](v, "addr4")
		if !e.Addr.Is4() {
			return Endpoint{}, fmt.Errorf("mptcp: endpoint %d: AF_INET without a 4-byte address: %w", e.ID, netlink.ErrMalformed)
		}
	case afInet6:
		e.Addr, _ = genl.Value[netip.Addr](v, "addr6")
		if !e.Addr.Is6() {
			return Endpoint{}, fmt.Errorf("mptcp: endpoint %d: AF_INET6 without a 16-byte address: %w", e.ID, netlink.ErrMalformed)
		}
	}
	return e, nil
}

// UnmarshalBinary decodes the attributes of a get-addr reply (what follows
// the generic header) into e.
func (e *Endpoint) UnmarshalBinary(b []byte) error {
	v, err := attrSet.Decode(b)
	if err != nil {
		return err
	}
	*e, err = endpointFrom(v)
	return err
}

// attrSet is a read-only copy of the "attr" set, for decoding.
var attrSet = func() *genl.AttrSet { c, _ := Spec().Command("get-addr"); return c.Attrs }()

// what names the endpoint a request selects, for errors: "id 1",
// "192.0.2.1 port 8080", "id 0 192.0.2.1" (withID: the id is sent even
// when 0).
func (e Endpoint) what(withID bool) string {
	var parts []string
	if e.ID != 0 || withID || !e.Addr.IsValid() {
		parts = append(parts, fmt.Sprintf("id %d", e.ID))
	}
	if e.Addr.IsValid() {
		parts = append(parts, e.Addr.String())
	}
	if e.Port != 0 {
		parts = append(parts, fmt.Sprintf("port %d", e.Port))
	}
	return strings.Join(parts, " ")
}

// family describes the mptcp_pm client to genl.FamilyConn.
var family = &genl.FamilyInfo[Event]{Name: FamilyName, Package: "mptcp", Spec: Spec(), Event: event}

// Conn speaks the mptcp_pm family. It is safe for concurrent use by many
// goroutines (see genl.Conn).
type Conn struct {
	b *genl.FamilyConn[Event]
}

// Dial opens a generic netlink socket for the mptcp_pm family; cfg is
// passed to netlink.Dial (set cfg.NetNS to work in another namespace).
// The Conn owns the socket: Close closes it.
func Dial(cfg *netlink.Config) (*Conn, error) {
	b, err := genl.DialFamily(cfg, family)
	if err != nil {
		return nil, err
	}
	return &Conn{b: b}, nil
}

// NewConn speaks mptcp_pm over g, which it shares with the caller and
// with the clients of other families: Close leaves the groups this Conn
// joined and leaves g open (see genl.FamilyConn).
func NewConn(g *genl.Conn) *Conn { return &Conn{b: genl.NewFamilyConn(g, family)} }

// Close closes the socket of a Conn made by Dial; for one made by NewConn
// it leaves the groups it joined and ends its Events, and the genl.Conn
// stays open. Closing twice is harmless.
func (c *Conn) Close() error { return c.b.Close() }

// Genl returns the underlying genl.Conn.
func (c *Conn) Genl() *genl.Conn { return c.b.Genl() }

// AddEndpoint adds an endpoint (MPTCP_PM_CMD_ADD_ADDR, `ip mptcp endpoint
// add`). e.Addr is required; e.ID 0 lets the kernel choose an id (list the
// endpoints to learn it). The kernel refuses a duplicate address with
// EEXIST, and inconsistent settings (a port without Signal, Signal with
// Fullmesh) with EINVAL, explaining why in the error's Message.
func (c *Conn) AddEndpoint(ctx context.Context, e Endpoint) error {
	if !e.Addr.IsValid() {
		return fmt.Errorf("mptcp: add endpoint: no address")
	}
	_, err := c.b.ExecuteAttrs(ctx, "add endpoint "+e.what(false), "add-addr", genl.Attrs{"addr": e.attrs()}, 0)
	return err
}

// DeleteEndpoint removes an endpoint (MPTCP_PM_CMD_DEL_ADDR, `ip mptcp
// endpoint delete`). The kernel selects by e.ID (sent always, 0
// included); e.Addr and e.Port are sent when set, other fields never.
//
// With a non-zero ID the endpoint with that id is removed, whatever the
// address (an unknown id gives EINVAL "address not found"). ID 0 names no
// endpoint (ids start at 1) but the address each connection used for its
// first subflow: with ID 0, e.Addr (and e.Port, when not 0) is withdrawn
// from the connections that use it (`ip mptcp endpoint delete id 0
// ADDRESS`), and the endpoints are left alone. ID 0 without an address
// is refused without asking the kernel.
func (c *Conn) DeleteEndpoint(ctx context.Context, e Endpoint) error {
	if e.ID == 0 && !e.Addr.IsValid() {
		return fmt.Errorf("mptcp: delete endpoint: id 0 needs an address")
	}
	v := Endpoint{ID: e.ID, Addr: e.Addr, Port: e.Port}.attrs()
	v["id"] = e.ID
	sel := Endpoint{ID: e.ID, Addr: e.Addr, Port: e.Port}
	_, err := c.b.ExecuteAttrs(ctx, "delete endpoint "+sel.what(true), "del-addr", genl.Attrs{"addr": v}, 0)
	return err
}

// Endpoint returns the endpoint with the given id (MPTCP_PM_CMD_GET_ADDR).
func (c *Conn) Endpoint(ctx context.Context, id uint8) (Endpoint, error) {
	op := fmt.Sprintf("get endpoint id %d", id)
	rs, err := c.b.ExecuteAttrs(ctx, op, "get-addr", genl.Attrs{"addr": genl.Attrs{"id": id}}, 0)
	if err != nil {
		return Endpoint{}, err
	}
	if len(rs) != 1 {
		return Endpoint{}, fmt.Errorf("mptcp: %s: %d replies, want 1: %w", op, len(rs), netlink.ErrMalformed)
	}
	return endpointFrom(rs[0])
}

// Endpoints lists the endpoints of the Conn's namespace (a
// MPTCP_PM_CMD_GET_ADDR dump). It is a single-use iterator; it stops at
// the first error.
func (c *Conn) Endpoints(ctx context.Context) iter.Seq2[Endpoint, error] {
	return func(yield func(Endpoint, error) bool) {
		for v, err := range c.b.DumpAttrs(ctx, "list endpoints", "get-addr", nil) {
			if err != nil {
				yield(Endpoint{}, err)
				return
			}
			e, err := endpointFrom(v)
			if !yield(e, err) || err != nil {
				return
			}
		}
	}
}

// FlushEndpoints removes every endpoint (MPTCP_PM_CMD_FLUSH_ADDRS).
func (c *Conn) FlushEndpoints(ctx context.Context) error {
	_, err := c.b.ExecuteAttrs(ctx, "flush endpoints", "flush-addrs", nil, 0)
	return err
}

// SetEndpointFlags sets the backup and fullmesh flags of an endpoint to
// those in e.Flags (MPTCP_PM_CMD_SET_FLAGS, `ip mptcp endpoint change`):
// both are set or cleared, other flags cannot be changed and are ignored.
// The kernel selects the endpoint by address when e.Addr is set (and then
// by e.Port too if the endpoint has a port, as `ip mptcp endpoint change
// ADDRESS port N` does), else by e.ID; e.IfIndex is not sent. No match
// gives EINVAL "address not found"; fullmesh on a signal or implicit
// endpoint EINVAL "invalid addr flags".
func (c *Conn) SetEndpointFlags(ctx context.Context, e Endpoint) error {
	if e.ID == 0 && !e.Addr.IsValid() {
		return fmt.Errorf("mptcp: set endpoint flags: neither an id nor an address")
	}
	v := Endpoint{ID: e.ID, Addr: e.Addr, Port: e.Port}.attrs()
	v["flags"] = uint32(e.Flags)
	sel := Endpoint{ID: e.ID, Addr: e.Addr, Port: e.Port}
	_, err := c.b.ExecuteAttrs(ctx, "set flags of endpoint "+sel.what(false), "set-flags", genl.Attrs{"addr": v}, 0)
	return err
}
