package nflog

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/nlkit/nlkit/internal/enumtext"
	"github.com/nlkit/nlkit/netfilter"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/netns"
	"github.com/nlkit/nlkit/nlattr"
)

// Configuration attributes and commands (linux/netfilter/nfnetlink_log.h).
const (
	attrCfgCmd      = 1 // NFULA_CFG_CMD: struct nfulnl_msg_config_cmd
	attrCfgMode     = 2 // NFULA_CFG_MODE: struct nfulnl_msg_config_mode
	attrCfgNLBufSiz = 3 // NFULA_CFG_NLBUFSIZ: __be32
	attrCfgTimeout  = 4 // NFULA_CFG_TIMEOUT: __be32, hundredths of a second
	attrCfgQThresh  = 5 // NFULA_CFG_QTHRESH: __be32
	attrCfgFlags    = 6 // NFULA_CFG_FLAGS: __be16

	cmdBind     = 1 // NFULNL_CFG_CMD_BIND
	cmdUnbind   = 2 // NFULNL_CFG_CMD_UNBIND
	cmdPFBind   = 3 // NFULNL_CFG_CMD_PF_BIND
	cmdPFUnbind = 4 // NFULNL_CFG_CMD_PF_UNBIND
)

// Limits the kernel applies to the settings.
const (
	// MaxCopyRange is the largest copy range (NFULNL_COPY_RANGE_MAX): a
	// payload's length must fit a 16-bit attribute length.
	MaxCopyRange = 0xFFFF - nlattr.HeaderLen
	// MaxBufferSize is the largest netlink buffer size the kernel takes
	// (NFULA_CFG_NLBUFSIZ); it ignores larger values without an error.
	MaxBufferSize = 131072
	// MaxDatagram bounds the datagrams nfnetlink_log sends: a batch
	// buffer of MaxBufferSize bytes, which the kernel's allocator rounds
	// up to 256 KiB of room, or one entry of at most MaxCopyRange bytes of
	// packet. Dial sets it as netlink.Config.MaxDatagram (unless set), so
	// that each datagram is read with one system call.
	MaxDatagram = 256 << 10
)

// CopyMode says what the kernel copies of each packet (NFULNL_COPY_*).
type CopyMode uint8

// Copy modes.
const (
	CopyNone   CopyMode = 0 // NFULNL_COPY_NONE: no payload (the kernel treats it as CopyMeta)
	CopyMeta   CopyMode = 1 // NFULNL_COPY_META: metadata only, no payload
	CopyPacket CopyMode = 2 // NFULNL_COPY_PACKET: metadata and the packet, up to the copy range
)

var copyModeNames = [...]string{"none", "meta", "packet"}

// String gives the mode's name (none, meta, packet) or its number.
func (m CopyMode) String() string {
	if int(m) < len(copyModeNames) {
		return copyModeNames[m]
	}
	return strconv.Itoa(int(m))
}

// AppendText appends String's text.
func (m CopyMode) AppendText(b []byte) ([]byte, error) { return append(b, m.String()...), nil }

// MarshalText returns String's text.
func (m CopyMode) MarshalText() ([]byte, error) { return m.AppendText(nil) }

// UnmarshalText accepts String's words or a number.
func (m *CopyMode) UnmarshalText(b []byte) error {
	return enumtext.Unmarshal(m, b, "nflog", "copy mode", uint32(len(copyModeNames)))
}

// Flags are the group's flags (NFULA_CFG_FLAGS, NFULNL_CFG_F_*).
type Flags uint16

// Flag bits.
const (
	// FlagSeq numbers the group's entries (NFULA_SEQ, from 0), which
	// lets the stream count lost entries.
	FlagSeq Flags = 0x1 // NFULNL_CFG_F_SEQ
	// FlagSeqGlobal numbers entries across all groups of the namespace
	// (NFULA_SEQ_GLOBAL).
	FlagSeqGlobal Flags = 0x2 // NFULNL_CFG_F_SEQ_GLOBAL
	// FlagConntrack adds the packet's connection (NFULA_CT, NFULA_CT_INFO).
	// The kernel refuses it (EOPNOTSUPP) without nf_conntrack_netlink.
	FlagConntrack Flags = 0x4 // NFULNL_CFG_F_CONNTRACK
)

var flagNames = [...]string{"seq", "seq-global", "conntrack"}

