package main

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/nlkit/nlkit/audit"
	"golang.org/x/sys/unix"
)

// The audit workloads: events per second reassembled and delivered to the
// audit daemon while a child makes audited system calls, against a raw
// daemon socket counting records; and the rule list of 1,000 rules against
// auditctl -l. Audit is global: the status and rules found are restored.

const auditChildEnv = "NLKIT_BENCH_AUDIT_CHILD"

// The child of the syscall storm is this binary, started with
// auditChildEnv=N: it makes N getppid calls and exits.
func init() {
	if v := os.Getenv(auditChildEnv); v != "" {
		n, _ := strconv.Atoi(v)
		for range n {
			syscall.RawSyscall(syscall.SYS_GETPPID, 0, 0, 0)
		}
		os.Exit(0)
	}
}

func benchAudit(ctx context.Context, o options) ([]result, error) {
	c, err := audit.Dial(nil)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	s0, err := c.Status(ctx)
	if err != nil {
		return nil, err
	}
	if s0.Enabled == 2 {
		return nil, errors.New("audit is locked (enabled 2): cannot set up the workload")
	}
	if s0.PID != 0 {
		return nil, fmt.Errorf("an audit daemon (pid %d) holds the registration: the daemon workload cannot run", s0.PID)
	}
	rules0, err := c.RuleList(ctx)
	if err != nil {
		return nil, err
	}
	defer func() {
		rctx := context.Background()
		c.SetRules(rctx, rules0)
		c.SetStatus(rctx, audit.StatusChange{Enabled: &s0.Enabled, Failure: &s0.Failure, RateLimit: &s0.RateLimit,
			BacklogLimit: &s0.BacklogLimit, BacklogWaitTime: &s0.BacklogWaitTime})
	}()
	var out []result

	// Events: the kernel's default backlog and wait, audit on, one rule
	// on the child's getppid calls.
	on := uint32(1)
	if err := c.SetStatus(ctx, audit.StatusChange{Enabled: &on}); err != nil {
		return nil, err
	}
	key := "nlkit-bench"
	r, err := audit.RuleFromArgs(strings.Fields(fmt.Sprintf("-a always,exit -F arch=b64 -S getppid -F ppid=%d -k %s", os.Getpid(), key)), audit.HostArch())
	if err != nil {
		return nil, err
	}
	if err := c.AddRule(ctx, r); err != nil {
		return nil, err
	}
	n := o.aevents
	lostBefore, _ := c.Status(ctx)
	floor := func() (int, error) { return rawDaemon(n) }
	path := func() (int, error) { return nlkitDaemon(ctx, n, key) }
	ts, err := rounds(min(o.reps, 3), nil, floor, path)
	if err != nil {
		return nil, err
	}
	c.DeleteRule(ctx, r)
	lostAfter, _ := c.Status(ctx)
	// The rule list runs with audit off: its rule changes would log
	// CONFIG_CHANGE records nobody reads.
	c.SetStatus(ctx, audit.StatusChange{Enabled: &s0.Enabled})
	note := fmt.Sprintf("%d audited calls by a child; kernel lost %d", n, lostAfter.Lost-lostBefore.Lost)
	rate := func(m measure) string { return fmt.Sprintf("%.0f events/s", float64(n)/m.wall.Seconds()) }
	out = append(out,
		result{workload: "audit events", path: "raw daemon recvmsg (floor)", m: ts[0].m, note: rate(ts[0].m) + "; " + note},
		result{workload: "audit events", path: "audit.Events (daemon)", m: ts[1].m, ratio: ts[1].ratio, note: rate(ts[1].m)},
	)

	// Rules: 1,000 listed by nlkit and by auditctl.
	if o.arules > 0 {
		var added []audit.Rule
		for i := range o.arules {
			r, err := audit.RuleFromArgs(strings.Fields(fmt.Sprintf("-a always,exit -F arch=b64 -S openat,unlinkat -F uid=%d -F auid>=1000 -k nlkit-bench-%d", 100000+i, i)), audit.HostArch())
			if err != nil {
				return nil, err
			}
			if err := c.AddRule(ctx, r); err != nil {
				return nil, err
			}
			added = append(added, r)
		}
		list := func() (int, error) {
			rules, err := c.RuleList(ctx)
			var b []byte
			for _, r := range rules {
				b, _ = r.AppendText(b[:0])
			}
			return len(rules), err
		}
		ctl := func() (int, error) {
			out, err := exec.Command("auditctl", "-l").Output()
			return strings.Count(string(out), "\n"), err
		}
		ts, err := rounds(o.reps, nil, ctl, list)
		for _, r := range added {
			c.DeleteRule(ctx, r)
		}
		if err != nil {
			return nil, err
		}
		out = append(out,
			result{workload: "audit rules", path: "auditctl -l (exec, floor)", m: ts[0].m, note: fmt.Sprintf("%d rules", o.arules)},
			result{workload: "audit rules", path: "RuleList + String", m: ts[1].m, ratio: ts[1].ratio},
		)
	}
	return out, nil
}

