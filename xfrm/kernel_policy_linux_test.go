//go:build linux

package xfrm

import (
	"context"
	"errors"
	"io/fs"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/netns"
)

// dialNS opens a Conn in a throwaway namespace.
func dialNS(t *testing.T) (*Conn, *netns.NS, string) {
	t.Helper()
	ns, name := kerneltest.NamedNetNS(t)
	c, err := Dial(&netlink.Config{NetNS: ns})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, ns, name
}

// normalize clears what the kernel fills in a policy that was not asked
// for: the index it picked, the lifetime counters, the templates' family.
func normalize(got, want Policy) Policy {
	if want.Index == 0 {
		got.Index = 0
	}
	got.Current = Lifetime{}
	got.Templates = slices.Clone(got.Templates)
	for i := range got.Templates {
		if i < len(want.Templates) && want.Templates[i].Family == FamilyUnspec {
			got.Templates[i].Family = FamilyUnspec
		}
	}
	if want.Selector.Family == FamilyUnspec {
		got.Selector.Family = FamilyUnspec
	}
	if len(got.Templates) == 0 {
		got.Templates = nil
	}
	return got
}

// Each policy shape encodes to what `ip xfrm policy add` sends; the kernel
// takes it; the dump, a get by selector and a get by index give it back.
func TestPolicies(t *testing.T) {
	c, _, name := dialNS(t)
	ctx := context.Background()
	for _, sh := range policyShapes {
		msgs, ipErr := ipSends(t, name, append([]string{"policy", "add"}, strings.Fields(sh.ip)...)...)
		ip := firstOf(t, msgs, msgNewPolicy)
		ours, err := sh.policy.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		sameBytes(t, sh.name, ip.data, ours)
		if ipErr != "" {
			t.Fatalf("%s: ip: %s", sh.name, ipErr)
		}
		// ip added it: ours is a duplicate, then replaces it.
		if err := c.AddPolicy(ctx, sh.policy); !errors.Is(err, fs.ErrExist) {
			t.Errorf("%s: add of a duplicate: %v", sh.name, err)
		}
		if err := c.DeletePolicy(ctx, sh.policy.ID()); err != nil {
			t.Fatalf("%s: delete: %v", sh.name, err)
		}
		if err := c.AddPolicy(ctx, sh.policy); err != nil {
			t.Fatalf("%s: add: %v", sh.name, err)
		}
	}
	list, err := c.PolicyList(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != len(policyShapes) {
		t.Fatalf("listed %d policies, added %d", len(list), len(policyShapes))
	}
	for _, sh := range policyShapes {
		i := slices.IndexFunc(list, func(p Policy) bool {
			return p.Selector.Src == sh.policy.Selector.Src && p.Selector.Dst == sh.policy.Selector.Dst && p.Dir == sh.policy.Dir
		})
		if i < 0 {
			t.Errorf("%s: not listed", sh.name)
			continue
		}
		got := list[i]
		if d := diff(sentPolicy(sh.policy), normalize(got, sh.policy)); d != "" {
			t.Errorf("%s: listed:\n%s", sh.name, d)
		}
		if got.Current.Added == 0 || got.Index == 0 || got.Index&7 != uint32(got.Dir) {
			t.Errorf("%s: add time %d, index %#x", sh.name, got.Current.Added, got.Index)
		}
		bySel, err := c.Policy(ctx, sh.policy.ID())
		if err != nil {
			t.Errorf("%s: get by selector: %v", sh.name, err)
		} else if d := diff(got, bySel); d != "" {
			t.Errorf("%s: get by selector differs from the dump:\n%s", sh.name, d)
		}
		byIndex, err := c.Policy(ctx, PolicyID{Index: got.Index, Dir: got.Dir, Type: got.Type, Mark: got.Mark, IfID: got.IfID})
		if err != nil {
			t.Errorf("%s: get by index: %v", sh.name, err)
		} else if d := diff(got, byIndex); d != "" {
			t.Errorf("%s: get by index differs from the dump:\n%s", sh.name, d)
		}
	}

	// SPD counts per direction.
	info, err := c.SPDInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var in, out, fwd uint32
	for _, sh := range policyShapes {
		switch sh.policy.Dir {
		case DirIn:
			in++
		case DirOut:
			out++
		case DirFwd:
			fwd++
		}
	}
	if info.In != in || info.Out != out || info.Fwd != fwd || info.HashMax == 0 {
		t.Errorf("SPD info %+v, want in %d out %d fwd %d", info, in, out, fwd)
	}

	// Replace changes a policy in place.
	p := policyShapes[0].policy
	p.Priority = 77
	if err := c.ReplacePolicy(ctx, p); err != nil {
		t.Fatal(err)
	}
	if got, err := c.Policy(ctx, p.ID()); err != nil || got.Priority != 77 {
		t.Errorf("after replace: priority %d, %v", got.Priority, err)
	}
	// Delete by index, then the get is ENOENT.
	got, _ := c.Policy(ctx, p.ID())
	if err := c.DeletePolicy(ctx, PolicyID{Index: got.Index, Dir: got.Dir}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Policy(ctx, p.ID()); !errors.Is(err, syscall.ENOENT) || !strings.Contains(err.Error(), "xfrm: get policy 198.18.0.0/24 -> 198.18.1.0/24 dir out: ") {
		t.Errorf("get of a deleted policy: %v", err)
	}
	if err := c.DeletePolicy(ctx, p.ID()); !errors.Is(err, syscall.ENOENT) {
		t.Errorf("delete of a deleted policy: %v", err)
	}

	// Flushing main leaves the sub policy; flushing sub empties the SPD.
	if err := c.FlushPolicies(ctx, PolicyTypeMain); err != nil {
		t.Fatal(err)
	}
	list, err = c.PolicyList(ctx)
	if err != nil || len(list) != 1 || list[0].Type != PolicyTypeSub {
		t.Fatalf("after flushing main: %d policies, %v", len(list), err)
	}
	if err := c.FlushPolicies(ctx, PolicyTypeSub); err != nil {
		t.Fatal(err)
	}
	if list, err = c.PolicyList(ctx); err != nil || len(list) != 0 {
		t.Fatalf("after flushing sub: %d policies, %v", len(list), err)
	}
}

// Policy requests other than add are ip's byte for byte.
func TestPolicyRequestsLikeIP(t *testing.T) {
	_, _, name := dialNS(t)
	sh := policyShapes[1]
	for _, tc := range []struct {
		words string
		typ   netlink.MessageType
		body  func() ([]byte, error)
	}{
		{"policy update " + sh.ip, msgUpdPolicy, sh.policy.MarshalBinary},
		{"policy get src 198.18.2.1/32 dst 198.18.3.0/24 proto udp sport 1000 dport 2000 dir out mark 5 mask 0xff if_id 7", msgGetPolicy,
			func() ([]byte, error) { id := sh.policy.ID(); return id.request() }},
		{"policy delete src 198.18.2.1/32 dst 198.18.3.0/24 proto udp sport 1000 dport 2000 dir out ptype sub mark 5 mask 0xff if_id 7", msgDelPolicy,
			func() ([]byte, error) { id := sh.policy.ID(); id.Type = PolicyTypeSub; return id.request() }},
		{"policy get index 0x9 dir out", msgGetPolicy,
			func() ([]byte, error) { id := PolicyID{Index: 9, Dir: DirOut}; return id.request() }},
		{"policy delete index 0x1a dir fwd", msgDelPolicy,
			func() ([]byte, error) { id := PolicyID{Index: 0x1a, Dir: DirFwd}; return id.request() }},
		{"policy flush ptype sub", msgFlushPolicy, func() ([]byte, error) { return appendPolicyType(nil, PolicyTypeSub), nil }},
		{"policy setdefault in block fwd accept", msgSetDefault, func() ([]byte, error) { return []byte{1, 2, 0}, nil }},
		{"policy set hthresh4 24 16 hthresh6 64 48", msgNewSPDInfo, func() ([]byte, error) {
			b := []byte{0xff, 0xff, 0xff, 0xff}
			b = appendAttrFixed(b, attrSPDIPv4Hthr, 2, func(p []byte) { p[0], p[1] = 24, 16 })
			return appendAttrFixed(b, attrSPDIPv6Hthr, 2, func(p []byte) { p[0], p[1] = 64, 48 }), nil
		}},
	} {
		msgs, _ := ipSends(t, name, strings.Fields(tc.words)...)
		ip := firstOf(t, msgs, tc.typ)
		ours, err := tc.body()
		if err != nil {
			t.Fatal(err)
		}
		sameBytes(t, tc.words, ip.data, ours)
	}
}

// Default policies, SPD hash thresholds and SAD counters round-trip
// through the kernel.
func TestDefaultsAndInfo(t *testing.T) {
	c, _, _ := dialNS(t)
	ctx := context.Background()
	d, err := c.DefaultPolicy(ctx)
	if err != nil || d != (DefaultPolicy{DefaultAccept, DefaultAccept, DefaultAccept}) {
		t.Fatalf("default policies %+v, %v", d, err)
	}
	if err := c.SetDefaultPolicy(ctx, DefaultPolicy{In: DefaultBlock, Out: DefaultBlock}); err != nil {
		t.Fatal(err)
	}
	if d, err = c.DefaultPolicy(ctx); err != nil || d != (DefaultPolicy{DefaultBlock, DefaultAccept, DefaultBlock}) {
		t.Errorf("after set: %+v, %v", d, err)
	}
	v4, v6 := HashThreshold{24, 16}, HashThreshold{64, 48}
	if err := c.SetSPDThresholds(ctx, &v4, &v6); err != nil {
		t.Fatal(err)
	}
	info, err := c.SPDInfo(ctx)
	if err != nil || info.IPv4Threshold != v4 || info.IPv6Threshold != v6 {
		t.Errorf("SPD info %+v, %v", info, err)
	}
	if err := c.SetSPDThresholds(ctx, &HashThreshold{33, 0}, nil); err == nil {
		t.Errorf("IPv4 threshold 33: no error")
	}
	sad, err := c.SADInfo(ctx)
	if err != nil || sad.Count != 0 || sad.HashMax == 0 {
		t.Errorf("SAD info %+v, %v", sad, err)
	}
}
