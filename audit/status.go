package audit

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"syscall"

	"github.com/nlkit/nlkit/netlink"
)

// Status is the kernel's audit status (struct audit_status), as `auditctl
// -s` prints it.
type Status struct {
	Enabled      uint32 // 0 off, 1 on, 2 on and locked until reboot (auditctl -e)
	Failure      uint32 // what a critical error does: 0 silent, 1 printk, 2 panic (-f)
	PID          uint32 // the registered audit daemon's pid; 0 none
	RateLimit    uint32 // records per second at most; 0 unlimited (-r)
	BacklogLimit uint32 // records queued at most before loss (-b)
	Lost         uint32 // records lost since boot or the last FlushLost
	Backlog      uint32 // records queued now
	// Features is the bitmap of what this kernel's status supports
	// (AUDIT_FEATURE_BITMAP_*); FeatureBacklogLimit ... FeatureFilterFS.
	Features uint32
	// BacklogWaitTime is how long, in jiffies, an audited task waits for
	// room in a full backlog before its record is lost (--backlog_wait_time).
	BacklogWaitTime uint32
	// BacklogWaitTimeActual is the total time tasks spent waiting, in
	// jiffies (since boot or FlushBacklogWaitTimeActual).
	BacklogWaitTimeActual uint32
}

// Status feature bits (AUDIT_FEATURE_BITMAP_*).
const (
	FeatureBacklogLimit    = 0x01
	FeatureBacklogWaitTime = 0x02
	FeatureExecutablePath  = 0x04
	FeatureExcludeExtend   = 0x08
	FeatureSessionIDFilter = 0x10
	FeatureLostReset       = 0x20
	FeatureFilterFS        = 0x40
)

// Status mask bits (AUDIT_STATUS_*).
const (
	statusEnabled         = 0x01
	statusFailure         = 0x02
	statusPID             = 0x04
	statusRateLimit       = 0x08
	statusBacklogLimit    = 0x10
	statusBacklogWaitTime = 0x20
	statusLost            = 0x40
	statusWaitTimeActual  = 0x80
	statusLen             = 11 * 4
)

// String formats s as `auditctl -s` prints the status (without the
// feature line, see Features.String).
func (s Status) String() string {
	return fmt.Sprintf("enabled %d\nfailure %d\npid %d\nrate_limit %d\nbacklog_limit %d\nlost %d\nbacklog %d\nbacklog_wait_time %d\nbacklog_wait_time_actual %d\n",
		s.Enabled, s.Failure, s.PID, s.RateLimit, s.BacklogLimit, s.Lost, s.Backlog, s.BacklogWaitTime, s.BacklogWaitTimeActual)
}

// MarshalBinary encodes s as struct audit_status with an empty mask.
func (s Status) MarshalBinary() ([]byte, error) { return s.AppendBinary(nil) }

// AppendBinary appends struct audit_status (mask 0) to b.
func (s Status) AppendBinary(b []byte) ([]byte, error) {
	return appendStatus(b, 0, s), nil
}

func appendStatus(b []byte, mask uint32, s Status) []byte {
	for _, v := range []uint32{mask, s.Enabled, s.Failure, s.PID, s.RateLimit, s.BacklogLimit, s.Lost,
		s.Backlog, s.Features, s.BacklogWaitTime, s.BacklogWaitTimeActual} {
		b = binary.NativeEndian.AppendUint32(b, v)
	}
	return b
}

// UnmarshalBinary decodes struct audit_status. Older kernels send a
// shorter struct (without the backlog wait times): the missing fields are
// zero. Fewer than the 8 original fields is an error.
func (s *Status) UnmarshalBinary(b []byte) error {
	if len(b) < 8*4 {
		return malformed("status of %d bytes, want at least 32", len(b))
	}
	var v [11]uint32
	for i := range v {
		if 4*i+4 <= len(b) {
			v[i] = binary.NativeEndian.Uint32(b[4*i:])
		}
	}
	*s = Status{Enabled: v[1], Failure: v[2], PID: v[3], RateLimit: v[4], BacklogLimit: v[5],
		Lost: v[6], Backlog: v[7], Features: v[8], BacklogWaitTime: v[9], BacklogWaitTimeActual: v[10]}
	return nil
}

