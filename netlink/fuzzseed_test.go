package netlink

import (
	"syscall"
	"testing"

	"github.com/nlkit/nlkit/internal/fuzz/corpus"
)

// The seeds recorded from the kernel (internal/fuzz, TestRecordFuzzSeeds)
// reach the decoders of their targets: they parse without error, so the
// fuzzer starts from real replies rather than from rejected input.
func TestFuzzSeedsReachDecoder(t *testing.T) {
	seeds := corpus.Read(t, "FuzzParseMessages")
	for _, s := range seeds {
		b := s.Args[0].([]byte)
		msgs, err := AppendParse(nil, b)
		if err != nil || len(msgs) == 0 || len(b) > fuzzMaxLen {
			t.Errorf("FuzzParseMessages/%s: %d bytes, %d messages, %v", s.Name, len(b), len(msgs), err)
		}
	}
	checkCount(t, "FuzzParseMessages", len(seeds))

	var errnos, messages, successes int
	for _, target := range []string{"FuzzParseAck", "FuzzParseDone"} {
		seeds := corpus.Read(t, target)
		for _, s := range seeds {
			flags, data, req := s.Args[0].(uint16), s.Args[1].([]byte), s.Args[2].([]byte)
			m := Message{Header: Header{Length: uint32(HeaderLen + len(data)), Flags: Flags(flags)}, Data: data}
			var errno syscall.Errno
			var e *Error
			var err error
			if target == "FuzzParseAck" {
				m.Header.Type = TypeError
				errno, e, err = parseAck(&m, req)
			} else {
				m.Header.Type = TypeDone
				errno, e, err = parseDone(&m, req)
			}
			if err != nil || len(data) > fuzzMaxLen/2 || len(req) > fuzzMaxLen/2 {
				t.Errorf("%s/%s: %d and %d bytes: %v", target, s.Name, len(data), len(req), err)
				continue
			}
			if errno == 0 {
				successes++
			} else {
				errnos++
			}
			if e != nil && e.Message != "" {
				messages++
			}
		}
		checkCount(t, target, len(seeds))
	}
	if errnos == 0 || messages == 0 || successes == 0 {
		t.Errorf("acknowledgement seeds: %d errors, %d with an extended-ACK message, %d successes; want some of each", errnos, messages, successes)
	}
}

func checkCount(t *testing.T, target string, n int) {
	t.Helper()
	if n < 3 {
		t.Errorf("%s: %d seeds recorded from the kernel, want at least 3 (NLKIT_RECORD_FUZZ_SEEDS=1 go test -run TestRecordFuzzSeeds ./internal/fuzz)", target, n)
	}
}
