package netlink

// KernelDrops returns how many messages the kernel has dropped for this
// socket because its receive buffer was full (the socket's sk_drops, read
// with SO_MEMINFO). With Config.NoENOBUFS it is the only trace of such
// losses. It makes one non-blocking system call.
func (c *Conn) KernelDrops() (uint32, error) {
	return c.s.drops()
}