// Status asks the kernel for the audit status (AUDIT_GET).
func (c *Conn) Status(ctx context.Context) (Status, error) {
	var s Status
	var derr error
	_, err := c.request(ctx, "get status", typeGet, nil, replyOne, func(b []byte) error {
		derr = s.UnmarshalBinary(b)
		return derr
	})
	if err != nil {
		return Status{}, err
	}
	return s, nil
}

// StatusChange is a change of the settable status fields; nil fields stay
// as they are.
type StatusChange struct {
	Enabled         *uint32 // 0, 1, or 2 (locked until reboot: irreversible)
	Failure         *uint32 // 0 silent, 1 printk, 2 panic
	RateLimit       *uint32
	BacklogLimit    *uint32
	BacklogWaitTime *uint32 // jiffies
}

// SetStatus changes the status fields ch sets (AUDIT_SET), one request
// per field in the order of StatusChange, as auditctl does, so that an
// error names the field the kernel refused; the fields before it are
// changed. A locked configuration (enabled 2) refuses every change with
// EPERM.
func (c *Conn) SetStatus(ctx context.Context, ch StatusChange) error {
	for _, f := range []struct {
		name string
		mask uint32
		v    *uint32
	}{
		{"enabled", statusEnabled, ch.Enabled}, {"failure", statusFailure, ch.Failure},
		{"rate_limit", statusRateLimit, ch.RateLimit}, {"backlog_limit", statusBacklogLimit, ch.BacklogLimit},
		{"backlog_wait_time", statusBacklogWaitTime, ch.BacklogWaitTime},
	} {
		if f.v == nil {
			continue
		}
		var s Status
		switch f.mask {
		case statusEnabled:
			s.Enabled = *f.v
		case statusFailure:
			s.Failure = *f.v
		case statusRateLimit:
			s.RateLimit = *f.v
		case statusBacklogLimit:
			s.BacklogLimit = *f.v
		case statusBacklogWaitTime:
			s.BacklogWaitTime = *f.v
		}
		op := "set " + f.name + " " + strconv.FormatUint(uint64(*f.v), 10)
		if _, err := c.request(ctx, op, typeSet, appendStatus(nil, f.mask, s), replyNone, nil); err != nil {
			return lockedHint(err)
		}
	}
	return nil
}

// lockedHint adds, to an EPERM, that the configuration may be locked.
func lockedHint(err error) error {
	if errors.Is(err, syscall.EPERM) {
		return fmt.Errorf("%w (no CAP_AUDIT_CONTROL, or the configuration is locked: enabled 2, until reboot)", err)
	}
	return err
}

// FlushLost sets the kernel's lost counter to zero and returns the count it
// had (AUDIT_SET with AUDIT_STATUS_LOST; the kernel answers with the old
// count in the acknowledgement).
func (c *Conn) FlushLost(ctx context.Context) (uint32, error) {
	code, err := c.request(ctx, "reset lost", typeSet, appendStatus(nil, statusLost, Status{}), replyNone, nil)
	return uint32(code), lockedHint(err)
}

// FlushBacklogWaitTimeActual sets the total backlog wait time to zero and
// returns the value it had (AUDIT_STATUS_BACKLOG_WAIT_TIME_ACTUAL).
func (c *Conn) FlushBacklogWaitTimeActual(ctx context.Context) (uint32, error) {
	code, err := c.request(ctx, "reset backlog_wait_time_actual", typeSet, appendStatus(nil, statusWaitTimeActual, Status{}), replyNone, nil)
	return uint32(code), lockedHint(err)
}

// setPID registers (pid = this process) or gives up (0) the audit daemon
// port: the socket that sends the request is the one records go to.
func (c *Conn) setPID(ctx context.Context, pid uint32) error {
	op := "register audit daemon pid " + strconv.FormatUint(uint64(pid), 10)
	if pid == 0 {
		op = "unregister audit daemon"
	}
	_, err := c.request(ctx, op, typeSet, appendStatus(nil, statusPID, Status{PID: pid}), replyNone, nil)
	return err
}

