//go:build linux

package audit

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/nlkit/netlink"
)

// A child makes 10,000 audited system calls while the backlog holds 8
// records and nobody waits for room: the kernel loses records, and the
// stream says so. The counts agree: every SYSCALL record we miss is in the
// kernel's lost counter, and the losses the stream reported add up to the
// counter's growth.
func TestEventsBurstLoss(t *testing.T) {
	const n = 10000
	ctl := kernelConn(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if s, _ := ctl.Status(ctx); s.PID != 0 {
		t.Skipf("another audit daemon holds the registration: pid %d (%s)", s.PID, procName(s.PID))
	}
	enableAudit(t, ctl)
	orig, err := ctl.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	u := func(v uint32) *uint32 { return &v }
	if err := ctl.SetStatus(ctx, StatusChange{BacklogLimit: u(8), BacklogWaitTime: u(0), RateLimit: u(0)}); err != nil {
		t.Fatal(err)
	}
	key := uniqueKey(t)
	r, err := RuleFromArgs(strings.Fields(fmt.Sprintf("-a always,exit -F arch=b64 -S getppid -F ppid=%d -k %s", os.Getpid(), key)), HostArch())
	if err != nil {
		t.Fatal(err)
	}
	if err := ctl.AddRule(ctx, r); err != nil {
		t.Fatal(err)
	}
	d, err := DialDaemon(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	before, err := ctl.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}

	sctx, scancel := context.WithCancel(ctx)
	defer scancel()
	childErr := make(chan error, 1)
	go func() {
		time.Sleep(100 * time.Millisecond)
		err := helper("getppid:" + strconv.Itoa(n))
		// Let the last records come, then give the backlog its room
		// back (so that other programs' records stop being lost) and
		// let two more lost polls pass before the end.
		time.Sleep(500 * time.Millisecond)
		if serr := ctl.SetStatus(context.Background(), StatusChange{BacklogLimit: &orig.BacklogLimit, BacklogWaitTime: &orig.BacklogWaitTime}); serr != nil && err == nil {
			err = serr
		}
		time.Sleep(300 * time.Millisecond)
		scancel()
		childErr <- err
	}()
	var syscalls, records, overruns int
	var reported uint32
	for ev, err := range d.Events(sctx, &EventConfig{Timeout: 100 * time.Millisecond, LostInterval: 50 * time.Millisecond}) {
		if err != nil {
			var le *LossError
			switch {
			case errors.As(err, &le):
				reported += le.Lost
				if le.Overrun {
					overruns++
				}
				if !errors.Is(err, netlink.ErrOverrun) {
					t.Errorf("LossError does not match netlink.ErrOverrun")
				}
				continue
			case errors.Is(err, context.Canceled):
				continue
			}
			t.Fatalf("events: %v", err)
		}
		records += len(ev.Records)
		if ev.Key() == key {
			syscalls++
		}
	}
	if err := <-childErr; err != nil {
		t.Fatal(err)
	}
	after, err := ctl.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	lost := after.Lost - before.Lost
	t.Logf("%d audited getppid calls: %d events with our key (%d records in all events), kernel lost %d records, stream reported %d lost and %d overruns",
		n, syscalls, records, lost, reported, overruns)
	if lost == 0 {
		t.Fatalf("the kernel lost nothing with a backlog of 8: the test did not stress it")
	}
	if reported != lost {
		t.Errorf("the stream reported %d lost, the kernel's counter grew by %d", reported, lost)
	}
	if syscalls > n || syscalls+int(lost) < n {
		t.Errorf("%d SYSCALL records + %d lost < %d calls: records missing without a trace", syscalls, lost, n)
	}
}

// A user message a trusted program sends comes back as a record.
func TestLogUserMessage(t *testing.T) {
	ctl := kernelConn(t)
	enableAudit(t, ctl)
	l, err := DialListener(nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	msg := "op=nlkit-test " + uniqueKey(t) + " res=success"
	sent := make(chan error, 1)
	go func() {
		time.Sleep(50 * time.Millisecond)
		sent <- ctl.LogUserMessage(context.Background(), TypeTrustedApp, msg)
	}()
	defer func() {
		if err := <-sent; err != nil {
			t.Errorf("log: %v", err)
		}
	}()
	for ev, err := range l.Events(ctx, nil) {
		if err != nil {
			t.Fatal(err)
		}
		r := ev.Records[0]
		if v, _ := r.Value("msg"); r.Type == TypeTrustedApp && v == msg {
			if pid, _ := r.Value("pid"); pid != strconv.Itoa(os.Getpid()) {
				t.Errorf("pid=%s in %s", pid, r)
			}
			if op, _ := r.Value("op"); op != "nlkit-test" {
				t.Errorf("op=%q from msg='...' in %s", op, r)
			}
			return
		}
	}
}

// A listener with a small receive buffer that does not read during a
// burst: the kernel drops multicast records for it, and the stream says
// so (Overrun, with the socket's drop count) and goes on to deliver what
// came after.
func TestEventsListenerOverrun(t *testing.T) {
	const n = 10000
	ctl := kernelConn(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	enableAudit(t, ctl)
	key := uniqueKey(t)
	r, err := RuleFromArgs(strings.Fields(fmt.Sprintf("-a always,exit -F arch=b64 -S getppid -F ppid=%d -k %s", os.Getpid(), key)), HostArch())
	if err != nil {
		t.Fatal(err)
	}
	if err := ctl.AddRule(ctx, r); err != nil {
		t.Fatal(err)
	}
	l, err := DialListener(&netlink.Config{ReceiveBuffer: 4096})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	// Nobody reads while the child runs.
	if err := helper("getppid:" + strconv.Itoa(n)); err != nil {
		t.Fatal(err)
	}
	sctx, scancel := context.WithCancel(ctx)
	defer scancel()
	go func() {
		time.Sleep(50 * time.Millisecond)
		helper("getppid:1") // one more event, after the loss
		time.Sleep(500 * time.Millisecond)
		scancel()
	}()
	var overrun *LossError
	events, delivered := 0, 0
	for ev, err := range l.Events(sctx, &EventConfig{LostInterval: -1}) {
		var le *LossError
		switch {
		case errors.As(err, &le) && le.Overrun:
			overrun = le
		case errors.Is(err, context.Canceled):
		case err != nil:
			t.Fatalf("events: %v", err)
		case ev.Key() == key:
			events++
			delivered += len(ev.Records)
			if ev.EOE {
				delivered++ // the EOE record, not kept in Records
			}
		}
	}
	if overrun == nil || overrun.SocketDrops == 0 {
		t.Fatalf("no overrun reported (got %+v) after %d unread events in a 4 KiB buffer", overrun, n)
	}
	if events == 0 || events >= n {
		t.Errorf("%d events delivered: want the few that fit and the one after the loss", events)
	}
	// Every record of the unread calls (SYSCALL, PROCTITLE, EOE) is
	// accounted for: dropped by the kernel, thrown away by the Conn as
	// older than the loss, or delivered after it.
	discarded := l.Netlink().Stats().Discarded
	if uint64(overrun.SocketDrops)+discarded+uint64(delivered) < 3*n {
		t.Errorf("%d socket drops + %d discarded + %d delivered < %d records of the unread calls", overrun.SocketDrops, discarded, delivered, 3*n)
	}
	t.Logf("%d calls unread: overrun reported with %d socket drops (+%d discarded as older than the loss); %d events delivered",
		n, overrun.SocketDrops, discarded, events)
}
