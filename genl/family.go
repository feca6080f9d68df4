package genl

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"syscall"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nlattr"
)

// The controller ("nlctrl"), from linux/genetlink.h.
const (
	ctrlID      = 0x10 // GENL_ID_CTRL
	ctrlVersion = 2    // nlctrl's version

	ctrlCmdNewFamily = 1  // CTRL_CMD_NEWFAMILY
	ctrlCmdDelFamily = 2  // CTRL_CMD_DELFAMILY
	ctrlCmdGetFamily = 3  // CTRL_CMD_GETFAMILY
	ctrlCmdGetPolicy = 10 // CTRL_CMD_GETPOLICY

	ctrlAttrFamilyID    = 1  // CTRL_ATTR_FAMILY_ID: u16
	ctrlAttrFamilyName  = 2  // CTRL_ATTR_FAMILY_NAME: string
	ctrlAttrVersion     = 3  // CTRL_ATTR_VERSION: u32
	ctrlAttrHdrSize     = 4  // CTRL_ATTR_HDRSIZE: u32
	ctrlAttrMaxAttr     = 5  // CTRL_ATTR_MAXATTR: u32
	ctrlAttrOps         = 6  // CTRL_ATTR_OPS: nest of nests
	ctrlAttrMcastGroups = 7  // CTRL_ATTR_MCAST_GROUPS: nest of nests
	ctrlAttrPolicy      = 8  // CTRL_ATTR_POLICY: nest
	ctrlAttrOpPolicy    = 9  // CTRL_ATTR_OP_POLICY: nest
	ctrlAttrOp          = 10 // CTRL_ATTR_OP: u32

	ctrlAttrOpID    = 1 // CTRL_ATTR_OP_ID: u32
	ctrlAttrOpFlags = 2 // CTRL_ATTR_OP_FLAGS: u32

	ctrlAttrMcastGrpName = 1 // CTRL_ATTR_MCAST_GRP_NAME: string
	ctrlAttrMcastGrpID   = 2 // CTRL_ATTR_MCAST_GRP_ID: u32

	ctrlAttrPolicyDo   = 1 // CTRL_ATTR_POLICY_DO: u32
	ctrlAttrPolicyDump = 2 // CTRL_ATTR_POLICY_DUMP: u32
)

// ErrFamilyNotFound is matched (errors.Is) by the error for a family the
// kernel does not know. The same error also wraps the kernel's
// *netlink.Error (ENOENT), so errors.Is(err, syscall.ENOENT) holds too.
var ErrFamilyNotFound = errors.New("genl: family not found")

// notFoundError is the error for an unknown family: it matches
// ErrFamilyNotFound and wraps the kernel's error.
type notFoundError struct {
	what string
	err  error
}

// Error says which family was not found and why.
func (e *notFoundError) Error() string {
	return fmt.Sprintf("genl: family %s not found: %v", e.what, e.err)
}

// Unwrap gives ErrFamilyNotFound and the kernel's error.
func (e *notFoundError) Unwrap() []error { return []error{ErrFamilyNotFound, e.err} }

// Family is a generic netlink family as the controller describes it
// (CTRL_CMD_GETFAMILY). Values returned by Conn are copies owned by the
// caller.
type Family struct {
	ID         uint16  // CTRL_ATTR_FAMILY_ID: the netlink message type of the family
	Name       string  // CTRL_ATTR_FAMILY_NAME, e.g. "ethtool"
	Version    uint32  // CTRL_ATTR_VERSION
	HeaderSize uint32  // CTRL_ATTR_HDRSIZE: bytes of fixed family header after genlmsghdr
	MaxAttr    uint32  // CTRL_ATTR_MAXATTR: highest top-level attribute type
	Ops        []Op    // CTRL_ATTR_OPS: the commands the family accepts
	Groups     []Group // CTRL_ATTR_MCAST_GROUPS: its multicast groups
}

// Op is one command of a family and what it supports.
type Op struct {
	Command uint8   // CTRL_ATTR_OP_ID
	Flags   OpFlags // CTRL_ATTR_OP_FLAGS
}

// OpFlags are the GENL_* capability and permission bits of an operation.
type OpFlags uint32