// DialDaemon opens a socket and registers it as the audit daemon (Dial,
// then SetDaemon): from then on the kernel sends every record to it,
// unicast, and holds them in its backlog while nobody reads (audited tasks
// wait up to backlog_wait_time, then records are lost). Read them with
// Events. Close gives the registration up and closes the socket. Its
// receive buffer is as DialListener's.
func DialDaemon(ctx context.Context, cfg *netlink.Config) (*Conn, error) {
	c, err := Dial(streamConfig(cfg))
	if err != nil {
		return nil, err
	}
	if err := c.SetDaemon(ctx); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// SetDaemon registers the Conn's socket as the audit daemon (AUDIT_SET of
// this process's pid; the socket that sends it is the one records go to).
// Close gives the registration up (pid 0, as it was: there is one daemon
// at a time); a process that dies without Close loses it when the kernel
// next fails to reach its socket.
//
// When another process holds the registration (auditd, or another
// DialDaemon) the kernel refuses with EEXIST, and the error names the
// holder and the alternative: DialListener reads the same records from the
// multicast group alongside the daemon.
func (c *Conn) SetDaemon(ctx context.Context) error {
	if err := c.setPID(ctx, uint32(os.Getpid())); err != nil {
		if errors.Is(err, fs.ErrExist) {
			holder := ""
			if s, serr := c.Status(ctx); serr == nil && s.PID != 0 {
				holder = fmt.Sprintf(" pid %d (%s)", s.PID, procName(s.PID))
			}
			return fmt.Errorf("%w: another audit daemon%s holds the registration; listen to the multicast group instead (DialListener, needs CAP_AUDIT_READ)", err, holder)
		}
		return lockedHint(err)
	}
	c.daemon.Store(true)
	return nil
}

func procName(pid uint32) string {
	b, err := os.ReadFile("/proc/" + strconv.FormatUint(uint64(pid), 10) + "/comm")
	if err != nil {
		return "unknown"
	}
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
	}
	return string(b)
}

// Feature is one of the kernel's audit features (AUDIT_FEATURE_*), set
// and locked with AUDIT_SET_FEATURE.
type Feature uint32

// Features from linux/audit.h.
const (
	FeatureOnlyUnsetLoginUID Feature = 0 // AUDIT_FEATURE_ONLY_UNSET_LOGINUID
	FeatureLoginUIDImmutable Feature = 1 // AUDIT_FEATURE_LOGINUID_IMMUTABLE

	featureVersion = 1 // AUDIT_FEATURE_VERSION
)

// String gives auditctl's name of the feature.
func (f Feature) String() string {
	switch f {
	case FeatureOnlyUnsetLoginUID:
		return "only_unset_loginuid"
	case FeatureLoginUIDImmutable:
		return "loginuid_immutable"
	}
	return "feature" + strconv.Itoa(int(f))
}

// Features is the kernel's feature state (struct audit_features): a bit
// per Feature in Enabled and in Locked (locked features cannot change until
// reboot).
type Features struct {
	Mask    uint32 // the features the kernel reported on
	Enabled uint32
	Locked  uint32
}

// Has reports whether f is on.
func (fs Features) Has(f Feature) bool { return fs.Enabled&(1<<f) != 0 }

// IsLocked reports whether f is locked.
func (fs Features) IsLocked(f Feature) bool { return fs.Locked&(1<<f) != 0 }

// String formats the loginuid_immutable line of `auditctl -s`:
// "loginuid_immutable 0 unlocked".
func (fs Features) String() string {
	f := FeatureLoginUIDImmutable
	if fs.Mask&(1<<f) == 0 {
		return ""
	}
	lock := "unlocked"
	if fs.IsLocked(f) {
		lock = "locked"
	}
	on := 0
	if fs.Has(f) {
		on = 1
	}
	return fmt.Sprintf("loginuid_immutable %d %s\n", on, lock)
}

