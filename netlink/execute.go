package netlink

import (
	"context"
	"fmt"
)

// Execute sends req as a request and waits for its reply: the messages the
// kernel answers with (returned, owned by the caller) and the
// acknowledgement. Request and Acknowledge are added to req's flags; the
// sequence number is assigned by the Conn (req.Header.Sequence is ignored)
// and the port is left for the kernel to fill. A kernel error is returned
// as *Error with the extended-ACK details. If req asks for a dump
// (Flags&Dump == Dump), Execute collects the whole dump, as DumpAll does
// without retrying.
//
// If ctx ends first, Execute returns ctx's error; the request may or may
// not have been carried out, and its late reply is dropped when it comes.
func (c *Conn) Execute(ctx context.Context, req Message) ([]Message, error) {
	if req.Header.Flags&Dump == Dump {
		return collect(c.Dump(ctx, req))
	}
	w := c.register(kindRequest, 1)
	defer c.unregister(w)
	req.Header.Flags |= Request | Acknowledge
	req.Header.Sequence = w.seq
	wire, err := c.sendRequest(req)
	if err != nil {
		return nil, err
	}
	var replies []Message
	for {
		msgs, _, err := c.next(ctx, w)
		if err != nil {
			return replies, c.opError("execute", req.Header, err)
		}
		for i := range msgs {
			m := &msgs[i]
			switch m.Header.Type {
			case TypeNoop:
				continue
			case TypeError, TypeDone:
				errno, e, perr := c.parseEnd(m, wire)
				if perr != nil {
					return replies, c.opError("execute", req.Header, perr)
				}
				if m.Header.Type == TypeDone && errno == 0 {
					continue // a multipart reply ended; its ACK follows
				}
				if e != nil {
					e.Op = "execute"
					if errno != 0 {
						return replies, e
					}
					c.warn(e)
				}
				return replies, nil
			}
			replies = append(replies, copyMessages(msgs[i:i+1])...)
		}
	}
}

// parseEnd decodes an NLMSG_ERROR or NLMSG_DONE message.
func (c *Conn) parseEnd(m *Message, req []byte) (errnoOrZero errnoT, e *Error, err error) {
	if m.Header.Type == TypeError {
		errno, e, err := parseAck(m, req)
		return errno, e, err
	}
	return parseDone(m, req)
}

func (c *Conn) warn(e *Error) {
	if c.cfg.Warning != nil {
		c.cfg.Warning(e)
	}
}

// sendRequest encodes and sends one request; it returns the encoded bytes,
// used to name the attribute an error points at.
func (c *Conn) sendRequest(req Message) ([]byte, error) {
	wire, err := AppendMessage(nil, req.Header, req.Data)
	if err != nil {
		return nil, err
	}
	if err := c.sendRaw(wire, 0, 0); err != nil {
		return nil, c.opError("send", req.Header, err)
	}
	return wire, nil
}

// sendRaw sends one datagram of encoded messages, tracing them.
func (c *Conn) sendRaw(b []byte, port, groups uint32) error {
	if c.cfg.Trace != nil {
		msgs, _ := AppendParse(nil, b)
		for _, m := range msgs {
			c.cfg.Trace(Sent, m)
		}
	}
	if err := c.s.send(b, port, groups); err != nil {
		if c.isClosed() {
			return ErrClosed
		}
		return err
	}
	return nil
}

func (c *Conn) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

// opError wraps a transport error with what was being done.
func (c *Conn) opError(op string, h Header, err error) error {
	return fmt.Errorf("netlink: %s %s seq %d: %w", op, h.Type, h.Sequence, err)
}

// collect drains a dump iterator into caller-owned copies.
func collect(seq func(func(Message, error) bool)) ([]Message, error) {
	var out []Message
	var err error
	seq(func(m Message, e error) bool {
		if e != nil {
			err = e
			return false
		}
		out = append(out, copyMessages([]Message{m})...)
		return true
	})
	return out, err
}