// String lists the set flags separated by '|' (seq, seq-global, conntrack;
// unknown bits in hex); "0" when none is set.
func (f Flags) String() string {
	if f == 0 {
		return "0"
	}
	var s []string
	for i, n := range flagNames {
		if f&(1<<i) != 0 {
			s = append(s, n)
		}
	}
	if rest := f &^ (1<<len(flagNames) - 1); rest != 0 {
		s = append(s, fmt.Sprintf("%#x", uint16(rest)))
	}
	return strings.Join(s, "|")
}

// AppendText appends String's text.
func (f Flags) AppendText(b []byte) ([]byte, error) { return append(b, f.String()...), nil }

// MarshalText returns String's text.
func (f Flags) MarshalText() ([]byte, error) { return f.AppendText(nil) }

// UnmarshalText accepts String's text: flag names or numbers separated by
// '|' or ','.
func (f *Flags) UnmarshalText(b []byte) error {
	var v Flags
	for _, w := range strings.FieldsFunc(string(b), func(r rune) bool { return r == '|' || r == ',' }) {
		i := 0
		for i < len(flagNames) && flagNames[i] != w {
			i++
		}
		if i < len(flagNames) {
			v |= 1 << i
			continue
		}
		n, err := strconv.ParseUint(w, 0, 16)
		if err != nil {
			return fmt.Errorf("nflog: unknown flag %q", w)
		}
		v |= Flags(n)
	}
	*f = v
	return nil
}

// Config is what Dial binds and how. A nil *Config binds group 0 with the
// defaults below.
type Config struct {
	// Group is the log group to bind (the N of `log group N`,
	// `--nflog-group N`).
	Group uint16

	// CopyMode says what is copied of each packet; the zero value (and
	// CopyNone, which the kernel treats as CopyMeta) means CopyPacket, so
	// that the zero Config gets the packets. Set CopyMeta for metadata only.
	CopyMode CopyMode
	// CopyRange is how many bytes of each packet are copied with
	// CopyPacket; 0 means the whole packet (up to MaxCopyRange, as are
	// larger values). A rule's own copy length (nft's snaplen,
	// --nflog-size) applies when smaller.
	CopyRange int

	// QThreshold is how many entries the kernel gathers in one datagram
	// before it sends them (NFULA_CFG_QTHRESH); 0 means 1: each entry is
	// sent at once. A rule's own threshold (iptables --nflog-threshold,
	// nft's queue-threshold) applies when smaller; a rule without one
	// (iptables 1.8 sends 0 unless the option is given) leaves this one.
	QThreshold int
	// Timeout is how long the kernel holds a partial batch before sending
	// it (NFULA_CFG_TIMEOUT, sent in hundredths of a second, rounded up);
	// 0 means the kernel's default, 1 s. It matters only with QThreshold
	// above 1.
	Timeout time.Duration
	// BufferSize is the size of the kernel's buffer for a batch, in bytes
	// (NFULA_CFG_NLBUFSIZ): a batch is sent early when the next entry
	// does not fit. 0 keeps the kernel's default (NLMSG_GOODSIZE, a page
	// less the kernel's overhead: 3776 bytes on x86-64). The kernel ignores
	// values below its default and above MaxBufferSize without an error;
	// Dial refuses the latter. The socket's receive buffer must hold at
	// least one such batch.
	BufferSize int
	// Flags are sent at bind: FlagSeq, FlagSeqGlobal, FlagConntrack.
	Flags Flags

	// Families are protocol families for which nfnetlink_log becomes the
	// namespace's default logger (NFULNL_CFG_CMD_PF_BIND), for logging
	// that names no group; see the package doc. They stay bound after
	// Close: the kernel keeps one logger per family, not a count of its
	// users, and unbinding would take it from any other program too.
	Families []netfilter.Family

	// Netlink configures the socket (netlink.Config: NetNS, ReceiveBuffer,
	// NoENOBUFS, Trace ...); nil means defaults. Dial sets its MaxDatagram
	// to this package's MaxDatagram when it is 0, and KeepBeforeOverrun:
	// after a loss the entries that came before it are still delivered,
	// then netlink.ErrOverrun.
	Netlink *netlink.Config
}

// ConfigChange changes a bound group's settings; nil fields stay as they
// are. The fields mean what Config's do.
type ConfigChange struct {
	CopyMode   *CopyMode
	CopyRange  *int
	QThreshold *int
	Timeout    *time.Duration
	BufferSize *int
	Flags      *Flags
}

