package genl

import (
	"context"
	"errors"
	"fmt"
	"iter"

	"github.com/nlkit/nlkit/netlink"
)

// Spec describes a generic netlink family declaratively, as its YAML spec
// (Documentation/netlink/specs) does: its name, its commands and the
// attribute sets they carry. With a Client it is all a program needs to
// talk to a family, its own kernel module's included, without packing
// bytes by hand.
//
// A Spec is read-only once in use and may be shared by goroutines. Families
// with a fixed header (Family.HeaderSize > 0) are not described by a Spec;
// use Conn.Execute with AttrSet.Append and Decode for them.
type Spec struct {
	Name     string    // family name, as the controller knows it
	Version  uint8     // genlmsghdr.version to send; 0: the family's own
	Commands []Command // requests, replies and notifications
}

// Command is one command of a Spec.
type Command struct {
	Name string // e.g. "dev-get"
	ID   uint8  // genlmsghdr.cmd
	// Attrs lays out the request's attributes (and the reply's, unless
	// Reply is set). nil: the command carries no attributes.
	Attrs *AttrSet
	// Reply lays out the replies and notifications with this ID when
	// they differ from the request's set.
	Reply *AttrSet
	// Notification marks a message the kernel multicasts (YAML
	// "notify"/"event" operations). Families may reuse request numbers
	// for notifications; Decode looks among these first.
	Notification bool
}

func (c *Command) replySet() *AttrSet {
	if c.Reply != nil {
		return c.Reply
	}
	return setOrEmpty(c.Attrs)
}

// Command returns the command called name.
func (s *Spec) Command(name string) (Command, bool) {
	for _, c := range s.Commands {
		if c.Name == name {
			return c, true
		}
	}
	return Command{}, false
}