// UnmarshalBinary decodes struct audit_features.
func (fs *Features) UnmarshalBinary(b []byte) error {
	if len(b) < 16 {
		return malformed("features of %d bytes, want 16", len(b))
	}
	ne := binary.NativeEndian
	if v := ne.Uint32(b); v != featureVersion {
		return malformed("features version %d, want %d", v, featureVersion)
	}
	*fs = Features{Mask: ne.Uint32(b[4:]), Enabled: ne.Uint32(b[8:]), Locked: ne.Uint32(b[12:])}
	return nil
}

// Features asks for the kernel's feature state (AUDIT_GET_FEATURE).
func (c *Conn) Features(ctx context.Context) (Features, error) {
	var fs Features
	_, err := c.request(ctx, "get features", typeGetFeature, nil, replyOne, func(b []byte) error {
		return fs.UnmarshalBinary(b)
	})
	if err != nil {
		return Features{}, err
	}
	return fs, nil
}

// SetFeature turns feature f on or off and, with lock, locks it in that
// state until reboot (irreversible). A locked feature refuses changes with
// EPERM.
func (c *Conn) SetFeature(ctx context.Context, f Feature, on, lock bool) error {
	m := uint32(1) << f
	b := binary.NativeEndian.AppendUint32(nil, featureVersion)
	b = binary.NativeEndian.AppendUint32(b, m)
	v, l := uint32(0), uint32(0)
	if on {
		v = m
	}
	if lock {
		l = m
	}
	b = binary.NativeEndian.AppendUint32(b, v)
	b = binary.NativeEndian.AppendUint32(b, l)
	op := fmt.Sprintf("set feature %s %t", f, on)
	if lock {
		op += " locked"
	}
	_, err := c.request(ctx, op, typeSetFeature, b, replyNone, nil)
	return lockedHint(err)
}

// TTY is the TTY auditing state of the calling process (struct
// audit_tty_status): whether its terminal input is audited (USER_TTY /
// TTY records), passwords included or not. Children inherit it.
type TTY struct {
	Enabled   bool
	LogPasswd bool
}

// TTY asks for the calling process's TTY auditing state (AUDIT_TTY_GET).
func (c *Conn) TTY(ctx context.Context) (TTY, error) {
	var t TTY
	_, err := c.request(ctx, "get tty auditing", typeTTYGet, nil, replyOne, func(b []byte) error {
		if len(b) < 4 {
			return malformed("tty status of %d bytes, want 8", len(b))
		}
		t.Enabled = binary.NativeEndian.Uint32(b) != 0
		if len(b) >= 8 {
			t.LogPasswd = binary.NativeEndian.Uint32(b[4:]) != 0
		}
		return nil
	})
	if err != nil {
		return TTY{}, err
	}
	return t, nil
}

// SetTTY sets the calling process's TTY auditing (AUDIT_TTY_SET).
func (c *Conn) SetTTY(ctx context.Context, t TTY) error {
	b2u := func(v bool) uint32 {
		if v {
			return 1
		}
		return 0
	}
	b := binary.NativeEndian.AppendUint32(nil, b2u(t.Enabled))
	b = binary.NativeEndian.AppendUint32(b, b2u(t.LogPasswd))
	_, err := c.request(ctx, fmt.Sprintf("set tty auditing enabled=%t log_passwd=%t", t.Enabled, t.LogPasswd), typeTTYSet, b, replyNone, nil)
	return err
}

// LogUserMessage sends a user-space audit message of type t (AUDIT_USER,
// 1100-1199 or 2100-2999, e.g. TypeTrustedApp or TypeUserAVC) with text
// msg, as a trusted program does (auditctl -m): the kernel logs it as a
// record of that type with the sender's identity (pid, uid, auid, ses,
// subj) before msg='...'. It needs CAP_AUDIT_WRITE; the kernel drops the
// message while audit is disabled (except USER_AVC), and user-list rules
// (-a ...,user) may filter it.
func (c *Conn) LogUserMessage(ctx context.Context, t RecordType, msg string) error {
	if !t.IsUser() {
		return fmt.Errorf("audit: log user message: type %s (%d) is not a user message type", t, uint16(t))
	}
	if msg == "" {
		return errors.New("audit: log user message: empty message")
	}
	b := append([]byte(msg), 0)
	_, err := c.request(ctx, "log user message "+t.String(), t, b, replyNone, nil)
	return err
}
