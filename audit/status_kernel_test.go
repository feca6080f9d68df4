//go:build linux

package audit

import (
	"context"
	"testing"
)

// Each settable status field round-trips through the kernel, and the
// cleanup puts back what was there.
func TestStatusSetEachField(t *testing.T) {
	c := kernelConn(t)
	ctx := context.Background()
	before, err := c.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	u := func(v uint32) *uint32 { return &v }
	flip := func(v uint32) uint32 { return 1 - min(v, 1) }
	for _, tc := range []struct {
		name string
		ch   StatusChange
		get  func(Status) uint32
		want uint32
	}{
		{"enabled", StatusChange{Enabled: u(flip(before.Enabled))}, func(s Status) uint32 { return s.Enabled }, flip(before.Enabled)},
		// failure 2 would panic the machine on an audit failure: 0 and 1 only.
		{"failure", StatusChange{Failure: u(flip(before.Failure))}, func(s Status) uint32 { return s.Failure }, flip(before.Failure)},
		{"rate_limit", StatusChange{RateLimit: u(before.RateLimit + 977)}, func(s Status) uint32 { return s.RateLimit }, before.RateLimit + 977},
		{"backlog_limit", StatusChange{BacklogLimit: u(before.BacklogLimit + 321)}, func(s Status) uint32 { return s.BacklogLimit }, before.BacklogLimit + 321},
		{"backlog_wait_time", StatusChange{BacklogWaitTime: u(1234)}, func(s Status) uint32 { return s.BacklogWaitTime }, 1234},
	} {
		if err := c.SetStatus(ctx, tc.ch); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		s, err := c.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := tc.get(s); got != tc.want {
			t.Errorf("%s: %d after setting %d", tc.name, got, tc.want)
		}
	}
	// The counters reset: the kernel answers with the old value.
	if _, err := c.FlushLost(ctx); err != nil {
		t.Errorf("reset lost: %v", err)
	}
	if s, _ := c.Status(ctx); s.Lost != 0 {
		t.Errorf("lost %d after reset", s.Lost)
	}
	if _, err := c.FlushBacklogWaitTimeActual(ctx); err != nil {
		t.Errorf("reset backlog_wait_time_actual: %v", err)
	}
}

// Our status and feature lines are auditctl -s's, line for line.
func TestStatusLikeAuditctl(t *testing.T) {
	c := kernelConn(t)
	ctx := context.Background()
	want := auditctl(t, "-s")
	s, err := c.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	f, err := c.Features(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.String() + f.String(); got != want {
		t.Errorf("status:\n%s\nauditctl -s:\n%s", got, want)
	}
}

// A feature set without lock round-trips and is restored; TTY auditing
// of this process too.
func TestFeatureAndTTY(t *testing.T) {
	c := kernelConn(t)
	ctx := context.Background()
	f, err := c.Features(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ft := FeatureLoginUIDImmutable
	if f.IsLocked(ft) {
		t.Skipf("feature %s is locked until reboot", ft)
	}
	if err := c.SetFeature(ctx, ft, !f.Has(ft), false); err != nil {
		t.Fatal(err)
	}
	g, err := c.Features(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if g.Has(ft) == f.Has(ft) || g.IsLocked(ft) {
		t.Errorf("feature %s: %+v after setting it to %t, from %+v", ft, g, !f.Has(ft), f)
	}
	tty, err := c.TTY(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := TTY{Enabled: !tty.Enabled, LogPasswd: !tty.LogPasswd}
	if err := c.SetTTY(ctx, want); err != nil {
		t.Fatal(err)
	}
	if got, err := c.TTY(ctx); err != nil || got != want {
		t.Errorf("tty auditing %+v, %v; want %+v", got, err, want)
	}
}