// ErrGroupBusy is matched by *GroupBusyError.
var ErrGroupBusy = errors.New("nflog: log group is bound by another socket")

// GroupBusyError reports that a group could not be bound because another
// socket holds it: the kernel keeps one socket per log group and network
// namespace (and answers EPERM). errors.Is(err, ErrGroupBusy) and
// errors.Is(err, syscall.EPERM) hold.
type GroupBusyError struct {
	Group uint16
	// Port is the netlink port (nl_pid) of the socket that holds the
	// group, as /proc/net/netfilter/nfnetlink_log lists it.
	Port uint32
	Err  error // the kernel's error
}

// Error names the group, the socket holding it and the errno.
func (e *GroupBusyError) Error() string {
	var errno syscall.Errno
	errors.As(e.Err, &errno)
	return fmt.Sprintf("nflog: bind group %d: the group is bound by netlink port %d (one socket per group and namespace): %v",
		e.Group, e.Port, errno)
}

// Unwrap returns the kernel's error (a *netlink.Error with EPERM).
func (e *GroupBusyError) Unwrap() error { return e.Err }

// Is reports whether target is ErrGroupBusy.
func (e *GroupBusyError) Is(target error) bool { return target == ErrGroupBusy }

// LossError reports entries the stream never saw: the group's sequence
// numbers (FlagSeq) jumped from Expected to Got. It matches
// errors.Is(err, netlink.ErrOverrun), as the kernel's ENOBUFS does; the
// stream goes on after it.
type LossError struct {
	Group    uint16
	Lost     uint32 // entries missing: Got - Expected
	Expected uint32 // the sequence number that should have come
	Got      uint32 // the sequence number that came
}

// Error says how many entries of which group were lost.
func (e *LossError) Error() string {
	return fmt.Sprintf("nflog: group %d: %d entries lost (sequence numbers %d to %d missing)",
		e.Group, e.Lost, e.Expected, e.Got-1)
}

// Is reports whether target is netlink.ErrOverrun.
func (e *LossError) Is(target error) bool { return target == netlink.ErrOverrun }

// Stats are a Conn's counters. All only grow.
type Stats struct {
	Entries   uint64 // entries yielded
	Batches   uint64 // datagrams that carried several entries (ended by NLMSG_DONE)
	Overruns  uint64 // ENOBUFS reports (netlink.ErrOverrun yielded)
	Lost      uint64 // entries counted missing by sequence gaps (FlagSeq)
	Malformed uint64 // entries that did not decode (their errors were yielded)
}

// Conn is a socket bound to a log group. It is safe for concurrent use;
// one Entries stream runs at a time.
type Conn struct {
	nf    *netfilter.Conn
	owned bool
	group uint16

	mu     sync.Mutex // guards flags, mode, rng, expect and have
	flags  Flags
	mode   CopyMode
	rng    int
	expect uint32 // next sequence number
	have   bool   // expect is known

	entries, batches, overruns, lost, malformed atomic.Uint64

	entry     Entry // the stream's
	closeOnce sync.Once
	closeErr  error
}

// Dial opens a NETLINK_NETFILTER socket (in cfg.Netlink.NetNS if set),
// binds it to cfg.Group and sends every setting with the bind, in one
// request the kernel applies whole or refuses. It needs CAP_NET_ADMIN in
// the namespace. A group bound by another socket gives a *GroupBusyError.
// The kernel answers the request while it is sent, so Dial does not block.
// The Conn owns the socket: Close releases the group and the socket.
func Dial(cfg *Config) (*Conn, error) {
	var c Config
	if cfg != nil {
		c = *cfg
	}
	if err := c.check(); err != nil {
		return nil, err
	}
	var ncfg netlink.Config
	if c.Netlink != nil {
		ncfg = *c.Netlink
	}
	if ncfg.MaxDatagram == 0 {
		ncfg.MaxDatagram = MaxDatagram
	}
	// A log has no state to resynchronise: entries that reached the socket
	// before a loss are worth as much as those after it.
	ncfg.KeepBeforeOverrun = true
	nf, err := netfilter.Dial(&ncfg)
	if err != nil {
		return nil, fmt.Errorf("nflog: bind group %d: %w", c.Group, err)
	}
	conn, err := bind(nf, &c, true)
	if err != nil {
		nf.Close()
		return nil, err
	}
	conn.owned = true
	return conn, nil
}