// Operation flags from linux/genetlink.h.
const (
	OpAdminPerm    OpFlags = 0x01 // GENL_ADMIN_PERM: needs CAP_NET_ADMIN in the initial user namespace
	OpDo           OpFlags = 0x02 // GENL_CMD_CAP_DO: has a "do" handler
	OpDump         OpFlags = 0x04 // GENL_CMD_CAP_DUMP: has a "dump" handler
	OpHasPolicy    OpFlags = 0x08 // GENL_CMD_CAP_HASPOL: validates attributes by a policy
	OpUnsAdminPerm OpFlags = 0x10 // GENL_UNS_ADMIN_PERM: needs CAP_NET_ADMIN in the netns's user namespace
)

var opFlagNames = []struct {
	f    OpFlags
	name string
}{
	{OpAdminPerm, "admin-perm"},
	{OpUnsAdminPerm, "uns-admin-perm"},
	{OpDo, "do"},
	{OpDump, "dump"},
	{OpHasPolicy, "has-policy"},
}

// String lists the flags as words separated by '|' ("do|dump|has-policy"),
// unknown bits in hex; "0" when none is set.
func (f OpFlags) String() string {
	if f == 0 {
		return "0"
	}
	var names []string
	rest := f
	for _, n := range opFlagNames {
		if f&n.f != 0 {
			names = append(names, n.name)
			rest &^= n.f
		}
	}
	if rest != 0 {
		names = append(names, fmt.Sprintf("%#x", uint32(rest)))
	}
	return strings.Join(names, "|")
}

// Group is a multicast group of a family.
type Group struct {
	ID   uint32 // CTRL_ATTR_MCAST_GRP_ID: the number to join (netlink.Conn.JoinGroup)
	Name string // CTRL_ATTR_MCAST_GRP_NAME
}

// Op returns the family's operation for command cmd.
func (f *Family) Op(cmd uint8) (Op, bool) {
	for _, o := range f.Ops {
		if o.Command == cmd {
			return o, true
		}
	}
	return Op{}, false
}

// Group returns the family's multicast group called name.
func (f *Family) Group(name string) (Group, bool) {
	for _, g := range f.Groups {
		if g.Name == name {
			return g, true
		}
	}
	return Group{}, false
}

// String gives a one-line summary in the words of `genl ctrl list`:
// "ethtool id 0x14 version 1 hdrsize 0 maxattr 0 ops 47 groups 1".
func (f Family) String() string {
	return fmt.Sprintf("%s id %#x version %d hdrsize %d maxattr %d ops %d groups %d",
		f.Name, f.ID, f.Version, f.HeaderSize, f.MaxAttr, len(f.Ops), len(f.Groups))
}

// Describe formats the family in full, one item per line, like
// `genl ctrl list`, naming the commands of the families this package
// knows (nlctrl; see Format for others):
//
//	Name: nlctrl
//		ID: 0x10  Version: 0x2  header size: 0  max attribs: 10
//		commands supported:
//			#1:  ID-0x3  getfamily  do|dump|has-policy
//		multicast groups:
//			#1:  ID-0x10  name: notify
func (f Family) Describe() string { return f.Format(knownCommands(f.Name)) }

// Format is Describe with the commands named by names ("#2:  ID-0x2
// del-addr  uns-admin-perm|do|has-policy"), e.g. a Spec's CommandNames
// or a subpackage's table; commands names lacks are printed by number
// only. Format(nil) names none.
func (f Family) Format(names CommandNames) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Name: %s\n\tID: %#x  Version: %#x  header size: %d  max attribs: %d\n",
		f.Name, f.ID, f.Version, f.HeaderSize, f.MaxAttr)
	if len(f.Ops) > 0 {
		b.WriteString("\tcommands supported:\n")
		for i, o := range f.Ops {
			name := ""
			if n := names[o.Command]; n != "" {
				name = n + "  "
			}
			fmt.Fprintf(&b, "\t\t#%d:  ID-%#x  %s%s\n", i+1, o.Command, name, o.Flags)
		}
	}
	if len(f.Groups) > 0 {
		b.WriteString("\tmulticast groups:\n")
		for i, g := range f.Groups {
			fmt.Fprintf(&b, "\t\t#%d:  ID-%#x  name: %s\n", i+1, g.ID, g.Name)
		}
	}
	return b.String()
}

