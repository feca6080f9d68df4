package ynl

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"iter"
	"strings"

	"github.com/nlkit/nlkit/genl"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nlattr"
	"golang.org/x/sys/unix"
)

// Conn speaks the family a Spec describes: generic netlink for the
// genetlink levels (the family id and groups resolved by name through a
// genl.Conn), raw netlink of the spec's protonum for netlink-raw (rt-link,
// rt-addr, rt-route ...). Requests and replies are value trees (see the
// package doc).
//
// A Conn is safe for concurrent use, with the guarantees of netlink.Conn:
// each call sees only its own replies, dumps run one at a time, one Events
// stream at a time. Values it returns are owned by the caller.
type Conn struct {
	spec *Spec
	nl   *netlink.Conn
	g    *genl.Conn // nil for netlink-raw
	own  bool
}

// Dial opens a socket for the family spec describes (cfg as for
// netlink.Dial; nil: defaults, extended ACKs on). Close releases it.
func Dial(spec *Spec, cfg *netlink.Config) (*Conn, error) {
	proto := unix.NETLINK_GENERIC
	if spec.Raw() {
		proto = spec.Protonum
	}
	nl, err := netlink.Dial(proto, cfg)
	if err != nil {
		return nil, fmt.Errorf("ynl: %s: %w", spec.Name, err)
	}
	c := NewConn(spec, nl)
	c.own = true
	return c, nil
}

// NewConn speaks the family over nl (NETLINK_GENERIC for genetlink specs,
// the spec's protonum for netlink-raw), which stays the caller's: Close
// leaves it open.
func NewConn(spec *Spec, nl *netlink.Conn) *Conn {
	c := &Conn{spec: spec, nl: nl}
	if !spec.Raw() {
		c.g = genl.NewConn(nl)
	}
	return c
}

// Close closes the socket of a Conn made by Dial; for one made by NewConn it
// leaves the groups joined and ends Events, and leaves the netlink.Conn open.
func (c *Conn) Close() error {
	var err error
	if c.g != nil {
		err = c.g.Close()
	}
	if c.own {
		err = errors.Join(err, c.nl.Close())
	}
	return err
}

// Spec returns the Conn's spec.
func (c *Conn) Spec() *Spec { return c.spec }

// Netlink returns the underlying netlink.Conn.
func (c *Conn) Netlink() *netlink.Conn { return c.nl }

// Error is a kernel error on a request of a spec'd family, with the
// extended ACK's attribute offset and missing-attribute report named in
// the spec's words: "ethtool: channels-get: header.dev-index: no such
// device". errors.As finds it and the *netlink.Error under it; errors.Is
// the errno.
type Error struct {
	Family string // spec name
	Op     string // operation name
	// Attr is the path of the attribute the kernel pointed at
	// ("header.dev-index", "linkinfo.data.peer"); "" if none.
	Attr string
	// Missing is the path of a required attribute that was absent
	// ("header.dev-index"); "" if none.
	Missing string
	Err     *netlink.Error
}

// Error gives "family: op: path: errno: message".
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s: ", e.Family, e.Op)
	if e.Attr != "" {
		b.WriteString(e.Attr + ": ")
	}
	if e.Missing != "" {
		b.WriteString("missing " + e.Missing + ": ")
	}
	if e.Err.Errno != 0 {
		b.WriteString(e.Err.Errno.Error())
	} else {
		b.WriteString("warning")
	}
	if e.Err.Message != "" {
		b.WriteString(": " + e.Err.Message)
	}
	return b.String()
}

// Unwrap returns the *netlink.Error.
func (e *Error) Unwrap() error { return e.Err }

// request is an encoded request and where its attributes start.
type request struct {
	op      *Operation
	data    []byte // after the genl header: fixed header, attributes
	hdrOffs int    // offset of data from the netlink header
}