// NewConn binds cfg.Group over nf, a netfilter.Conn the caller shares
// (cfg.Netlink is ignored). Close unbinds the group (NFULNL_CFG_CMD_UNBIND)
// and leaves nf open. A busy group is an EPERM error here, not a
// *GroupBusyError: nf's namespace, where the holder would be looked up, is
// not known. Entries of other groups bound on nf are skipped by
// Entries; only one Entries stream can run per socket.
func NewConn(nf *netfilter.Conn, cfg *Config) (*Conn, error) {
	var c Config
	if cfg != nil {
		c = *cfg
	}
	if err := c.check(); err != nil {
		return nil, err
	}
	return bind(nf, &c, false)
}

func (c *Config) check() error {
	switch {
	case c.CopyMode > CopyPacket:
		return fmt.Errorf("nflog: bind group %d: copy mode %d unknown (none, meta, packet)", c.Group, c.CopyMode)
	case c.CopyRange < 0:
		return fmt.Errorf("nflog: bind group %d: negative copy range %d", c.Group, c.CopyRange)
	case c.QThreshold < 0 || int64(c.QThreshold) > math.MaxUint32:
		return fmt.Errorf("nflog: bind group %d: queue threshold %d out of range", c.Group, c.QThreshold)
	case c.Timeout < 0 || c.Timeout/(10*time.Millisecond) > math.MaxUint32-1:
		return fmt.Errorf("nflog: bind group %d: timeout %v out of range", c.Group, c.Timeout)
	case c.BufferSize < 0 || c.BufferSize > MaxBufferSize:
		return fmt.Errorf("nflog: bind group %d: buffer size %d out of range (at most %d; the kernel ignores more)", c.Group, c.BufferSize, MaxBufferSize)
	}
	return nil
}

// appendSettings appends the config attributes of the settings of ch.
func appendSettings(enc *nlattr.Encoder, ch ConfigChange) {
	if ch.CopyMode != nil || ch.CopyRange != nil {
		mode, rng := CopyPacket, 0
		if ch.CopyMode != nil && *ch.CopyMode != CopyNone {
			mode = *ch.CopyMode
		}
		if ch.CopyRange != nil {
			rng = min(*ch.CopyRange, MaxCopyRange)
		}
		var p [6]byte // struct nfulnl_msg_config_mode, packed
		p[0], p[1], p[2], p[3] = byte(rng>>24), byte(rng>>16), byte(rng>>8), byte(rng)
		p[4] = uint8(mode)
		enc.Bytes(attrCfgMode, p[:])
	}
	if ch.Timeout != nil {
		t := *ch.Timeout
		if t == 0 {
			t = time.Second
		}
		enc.Uint32BE(attrCfgTimeout, uint32((t+10*time.Millisecond-1)/(10*time.Millisecond)))
	}
	if ch.BufferSize != nil && *ch.BufferSize != 0 {
		enc.Uint32BE(attrCfgNLBufSiz, uint32(*ch.BufferSize))
	}
	if ch.QThreshold != nil {
		enc.Uint32BE(attrCfgQThresh, uint32(max(*ch.QThreshold, 1)))
	}
	if ch.Flags != nil {
		enc.Uint16BE(attrCfgFlags, uint16(*ch.Flags))
	}
}

// configRequest builds an NFULNL_MSG_CONFIG request for group with command
// cmd (0: none) and the settings of ch.
func configRequest(family netfilter.Family, group uint16, cmd uint8, ch ConfigChange) (netlink.Message, error) {
	enc := nlattr.NewEncoder(nil)
	if cmd != 0 {
		enc.Bytes(attrCfgCmd, []byte{cmd})
	}
	appendSettings(enc, ch)
	attrs, err := enc.Finish()
	if err != nil {
		return netlink.Message{}, err
	}
	return netfilter.NewMessage(netfilter.SubsysULog, msgConfig, 0,
		netfilter.Header{Family: family, Version: netfilter.Version, ResourceID: group}, attrs), nil
}