func (f *Family) clone() Family {
	g := *f
	g.Ops = slices.Clone(f.Ops)
	g.Groups = slices.Clone(f.Groups)
	return g
}

// UnmarshalBinary decodes the attributes of a CTRL_CMD_NEWFAMILY message
// (what follows the generic header) into f. Unknown attributes are skipped;
// a known attribute of the wrong size, a missing id or name, or malformed
// attributes give an error. f does not alias b.
func (f *Family) UnmarshalBinary(b []byte) error {
	*f = Family{}
	d := nlattr.NewDecoder(b)
	var haveID bool
	for d.Next() {
		switch d.Type() {
		case ctrlAttrFamilyID:
			f.ID, haveID = d.Uint16(), true
		case ctrlAttrFamilyName:
			f.Name = d.String()
		case ctrlAttrVersion:
			f.Version = d.Uint32()
		case ctrlAttrHdrSize:
			f.HeaderSize = d.Uint32()
		case ctrlAttrMaxAttr:
			f.MaxAttr = d.Uint32()
		case ctrlAttrOps:
			ops := d.Nested()
			for ops.Next() {
				var o Op
				od := ops.Nested()
				for od.Next() {
					switch od.Type() {
					case ctrlAttrOpID:
						id := od.Uint32()
						if id > 0xff {
							od.Fail(fmt.Errorf("command %d does not fit genlmsghdr.cmd", id))
						}
						o.Command = uint8(id)
					case ctrlAttrOpFlags:
						o.Flags = OpFlags(od.Uint32())
					}
				}
				f.Ops = append(f.Ops, o)
			}
		case ctrlAttrMcastGroups:
			gs := d.Nested()
			for gs.Next() {
				var g Group
				gd := gs.Nested()
				for gd.Next() {
					switch gd.Type() {
					case ctrlAttrMcastGrpName:
						g.Name = gd.String()
					case ctrlAttrMcastGrpID:
						g.ID = gd.Uint32()
					}
				}
				f.Groups = append(f.Groups, g)
			}
		}
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("genl: decoding family %q: %w", f.Name, err)
	}
	if !haveID || f.Name == "" {
		return fmt.Errorf("genl: family message without id or name: %w", netlink.ErrMalformed)
	}
	return nil
}

// Family returns the family called name (CTRL_CMD_GETFAMILY), from the
// Conn's cache when it was resolved before. An unknown name gives an error
// matching ErrFamilyNotFound that also wraps the kernel's *netlink.Error
// (ENOENT). The kernel may load the family's module on demand.
func (c *Conn) Family(ctx context.Context, name string) (Family, error) {
	f, err := c.resolve(ctx, name)
	if err != nil {
		return Family{}, err
	}
	return f.clone(), nil
}

// FamilyByID asks the kernel for the family with id (not cached lookups:
// ids are how the kernel names families in messages, e.g. notifications).
func (c *Conn) FamilyByID(ctx context.Context, id uint16) (Family, error) {
	e := nlattr.NewEncoder(nil)
	e.Uint16(ctrlAttrFamilyID, id)
	f, err := c.getFamily(ctx, e, fmt.Sprintf("id %#x", id))
	if err != nil {
		return Family{}, err
	}
	c.store(f)
	return f.clone(), nil
}

// Families lists every family the kernel knows (a CTRL_CMD_GETFAMILY
// dump), refreshing the Conn's cache. It is a single-use iterator; the
// values are owned by the caller. The stream stops at the first error.
func (c *Conn) Families(ctx context.Context) iter.Seq2[Family, error] {
	return func(yield func(Family, error) bool) {
		if err := c.check(); err != nil {
			yield(Family{}, err)
			return
		}
		req := netlink.Message{Header: netlink.Header{Type: ctrlID}, Data: []byte{ctrlCmdGetFamily, ctrlVersion, 0, 0}}
		for nm, err := range c.nl.Dump(ctx, req) {
			if err != nil {
				yield(Family{}, netlink.NameOp("genl", "list families", err))
				return
			}
			m, err := parse(nm)
			if err != nil {
				yield(Family{}, err)
				return
			}
			f := new(Family)
			if err := f.UnmarshalBinary(m.Data); err != nil {
				yield(Family{}, err)
				return
			}
			c.store(f)
			if !yield(f.clone(), nil) {
				return
			}
		}
	}
}