// AppendRequest appends the payload of a request of operation op with the
// value tree v to b: for a genetlink family what follows the generic header,
// for netlink-raw what follows the netlink header (fixed header, then
// attributes). Fixed-header members are taken from v by name, as the
// kernel's ynl does; a key that is neither is an error naming it.
func (s *Spec) AppendRequest(b []byte, op string, v map[string]any) ([]byte, error) {
	o := s.ops[op]
	if o == nil {
		return b, fmt.Errorf("ynl: %s: no operation %q", s.Name, op)
	}
	if !o.HasRequest {
		return b, fmt.Errorf("ynl: %s: %s is not a request", s.Name, op)
	}
	e := encoder{spec: s, set: o.Set}
	var err error
	if o.Header != nil {
		if b, err = e.structBytes(b, o.Header, v, true); err != nil {
			return b, fmt.Errorf("ynl: %s %s: %w", s.Name, op, err)
		}
		for len(b)%4 != 0 {
			b = append(b, 0)
		}
	}
	if b, err = e.encodeAttrs(b, o.Set, v, o.Header); err != nil {
		return b, fmt.Errorf("ynl: %s %s: %w", s.Name, op, err)
	}
	return b, nil
}

// Decode decodes the payload of a reply or notification of operation op
// (what follows the generic header, or the netlink header for netlink-raw)
// into a value tree. Attributes the spec does not know are kept as raw
// bytes; a known attribute of the wrong size is an error naming it.
func (s *Spec) Decode(op *Operation, data []byte) (map[string]any, error) {
	return s.decode(nil, op, data)
}

// decode is Decode into the maps of pool (reset first), when not nil.
func (s *Spec) decode(pool *treePool, op *Operation, data []byte) (map[string]any, error) {
	// Sized once: growing a map is most of what decoding costs.
	n := 0
	if op.Header != nil {
		n = len(op.Header.Members)
	}
	var m map[string]any
	if pool != nil {
		pool.reset()
		if pool.top == nil {
			pool.top = make(map[string]any, n+countAttrs(data[min(len(data), n):]))
		}
		m = pool.top
	} else {
		m = make(map[string]any, n+countAttrs(data[min(len(data), n):]))
	}
	d := decoder{spec: s, header: op.Header, pool: pool}
	if op.Header != nil {
		if len(data) < op.Header.Size {
			return nil, fmt.Errorf("ynl: %s %s: fixed header %s: %w", s.Name, op.Name, op.Header.Name, badLen(op.Header.Size, len(data)))
		}
		d.structValue(m, op.Header, data)
		data = data[min(len(data), nlattr.Align(op.Header.Size)):]
	}
	if op.Set == nil {
		return m, nil
	}
	if pool != nil {
		d.parents = pool.parents[:0]
	}
	err := d.decodeAttrs(m, op.Set, data)
	if pool != nil {
		clear(d.parents[:cap(d.parents)])
		pool.parents = d.parents[:0]
	}
	if err != nil {
		return nil, fmt.Errorf("ynl: %s %s: %w", s.Name, op.Name, err)
	}
	return m, nil
}

// countAttrs counts the attributes in b (a size hint: b may not be only
// attributes).
func countAttrs(b []byte) int {
	n := 0
	for len(b) >= 4 {
		l := int(binary.NativeEndian.Uint16(b))
		if l < 4 {
			break
		}
		n++
		b = b[min(len(b), nlattr.Align(l)):]
	}
	return n
}

// ReplyOperation returns the operation whose replies or notifications carry
// message id id (a genl command, or a netlink message type), preferring
// notifications when async is set; nil if the spec has none.
func (s *Spec) ReplyOperation(id uint32, async bool) *Operation {
	ops := s.byReply[id]
	for _, o := range ops {
		if async == (o.Notify != "" || o.Event != nil) {
			return o
		}
	}
	if len(ops) > 0 {
		return ops[0]
	}
	return nil
}

func (c *Conn) request(op string, v map[string]any) (*request, error) {
	o := c.spec.ops[op]
	if o == nil {
		return nil, fmt.Errorf("ynl: %s: no operation %q", c.spec.Name, op)
	}
	data, err := c.spec.AppendRequest(nil, op, v)
	if err != nil {
		return nil, err
	}
	r := &request{op: o, data: data, hdrOffs: netlink.HeaderLen}
	if c.g != nil {
		r.hdrOffs += genl.HeaderLen
	}
	return r, nil
}