// Validate checks the spec: a name, command names unique, and every
// attribute set valid (see AttrSet.Validate). Test your Specs with it.
func (s *Spec) Validate() error {
	var errs []error
	if s.Name == "" {
		errs = append(errs, errors.New("no family name"))
	}
	names := make(map[string]bool)
	for _, c := range s.Commands {
		if c.Name == "" || names[c.Name] {
			errs = append(errs, fmt.Errorf("command %d: name %q empty or used twice", c.ID, c.Name))
		}
		names[c.Name] = true
		for _, set := range []*AttrSet{c.Attrs, c.Reply} {
			if set != nil {
				if err := set.Validate(); err != nil {
					errs = append(errs, fmt.Errorf("command %s: %w", c.Name, err))
				}
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("genl: spec %s: %w", s.Name, err)
	}
	return nil
}

// Request encodes a request for the command called cmd with attributes v.
func (s *Spec) Request(cmd string, v Attrs) (Message, error) {
	c, ok := s.Command(cmd)
	if !ok {
		return Message{}, fmt.Errorf("genl: spec %s has no command %q", s.Name, cmd)
	}
	var data []byte
	if len(v) > 0 {
		var err error
		if data, err = setOrEmpty(c.Attrs).Append(nil, v); err != nil {
			return Message{}, err
		}
	}
	return Message{Command: c.ID, Version: s.Version, Data: data}, nil
}

// Decode decodes a notification (or reply) of the family: the first
// command with m's command number names it and lays out its attributes
// (Reply, or Attrs), commands marked Notification first. A command number
// the spec does not know is returned as a Command named "cmd-N" whose
// attributes are all skipped.
func (s *Spec) Decode(m Message) (Command, Attrs, error) {
	for _, ntf := range []bool{true, false} {
		for _, c := range s.Commands {
			if c.ID == m.Command && c.Notification == ntf {
				v, err := c.replySet().Decode(m.Data)
				return c, v, err
			}
		}
	}
	return Command{Name: fmt.Sprintf("cmd-%d", m.Command), ID: m.Command}, Attrs{}, nil
}

// Client speaks a family described by a Spec over a Conn: requests,
// dumps and notifications as Attrs. It is safe for concurrent use, like
// the Conn; Close the Conn, not the Client.
type Client struct {
	conn *Conn
	spec *Spec
}

// NewClient binds spec to c. spec must stay unchanged while in use; check
// it with Spec.Validate in your tests.
func NewClient(c *Conn, spec *Spec) *Client {
	return &Client{conn: c, spec: spec}
}

// Conn returns the Conn the Client uses.
func (cl *Client) Conn() *Conn { return cl.conn }

// Spec returns the Client's spec.
func (cl *Client) Spec() *Spec { return cl.spec }

// Execute sends the command called cmd with attributes req and returns
// the decoded replies, once the kernel acknowledged it, as Conn.Execute
// does with a Message. flags are added to Request|Acknowledge. Errors
// name the family and command (netlink.NameOp: "genl: mptcp_pm add-addr:
// invalid argument: ..."); errors.As finds the *netlink.Error with the
// kernel's extended-ACK message.
func (cl *Client) Execute(ctx context.Context, cmd string, req Attrs, flags netlink.Flags) ([]Attrs, error) {
	c, _ := cl.spec.Command(cmd)
	m, err := cl.spec.Request(cmd, req)
	if err != nil {
		return nil, err
	}
	msgs, err := cl.conn.Execute(ctx, cl.spec.Name, m, flags)
	if err != nil {
		return nil, netlink.NameOp("genl", cl.spec.Name+" "+cmd, err)
	}
	out := make([]Attrs, 0, len(msgs))
	for _, r := range msgs {
		v, err := c.replySet().Decode(r.Data)
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
	return out, nil
}

// Dump runs the command called cmd as a dump with attributes req (filters,
// when the family takes any) and streams the decoded replies. It is a
// single-use iterator; the values are owned by the caller. The stream
// stops at the first error, see Conn.Dump.
func (cl *Client) Dump(ctx context.Context, cmd string, req Attrs) iter.Seq2[Attrs, error] {
	return func(yield func(Attrs, error) bool) {
		c, _ := cl.spec.Command(cmd)
		m, err := cl.spec.Request(cmd, req)
		if err != nil {
			yield(nil, err)
			return
		}
		for r, err := range cl.conn.Dump(ctx, cl.spec.Name, m) {
			if err != nil {
				yield(nil, netlink.NameOp("genl", cl.spec.Name+" dump "+cmd, err))
				return
			}
			v, err := c.replySet().Decode(r.Data)
			if !yield(v, err) || err != nil {
				return
			}
		}
	}
}

// JoinGroup subscribes the Conn to the family's multicast group called
// group; its notifications come out of Events. It returns once the socket
// is in the group (see Conn.JoinGroup), so a Dump taken afterwards misses
// no change: join, then dump, then apply Events.
func (cl *Client) JoinGroup(ctx context.Context, group string) error {
	_, err := cl.conn.JoinGroup(ctx, cl.spec.Name, group)
	return err
}

// LeaveGroup undoes one JoinGroup of the family's group called group
// (see Conn.LeaveGroup: joins are counted per Conn, so Clients sharing a
// Conn do not unsubscribe each other).
func (cl *Client) LeaveGroup(ctx context.Context, group string) error {
	return cl.conn.LeaveGroup(ctx, cl.spec.Name, group)
}

// Event is a decoded notification of a Client's family.
type Event struct {
	Command Command // the notification's command, from the Spec
	Group   string  // the multicast group it came through
	Attrs   Attrs   // owned by the caller
}

// Events streams the notifications of the family's groups joined with
// JoinGroup, decoded by the Spec; notifications of other families on the
// same Conn are skipped. It is a single-use iterator and uses
// Conn.Receive (the raw stream): one at a time per Conn.
//
// netlink.ErrOverrun is yielded when notifications were lost, and the
// stream goes on; nothing sent before the loss follows it (see
// Conn.Receive). To hold state: JoinGroup, then Dump, then apply Events;
// on ErrOverrun, Dump again, replace the state and go on.
func (cl *Client) Events(ctx context.Context) iter.Seq2[Event, error] {
	return netlink.DecodeNotifications(cl.conn.Receive(ctx), func(n Notification) (Event, bool, error) {
		if n.Family != cl.spec.Name {
			return Event{}, false, nil
		}
		c, v, err := cl.spec.Decode(n.Message)
		if err != nil {
			return Event{}, false, err
		}
		return Event{Command: c, Group: n.Group, Attrs: v}, true, nil
	})
}