// bind binds cfg.Group on nf. knownNS says that cfg.Netlink.NetNS is nf's
// namespace, where the holder of a busy group can be looked up.
func bind(nf *netfilter.Conn, cfg *Config, knownNS bool) (*Conn, error) {
	ctx := context.Background()
	for _, f := range cfg.Families {
		req, err := configRequest(f, 0, cmdPFBind, ConfigChange{})
		if err == nil {
			_, err = nf.Execute(ctx, req)
		}
		if err != nil {
			return nil, netlink.NameOp("nflog", fmt.Sprintf("bind family %s", f), err)
		}
	}
	ch := ConfigChange{
		CopyMode: &cfg.CopyMode, CopyRange: &cfg.CopyRange, QThreshold: &cfg.QThreshold,
		Timeout: &cfg.Timeout, BufferSize: &cfg.BufferSize, Flags: &cfg.Flags,
	}
	req, err := configRequest(netfilter.FamilyUnspec, cfg.Group, cmdBind, ch)
	if err != nil {
		return nil, fmt.Errorf("nflog: bind group %d: %w", cfg.Group, err)
	}
	_, err = nf.Execute(ctx, req)
	if errors.Is(err, syscall.EAGAIN) {
		// The kernel loaded nf_conntrack_netlink for FlagConntrack while
		// handling the request and asks for it again.
		_, err = nf.Execute(ctx, req)
	}
	if err != nil {
		if errors.Is(err, syscall.EOPNOTSUPP) && cfg.Flags&FlagConntrack != 0 {
			return nil, netlink.NameOp("nflog", fmt.Sprintf("bind group %d with flag conntrack (needs a kernel with CONFIG_NETFILTER_NETLINK_GLUE_CT)", cfg.Group), err)
		}
		if errors.Is(err, syscall.EPERM) && knownNS {
			if port, ok := holder(cfg, cfg.Group); ok && port != nf.Netlink().PortID() {
				return nil, &GroupBusyError{Group: cfg.Group, Port: port, Err: err}
			}
		}
		return nil, netlink.NameOp("nflog", fmt.Sprintf("bind group %d", cfg.Group), err)
	}
	c := &Conn{nf: nf, group: cfg.Group, flags: cfg.Flags, mode: cfg.CopyMode, rng: cfg.CopyRange}
	c.have = cfg.Flags&FlagSeq != 0 // a new instance numbers from 0
	return c, nil
}

// holder finds the port holding group in the kernel's table of the
// socket's namespace.
func holder(cfg *Config, group uint16) (uint32, bool) {
	var ns *netns.NS
	if cfg.Netlink != nil {
		ns = cfg.Netlink.NetNS
	}
	list, err := InstanceList(context.Background(), ns)
	if err != nil {
		return 0, false
	}
	for _, in := range list {
		if in.Group == group {
			return in.PortID, true
		}
	}
	return 0, false
}

// Group returns the bound log group.
func (c *Conn) Group() uint16 { return c.group }

// Netfilter returns the underlying netfilter.Conn.
func (c *Conn) Netfilter() *netfilter.Conn { return c.nf }