func (c *Conn) version() uint8 {
	if c.spec.Version > 0 && c.spec.Version < 256 {
		return uint8(c.spec.Version)
	}
	return 0
}

// Execute runs operation op as a "do" request with the value tree req and
// returns the decoded replies (none for most changes). flags are added to
// Request|Acknowledge: netlink-raw families want netlink.Create|netlink.Excl
// to add objects. A kernel error is an *Error naming the attributes the
// extended ACK pointed at.
func (c *Conn) Execute(ctx context.Context, op string, req map[string]any, flags netlink.Flags) ([]map[string]any, error) {
	r, err := c.request(op, req)
	if err != nil {
		return nil, err
	}
	if r.op.Do == nil {
		return nil, fmt.Errorf("ynl: %s: %s has no do request", c.spec.Name, op)
	}
	var out []map[string]any
	if c.g != nil {
		msgs, err := c.g.Execute(ctx, c.spec.Name, genl.Message{Command: uint8(r.op.RequestID), Version: c.version(), Data: r.data}, flags)
		if err != nil {
			return nil, c.wrap(r, err)
		}
		for _, m := range msgs {
			v, err := c.decodeReply(nil, r.op, uint32(m.Command), m.Data)
			if err != nil {
				return out, err
			}
			out = append(out, v)
		}
		return out, nil
	}
	msgs, err := c.nl.Execute(ctx, netlink.Message{Header: netlink.Header{Type: netlink.MessageType(r.op.RequestID), Flags: flags}, Data: r.data})
	if err != nil {
		return nil, c.wrap(r, err)
	}
	for _, m := range msgs {
		v, err := c.decodeReply(nil, r.op, uint32(m.Header.Type), m.Data)
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
	return out, nil
}

func (c *Conn) decodeReply(pool *treePool, op *Operation, id uint32, data []byte) (map[string]any, error) {
	o := op
	if !op.HasReply || op.ReplyID != id {
		if x := c.spec.ReplyOperation(id, false); x != nil {
			o = x
		}
	}
	return c.spec.decode(pool, o, data)
}

// Dump runs operation op as a dump with the value tree req (filters, for
// families that take them; nil for none) and streams the decoded replies.
// It is a single-use iterator. The stream stops at the first error (see
// netlink.Conn.Dump); breaking early is fine.
//
// Ownership: the iterator decodes every reply into the same maps, so a
// yielded tree (and every map in it) is valid only until the loop body
// returns; Clone it to keep it. Its leaves (strings, []byte, []string,
// []any, netip.Addr) are not reused and may be kept. Reusing the maps is
// what makes a dump of many objects cheap: no map is allocated once the
// first objects are decoded.
func (c *Conn) Dump(ctx context.Context, op string, req map[string]any) iter.Seq2[map[string]any, error] {
	return func(yield func(map[string]any, error) bool) {
		var pool treePool
		r, err := c.request(op, req)
		if err != nil {
			yield(nil, err)
			return
		}
		if r.op.Dump == nil {
			yield(nil, fmt.Errorf("ynl: %s: %s has no dump", c.spec.Name, op))
			return
		}
		if c.g != nil {
			for m, err := range c.g.Dump(ctx, c.spec.Name, genl.Message{Command: uint8(r.op.RequestID), Version: c.version(), Data: r.data}) {
				if err != nil {
					yield(nil, c.wrap(r, err))
					return
				}
				v, err := c.decodeReply(&pool, r.op, uint32(m.Command), m.Data)
				if !yield(v, err) || err != nil {
					return
				}
			}
			return
		}
		for m, err := range c.nl.Dump(ctx, netlink.Message{Header: netlink.Header{Type: netlink.MessageType(r.op.RequestID)}, Data: r.data}) {
			if err != nil {
				yield(nil, c.wrap(r, err))
				return
			}
			v, err := c.decodeReply(&pool, r.op, uint32(m.Header.Type), m.Data)
			if !yield(v, err) || err != nil {
				return
			}
		}
	}
}

// wrap names the attributes a kernel error points at.
func (c *Conn) wrap(r *request, err error) error {
	ne, ok := errors.AsType[*netlink.Error](err)
	if !ok {
		return fmt.Errorf("ynl: %s %s: %w", c.spec.Name, r.op.Name, err)
	}
	e := &Error{Family: c.spec.Name, Op: r.op.Name, Err: ne}
	if ne.Offset >= 0 {
		e.Attr = c.spec.attrPath(r, ne.Offset-r.hdrOffs)
	}
	if ne.MissingType != 0 {
		set, prefix := r.op.Set, ""
		if ne.MissingNest >= 0 {
			prefix, set = c.spec.nestAt(r, ne.MissingNest-r.hdrOffs)
			if prefix != "" {
				prefix += "."
			}
		}
		name := fmt.Sprintf("attribute %d", ne.MissingType)
		if set != nil && ne.MissingType <= 0x3fff {
			if a := set.AttrByID(uint16(ne.MissingType)); a != nil {
				name = a.Name
			}
		}
		e.Missing = prefix + name
	}
	return e
}

// attrPath names the attribute at offset off of the request's data.
func (s *Spec) attrPath(r *request, off int) string {
	if off < 0 || off >= len(r.data) {
		return ""
	}
	start := 0
	if h := r.op.Header; h != nil {
		if off < h.Size {
			for _, m := range h.Members {
				if off >= m.Offset && off < m.Offset+m.Size {
					return m.Name
				}
			}
			return ""
		}
		start = nlattr.Align(h.Size)
	}
	path, _, _ := walk(r.op.Set, r.data, start, off, "", false)
	return path
}

// nestAt names the nest at offset off (MissingNest) and returns its set.
func (s *Spec) nestAt(r *request, off int) (string, *AttrSet) {
	start := 0
	if h := r.op.Header; h != nil {
		start = nlattr.Align(h.Size)
	}
	path, set, _ := walk(r.op.Set, r.data, start, off, "", true)
	return path, set
}

// walk finds the attribute starting at, or containing, offset off in
// b[start:], laid out by set, and returns its dotted path; with wantNest
// the set of the nest that starts at off too.
func walk(set *AttrSet, b []byte, start, off int, prefix string, wantNest bool) (string, *AttrSet, bool) {
	for p := start; p+4 <= len(b); {
		l := int(binary.NativeEndian.Uint16(b[p:]))
		if l < 4 {
			return "", nil, false
		}
		t := binary.NativeEndian.Uint16(b[p+2:]) & nlattr.TypeMask
		end := min(p+l, len(b))
		if off >= p && off < end {
			var a *Attr
			if set != nil {
				a = set.AttrByID(t)
			}
			name := fmt.Sprintf("attribute %d", t)
			if a != nil {
				name = a.Name
			}
			path := prefix + name
			if off == p {
				if wantNest && a != nil {
					return path, a.NestedSet, true
				}
				return path, nil, true
			}
			if a != nil && a.Type == "sub-message" {
				if sel, ok := siblingString(set, b, start, a.Selector); ok {
					if f := a.SubMsg.format(sel); f != nil && f.Set != nil {
						inner := p + 4
						if f.Header != nil {
							inner += nlattr.Align(f.Header.Size)
						}
						if ip, iset, ok := walk(f.Set, b[:end], inner, off, path+".", wantNest); ok {
							return ip, iset, true
						}
					}
				}
				return path, nil, true
			}
			if a != nil && a.NestedSet != nil && (a.Type == "nest" || a.Type == "indexed-array") {
				inner := a.NestedSet
				if a.Type == "indexed-array" {
					// one level of indexes
					if ip, iset, ok := walkIndexed(inner, b, p+4, end, off, path, wantNest); ok {
						return ip, iset, true
					}
					return path, nil, true
				}
				if ip, iset, ok := walk(inner, b[:end], p+4, off, path+".", wantNest); ok {
					return ip, iset, true
				}
			}
			return path, nil, true
		}
		p += nlattr.Align(l)
	}
	return "", nil, false
}

// siblingString reads the string attribute called name among the
// attributes of b[start:], laid out by set: a sub-message's selector.
func siblingString(set *AttrSet, b []byte, start int, name string) (string, bool) {
	sel := set.Attr(name)
	if sel == nil {
		return "", false
	}
	d := nlattr.NewDecoder(b[start:])
	for d.Next() {
		if d.Type() == sel.ID {
			return d.String(), true
		}
	}
	return "", false
}

func walkIndexed(set *AttrSet, b []byte, start, end, off int, path string, wantNest bool) (string, *AttrSet, bool) {
	for p, i := start, 0; p+4 <= end; i++ {
		l := int(binary.NativeEndian.Uint16(b[p:]))
		if l < 4 {
			return "", nil, false
		}
		if off >= p && off < p+l {
			ip := fmt.Sprintf("%s[%d]", path, i)
			if off == p {
				return ip, set, true
			}
			if r, s, ok := walk(set, b[:p+l], p+4, off, ip+".", wantNest); ok {
				return r, s, true
			}
			return ip, nil, true
		}
		p += nlattr.Align(l)
	}
	return "", nil, false
}

// Event is a notification of the family, decoded by the spec.
type Event struct {
	Op    string         // the notify or event operation, e.g. "dev-add-ntf"
	Group string         // the multicast group it came through
	Attrs map[string]any // owned by the caller
}

// JoinGroup subscribes to the family's multicast group called group (by its
// name in the spec: "mgmt", "rtnlgrp-ipv4-ifaddr"); its notifications come
// out of Events. It returns once the socket is in the group: join, then dump,
// then apply Events, and no change falls in between. This is the kernel
// ynl's --subscribe.
func (c *Conn) JoinGroup(ctx context.Context, group string) error {
	g := c.spec.groups[group]
	if g == nil {
		return fmt.Errorf("ynl: %s: no multicast group %q", c.spec.Name, group)
	}
	if c.g != nil {
		_, err := c.g.JoinGroup(ctx, c.spec.Name, group)
		return err
	}
	if g.Value == nil {
		return fmt.Errorf("ynl: %s: group %q has no number in the spec", c.spec.Name, group)
	}
	return c.nl.JoinGroup(uint32(*g.Value))
}

// LeaveGroup undoes one JoinGroup of group.
func (c *Conn) LeaveGroup(ctx context.Context, group string) error {
	g := c.spec.groups[group]
	if g == nil {
		return fmt.Errorf("ynl: %s: no multicast group %q", c.spec.Name, group)
	}
	if c.g != nil {
		return c.g.LeaveGroup(ctx, c.spec.Name, group)
	}
	if g.Value == nil {
		return fmt.Errorf("ynl: %s: group %q has no number in the spec", c.spec.Name, group)
	}
	return c.nl.LeaveGroup(uint32(*g.Value))
}

// Events streams the family's notifications from the groups joined,
// decoded by the spec. It is a single-use iterator, one at a time per
// Conn, with the rule of netlink.DecodeNotifications: netlink.ErrOverrun is
// yielded when notifications were lost and the stream goes on; a malformed
// notification is yielded as an error and skipped; any other error (ctx's,
// netlink.ErrClosed) ends the stream. Notifications of other families, and
// message ids the spec does not know, are skipped.
func (c *Conn) Events(ctx context.Context) iter.Seq2[Event, error] {
	if c.g != nil {
		return netlink.DecodeNotifications(c.g.Receive(ctx), func(n genl.Notification) (Event, bool, error) {
			if n.Family != c.spec.Name {
				return Event{}, false, nil
			}
			o := c.spec.ReplyOperation(uint32(n.Command), true)
			if o == nil {
				return Event{}, false, nil
			}
			v, err := c.spec.Decode(o, n.Data)
			return Event{Op: o.Name, Group: n.Group, Attrs: v}, err == nil, err
		})
	}
	return netlink.DecodeNotifications(c.nl.Receive(ctx), func(n netlink.Notification) (Event, bool, error) {
		o := c.spec.ReplyOperation(uint32(n.Header.Type), true)
		if o == nil || n.Group == 0 {
			return Event{}, false, nil
		}
		v, err := c.spec.Decode(o, n.Data)
		group := ""
		for _, g := range c.spec.Groups() {
			if g.Value != nil && uint32(*g.Value) == n.Group {
				group = g.Name
			}
		}
		return Event{Op: o.Name, Group: group, Attrs: v}, err == nil, err
	})
}
