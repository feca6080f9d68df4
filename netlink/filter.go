package netlink

// FilterInstruction is one instruction of a classic BPF program (struct
// sock_filter in linux/filter.h): the opcode, the jump offsets if true and
// if false, and the constant operand. A program of them, given to
// Conn.SetFilter, runs in the kernel on every datagram queued to the socket
// and drops those it returns 0 for, so that a subscriber is not woken for
// notifications it would throw away.
type FilterInstruction struct {
	Op        uint16 // code
	JumpTrue  uint8  // jt
	JumpFalse uint8  // jf
	K         uint32 // k
}

// SetFilter attaches prog to the socket as its classic BPF socket filter
// (SO_ATTACH_FILTER), replacing any earlier one; an empty prog detaches it
// (SO_DETACH_FILTER). The filter sees every datagram the kernel queues to
// the socket, replies included, at offset 0 of a netlink message header;
// what it drops is neither received nor counted as an overrun. The kernel
// checks the program when it is attached and refuses an invalid one
// (EINVAL). A Conn made by NewConn over a Transport returns an error:
// filters are the kernel's. Safe to call at any time.
func (c *Conn) SetFilter(prog []FilterInstruction) error {
	if c.isClosed() {
		return ErrClosed
	}
	return c.s.setFilter(prog)
}
