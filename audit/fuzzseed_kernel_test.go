//go:build linux

package audit

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/fuzz/corpus"
	"github.com/nlkit/nlkit/netlink"
)

// TestRecordFuzzSeeds records seeds for FuzzRecord and FuzzRule from the
// kernel: the rules of TestRulesLikeAuditctl as the kernel lists them, and
// the records of a watched file's event and a user message. It runs only
// with NLKIT_RECORD_FUZZ_SEEDS=1 (it rewrites testdata/fuzz).
func TestRecordFuzzSeeds(t *testing.T) {
	if os.Getenv("NLKIT_RECORD_FUZZ_SEEDS") != "1" {
		t.Skip("set NLKIT_RECORD_FUZZ_SEEDS=1 to record the fuzz seeds from the kernel")
	}
	ctl := kernelConn(t)
	ctx := context.Background()
	rw, err := corpus.NewWriter(corpus.Dir("FuzzRule"), 60)
	if err != nil {
		t.Fatal(err)
	}
	recw, err := corpus.NewWriter(corpus.Dir("FuzzRecord"), 40)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	trace := func(d netlink.Direction, m netlink.Message) {
		mu.Lock()
		defer mu.Unlock()
		t := RecordType(m.Header.Type)
		switch {
		case d != netlink.Received:
		case t == typeListRules:
			rw.Add("rule", append([]byte(nil), m.Data...))
		case t >= TypeFirstUserMsg && t != TypeReplace:
			recw.Add(strings.ToLower(t.String()), uint16(t), append([]byte(nil), m.Data...))
		}
	}
	tc, err := Dial(&netlink.Config{Trace: trace})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	k := uniqueKey(t)
	var added []Rule
	for _, s := range testRules(t, k) {
		r, err := RuleFromArgs(strings.Fields(s), HostArch())
		if err != nil {
			t.Fatal(err)
		}
		if err := ctl.AddRule(ctx, r); err != nil {
			t.Fatal(err)
		}
		added = append(added, r)
	}
	if _, err := tc.RuleList(ctx); err != nil {
		t.Fatal(err)
	}
	for _, r := range added {
		ctl.DeleteRule(ctx, r)
	}
	enableAudit(t, ctl)
	l, err := DialListener(&netlink.Config{Trace: trace})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	watchEvent(t, ctl, l)
	ctl.LogUserMessage(ctx, TypeTrustedApp, "op=nlkit-seed acct=\"a b\" res=success")
	cctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	for range l.Events(cctx, nil) {
	}
	t.Logf("%d rule seeds, %d record seeds", rw.Len(), recw.Len())
}

// The recorded seeds reach their decoders and decode.
func TestFuzzSeedsReachDecoder(t *testing.T) {
	rules := corpus.Read(t, "FuzzRule")
	for _, s := range rules {
		var r Rule
		if err := r.UnmarshalBinary(s.Args[0].([]byte)); err != nil {
			t.Errorf("%s: %v", s.Name, err)
		}
	}
	recs := corpus.Read(t, "FuzzRecord")
	for _, s := range recs {
		if _, err := DecodeRecord(RecordType(s.Args[0].(uint16)), s.Args[1].([]byte)); err != nil {
			t.Errorf("%s: %v", s.Name, err)
		}
	}
	if len(rules) < 10 || len(recs) < 4 {
		t.Errorf("%d rule and %d record seeds recorded from the kernel, want 10 and 4 (NLKIT_RECORD_FUZZ_SEEDS=1 go test -run TestRecordFuzzSeeds ./audit)", len(rules), len(recs))
	}
}