// Forget drops the named family from the Conn's cache: the next use
// resolves it again. Operations do this by themselves when the family's id
// turns out to be stale; Forget is for callers that know better (e.g. after
// loading a module).
func (c *Conn) Forget(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if f, ok := c.families[name]; ok {
		delete(c.families, name)
		if c.byID[f.ID] == f {
			delete(c.byID, f.ID)
		}
	}
}

// resolve returns the cached family or asks the kernel. The result is
// shared: never modify it.
func (c *Conn) resolve(ctx context.Context, name string) (*Family, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	c.mu.Lock()
	f := c.families[name]
	c.mu.Unlock()
	if f != nil {
		return f, nil
	}
	if len(name) >= 16 { // GENL_NAMSIZ including the NUL
		return nil, &notFoundError{fmt.Sprintf("%q", name), errors.New("name longer than 15 bytes")}
	}
	e := nlattr.NewEncoder(nil)
	e.String(ctrlAttrFamilyName, name)
	f, err := c.getFamily(ctx, e, fmt.Sprintf("%q", name))
	if err != nil {
		return nil, err
	}
	if f.Name != name {
		return nil, fmt.Errorf("genl: asked for family %q, the kernel answered with %q: %w", name, f.Name, netlink.ErrMalformed)
	}
	c.store(f)
	return f, nil
}

// reresolve is called when an operation on old failed in a way that may
// mean the family went away and came back. It forgets old, resolves the
// name again and reports whether the id changed (then the operation is
// worth repeating with the new family).
func (c *Conn) reresolve(ctx context.Context, old *Family) (*Family, bool, error) {
	c.mu.Lock()
	if c.families[old.Name] == old {
		delete(c.families, old.Name)
		if c.byID[old.ID] == old {
			delete(c.byID, old.ID)
		}
	}
	c.mu.Unlock()
	f, err := c.resolve(ctx, old.Name)
	if err != nil {
		return nil, false, err
	}
	return f, f.ID != old.ID, nil
}

func (c *Conn) store(f *Family) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.byID[f.ID]; ok && old.Name != f.Name && c.families[old.Name] == old {
		delete(c.families, old.Name) // the id now belongs to another family
	}
	if old, ok := c.families[f.Name]; ok && old.ID != f.ID && c.byID[old.ID] == old {
		delete(c.byID, old.ID)
	}
	c.families[f.Name] = f
	c.byID[f.ID] = f
	for _, g := range f.Groups {
		c.groups[g.ID] = groupRef{family: f.Name, group: g.Name}
	}
}

// familyError names the failed operation op on the family what
// (netlink.NameOp); the kernel's ENOENT gives an error matching
// ErrFamilyNotFound, which keeps the *netlink.Error unwrapped (the
// operation named in its Op) so that its text reads "genl: family X not
// found: netlink: ...".
func familyError(op, what string, err error) error {
	named := netlink.NameOp("genl", op, err)
	if ne, ok := errors.AsType[*netlink.Error](err); ok && ne.Errno == syscall.ENOENT {
		return &notFoundError{what, ne}
	}
	return named
}

// getFamily runs CTRL_CMD_GETFAMILY with the selector attributes in e.
func (c *Conn) getFamily(ctx context.Context, e *nlattr.Encoder, what string) (*Family, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	body, err := e.Finish()
	if err != nil {
		return nil, err
	}
	req := netlink.Message{Header: netlink.Header{Type: ctrlID}, Data: append([]byte{ctrlCmdGetFamily, ctrlVersion, 0, 0}, body...)}
	msgs, err := c.nl.Execute(ctx, req)
	if err != nil {
		return nil, familyError("get family "+what, what, err)
	}
	for _, nm := range msgs {
		m, err := parse(nm)
		if err != nil {
			return nil, err
		}
		f := new(Family)
		if err := f.UnmarshalBinary(m.Data); err != nil {
			return nil, err
		}
		return f, nil
	}
	return nil, fmt.Errorf("genl: family %s: the kernel sent no reply: %w", what, netlink.ErrMalformed)
}