// storm starts the child making n audited calls; done is closed when it
// has exited.
func storm(n int) (done chan struct{}, err error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self)
	cmd.Env = append(os.Environ(), auditChildEnv+"="+strconv.Itoa(n))
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	done = make(chan struct{})
	go func() {
		cmd.Wait()
		close(done)
	}()
	return done, nil
}

// rawDaemon is the floor: a blocking socket registered as the audit
// daemon, counting EOE records (one per event) until n (or the child has
// exited and nothing came for a second), then giving the registration up.
// The registration is given up before the child is waited for: a child
// whose records nobody reads waits for room in the backlog.
func rawDaemon(n int) (int, error) {
	raw, err := openRaw(nil, unix.NETLINK_AUDIT, 0)
	if err != nil {
		return 0, err
	}
	defer raw.close()
	fd := raw.fd
	setPID := func(pid uint32) error {
		b := make([]byte, 16+44)
		binary.NativeEndian.PutUint32(b, uint32(len(b)))
		binary.NativeEndian.PutUint16(b[4:], 1001) // AUDIT_SET
		binary.NativeEndian.PutUint16(b[6:], unix.NLM_F_REQUEST|unix.NLM_F_ACK)
		binary.NativeEndian.PutUint32(b[16:], 4) // AUDIT_STATUS_PID
		binary.NativeEndian.PutUint32(b[16+12:], pid)
		if err := unix.Sendto(fd, b, 0, kernel); err != nil {
			return err
		}
		ack := make([]byte, 64<<10)
		for {
			k, _, err := unix.Recvfrom(fd, ack, 0)
			if err == unix.EINTR {
				continue
			}
			if err != nil {
				return err
			}
			if k >= 20 && binary.NativeEndian.Uint16(ack[4:]) == unix.NLMSG_ERROR {
				if e := int32(binary.NativeEndian.Uint32(ack[16:])); e < 0 {
					return syscall.Errno(-e)
				}
				return nil
			}
		}
	}
	if err := setPID(uint32(os.Getpid())); err != nil {
		return 0, err
	}
	done, err := storm(n)
	if err != nil {
		setPID(0)
		return 0, err
	}
	unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &unix.Timeval{Sec: 1})
	buf := make([]byte, 64<<10)
	events := 0
	for events < n {
		k, _, err := unix.Recvfrom(fd, buf, 0)
		if err == unix.EINTR {
			continue
		}
		if err == unix.EAGAIN {
			select {
			case <-done:
				err = fmt.Errorf("raw daemon: the child is done, %d of %d events came", events, n)
			default:
				continue
			}
		}
		if err != nil {
			setPID(0)
			<-done
			return events, err
		}
		if k >= 16 && binary.NativeEndian.Uint16(buf[4:]) == 1320 { // AUDIT_EOE
			events++
		}
	}
	err = setPID(0)
	<-done
	return events, err
}

// nlkitDaemon is the path: DialDaemon and Events, counting the events
// with the key until n (or the child has exited and nothing came for a
// second). A loss ends the run with an error.
func nlkitDaemon(ctx context.Context, n int, key string) (int, error) {
	d, err := audit.DialDaemon(ctx, nil)
	if err != nil {
		return 0, err
	}
	done, err := storm(n)
	if err != nil {
		d.Close()
		return 0, err
	}
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		<-done
		time.Sleep(time.Second)
		cancel()
	}()
	events := 0
	var lerr error
	for ev, err := range d.Events(ctx, &audit.EventConfig{LostInterval: -1}) {
		var le *audit.LossError
		if errors.As(err, &le) && le.Lost == 0 {
			// The socket was full when kauditd sent: it waits and
			// sends again (the kernel's lost counter, in the note,
			// says whether records were lost).
			continue
		}
		if err != nil {
			if errors.Is(err, context.Canceled) {
				lerr = fmt.Errorf("audit.Events: the child is done, %d of %d events came", events, n)
			} else {
				lerr = err
			}
			break
		}
		if ev.Key() == key {
			if events++; events == n {
				break
			}
		}
	}
	cerr := d.Close()
	<-done
	cancel()
	if lerr == nil {
		lerr = cerr
	}
	return events, lerr
}
