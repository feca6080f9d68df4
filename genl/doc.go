// Package genl speaks generic netlink (NETLINK_GENERIC): the controller
// ("nlctrl") that names families, lists their commands and multicast
// groups and dumps their attribute policies; requests, dumps and
// notifications of any family with the generic header (struct genlmsghdr);
// and a declarative way to describe a family's commands and attributes in
// Go so that no bytes are packed by hand.
//
// Typed clients for some families live in subpackages: ethtool, netdev,
// mptcp (mptcp_pm) and tcpmetrics (tcp_metrics).
//
// # Families
//
// A [Conn] resolves a family by name ([Conn.Family], CTRL_CMD_GETFAMILY)
// the first time it is used and caches it in the Conn (there is no
// package-level registry). Family ids are dynamic: a module unloaded and
// loaded again gets a new one. When a request fails with ENOENT (the
// kernel's answer for an unknown id) or EOPNOTSUPP (a command the family
// under that id lacks), the Conn resolves the name again, once, and sends
// the request again only if the id changed, so a request is never repeated
// against the same family. An unknown family gives an error matching
// [ErrFamilyNotFound] that also wraps the kernel's *netlink.Error.
//
// [Conn.Families] lists every family with its version, header size, highest
// attribute, operations ([OpFlags]: do, dump, has-policy, admin-perm) and
// multicast groups; [Family.Describe] prints them as `genl ctrl list` does.
//
// Command names are not on the wire: [CommandNames] tables give them,
// from a [Spec] ([Spec.CommandNames]), from [ControllerCommands] for
// nlctrl, or from a subpackage (ethtool.CommandNames). [Family.Format] and
// [Policy.Format] print with a table; Describe and String name nlctrl's
// commands by themselves.
//
// # Requests and notifications
//
// [Conn.Execute] and [Conn.Dump] take a family name and a [Message]
// (command, version, payload); [Conn.JoinGroup] joins a multicast group by
// name and [Conn.Receive] streams [Notification]s naming their family and
// group. Joins are counted per Conn ([Conn.LeaveGroup] undoes one), so the
// typed clients of several families, or several [Client]s, can share one
// Conn and its groups without unsubscribing each other. Errors are those of package netlink: *netlink.Error carries the
// kernel's errno and extended-ACK message and names the attribute it
// rejected.
//
// # Policies
//
// [Conn.Policy] and [Conn.CommandPolicy] dump how the kernel validates a
// family's requests (CTRL_CMD_GETPOLICY, Linux 5.10 and later): per
// command, a tree of [PolicySet]s whose [AttrPolicy] entries give the
// attribute kind (NL_ATTR_TYPE_*), value ranges, length bounds, masks and
// the nested policy, resolved. Policy.String prints the tree. Up to at
// least Linux 6.18 the kernel reports the policy of a dump-only command as
// command 0; Policy maps these back to their commands using the family's
// operation list (the kernel walks both in the same order).
//
// # Declarative specs
//
// A family is described as the kernel's YAML specs describe it
// (Documentation/netlink/specs): [AttrSet]s list attributes by name, type
// number and [Kind] (u8 ... u64, s8 ... s64, big-endian integers,
// variable-size uint/sint, string, binary, flag, IP address, nest, nested
// array; repeated attributes with Multi), and a [Spec] lists the commands
// and the set each carries. A [Client] then runs commands with [Attrs],
// a value tree keyed by attribute name, and decodes replies and
// notifications into the same:
//
//	counter := &genl.AttrSet{Name: "counter", Attrs: []genl.Attr{
//		{Name: "name", Type: 1, Kind: genl.KindString},
//		{Name: "value", Type: 2, Kind: genl.KindU64},
//	}}
//	spec := &genl.Spec{Name: "my_counter", Commands: []genl.Command{{Name: "get", ID: 1, Attrs: counter}}}
//	replies, err := genl.NewClient(conn, spec).Execute(ctx, "get", genl.Attrs{"name": "packets"}, 0)
//	value, ok := genl.Value[uint64](replies[0], "value")
//
// Encoding checks every value against its attribute's kind (any Go integer
// type is accepted if the value fits) and writes attributes in the set's
// order; decoding skips attribute types the set does not describe (the
// kernel may be newer) and rejects described ones of the wrong size.
// [AttrSet.CheckPolicy] compares a set with the running kernel's policy,
// which makes a good test for a spec. The value tree was chosen over
// struct tags: it mirrors the YAML specs one to one, needs no reflection
// over user types, and prints generically ([AttrSet.Format]) for tools; the
// typed subpackages convert it into Go structs in a few lines.
//
// # Family clients
//
// The typed clients of the subpackages are built on [FamilyConn], which
// writes once what every family client has: Dial and NewConn
// ([DialFamily], [NewFamilyConn]), Close, the family's multicast groups
// (JoinGroup, LeaveGroup) and its notifications as a typed stream
// (Events), and requests whose errors name the operation and its object:
// `ethtool: set channels of "eth0": invalid argument: ...`, the kernel's
// errno and extended-ACK message after the name, errors.Is and errors.As
// reaching the *netlink.Error. Each family package declares one-line
// methods calling it, for its own documentation; a test keeps them alike,
// and another keeps the exported names of these packages in the
// vocabulary of the project (design.md): Execute, Dump and Receive are the
// raw layer's verbs (Receive the raw stream, Events the typed ones),
// singular nouns look one object up, plural nouns stream a dump, changes
// start with their verb (FlushEntries). Two older words stay for what has
// no word in it: Conn.Forget (the Conn's own cache, no kernel object) and
// Family.Describe (the long text form of a Family).
//
// # Concurrency and ownership
//
// A Conn is safe for concurrent use by many goroutines, with the
// guarantees of netlink.Conn (each call sees only its own replies; dumps
// run one at a time; one Receive at a time). Values returned by Execute,
// Family, Policy, Client and the subpackages are owned by the caller. The
// Data of Messages yielded by Dump and Receive is valid only until the loop
// body returns. AttrSets and Specs are read-only once in use and may be
// shared.
//
// What a value opened it closes; what it was given it leaves open. A Conn
// from Dial owns its socket and Close closes it; a Conn from NewConn wraps
// a netlink.Conn that stays the caller's, and its Close only leaves the
// groups it joined and ends its Receive. The same holds one layer up: a
// family client from its package's Dial owns its genl.Conn, one from
// NewConn shares it (with the caller and other families' clients) and
// leaves it open. A closed Conn or client answers netlink.ErrClosed.
package genl