// SetConfig changes the group's settings; nil fields of ch stay as they
// are. Entries already gathered in the kernel are sent with the old
// settings' batch. Turning FlagSeq on restarts loss counting at the next
// numbered entry.
func (c *Conn) SetConfig(ctx context.Context, ch ConfigChange) error {
	cfg := Config{Group: c.group}
	if ch.CopyMode != nil {
		cfg.CopyMode = *ch.CopyMode
	}
	if ch.CopyRange != nil {
		cfg.CopyRange = *ch.CopyRange
	}
	if ch.QThreshold != nil {
		cfg.QThreshold = *ch.QThreshold
	}
	if ch.Timeout != nil {
		cfg.Timeout = *ch.Timeout
	}
	if ch.BufferSize != nil {
		cfg.BufferSize = *ch.BufferSize
	}
	if err := cfg.check(); err != nil {
		return err
	}
	// Mode and range travel in one attribute: complete the one not given.
	c.mu.Lock()
	if ch.CopyMode != nil && ch.CopyRange == nil {
		ch.CopyRange = &c.rng
	} else if ch.CopyRange != nil && ch.CopyMode == nil {
		ch.CopyMode = &c.mode
	}
	req, err := configRequest(netfilter.FamilyUnspec, c.group, 0, ch)
	c.mu.Unlock()
	if err == nil {
		_, err = c.nf.Execute(ctx, req)
	}
	if err != nil {
		return netlink.NameOp("nflog", fmt.Sprintf("set config of group %d", c.group), err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if ch.CopyMode != nil {
		c.mode, c.rng = *ch.CopyMode, *ch.CopyRange
	}
	if ch.Flags != nil {
		if *ch.Flags&FlagSeq != 0 && c.flags&FlagSeq == 0 {
			c.have = false // numbering resumes where the kernel left it
		}
		c.flags = *ch.Flags
	}
	return nil
}

// Stats returns the counters. Safe to call at any time.
func (c *Conn) Stats() Stats {
	return Stats{
		Entries: c.entries.Load(), Batches: c.batches.Load(), Overruns: c.overruns.Load(),
		Lost: c.lost.Load(), Malformed: c.malformed.Load(),
	}
}

// Close releases the group and, for a Conn made by Dial, closes the socket
// (the kernel then drops the group and the entries it was gathering), which
// ends a running Entries stream with netlink.ErrClosed. A Conn made by
// NewConn unbinds the group (NFULNL_CFG_CMD_UNBIND) and leaves the socket
// open. Closing twice is harmless.
func (c *Conn) Close() error {
	c.closeOnce.Do(func() {
		if c.owned {
			c.closeErr = c.nf.Close()
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		req, err := configRequest(netfilter.FamilyUnspec, c.group, cmdUnbind, ConfigChange{})
		if err == nil {
			_, err = c.nf.Execute(ctx, req)
		}
		if err != nil {
			c.closeErr = netlink.NameOp("nflog", fmt.Sprintf("unbind group %d", c.group), err)
		}
	})
	return c.closeErr
}

var packetType = netfilter.MessageType(netfilter.SubsysULog, msgPacket)

// Entries streams the group's entries until ctx ends or the Conn is
// closed. It is a single-use iterator; one runs at a time per Conn.
//
// The yielded *Entry is the stream's own, overwritten by the next entry:
// it and the bytes it points to are valid only until the loop body returns
// (Clone what you keep). Entries allocates nothing per entry. Breaking out
// of the loop loses nothing: the entries left in the datagram being read
// come first in the next Entries.
//
// Losses are yielded and the stream goes on: netlink.ErrOverrun when the
// kernel reported ENOBUFS, and, with FlagSeq, a *LossError counting the
// entries missing before the next entry (after an ENOBUFS too). An entry
// that does not decode is yielded as an error (errors.Is ErrMalformed) and
// the stream goes on. Any other error (ctx's, netlink.ErrClosed) ends it.
func (c *Conn) Entries(ctx context.Context) iter.Seq2[*Entry, error] {
	return func(yield func(*Entry, error) bool) {
		in := netlink.DecodeNotifications(c.nf.Netlink().Receive(ctx), c.decode)
		for e, err := range in {
			if err != nil {
				if errors.Is(err, ErrMalformed) {
					c.malformed.Add(1)
				} else if errors.Is(err, netlink.ErrOverrun) {
					c.overruns.Add(1)
				}
				if !yield(nil, err) {
					return
				}
				continue
			}
			if lerr := c.gap(e); lerr != nil {
				if !yield(nil, lerr) {
					return
				}
			}
			c.entries.Add(1)
			if !yield(e, nil) {
				return
			}
		}
	}
}

// decode is the stream's decoder: an entry of the group, or nothing.
func (c *Conn) decode(n netlink.Notification) (*Entry, bool, error) {
	switch n.Header.Type {
	case packetType:
	case netlink.TypeDone:
		c.batches.Add(1)
		return nil, false, nil
	default:
		return nil, false, nil
	}
	var h netfilter.Header
	if err := h.UnmarshalBinary(n.Data); err != nil {
		return nil, false, &decodeError{fmt.Errorf("nflog: entry: %w", err)}
	}
	if h.ResourceID != c.group {
		return nil, false, nil
	}
	e := &c.entry
	if err := e.decode(h, n.Data[netfilter.HeaderLen:], true); err != nil {
		return nil, false, err
	}
	return e, true, nil
}

// gap checks e's sequence number and returns the loss before it, if any.
func (c *Conn) gap(e *Entry) error {
	if !e.HasSeq {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.flags&FlagSeq == 0 {
		return nil
	}
	want, have := c.expect, c.have
	c.expect, c.have = e.Seq+1, true
	if !have || e.Seq == want {
		return nil
	}
	n := e.Seq - want
	if n > math.MaxInt32 {
		// Behind, not ahead: an entry numbered before the last one
		// (numbering restarted). Nothing is known lost.
		return nil
	}
	c.lost.Add(uint64(n))
	return &LossError{Group: c.group, Lost: n, Expected: want, Got: e.Seq}
}
