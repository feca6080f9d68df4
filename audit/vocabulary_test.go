package audit_test

import (
	"testing"

	"github.com/nlkit/nlkit/internal/apitest"
)

// allow lists the exported names of package audit outside the vocabulary
// (design.md, "Vocabulary"), each with the reason it stays.
var allow = apitest.Allow{
	"DecodeRecord":        "the codec of one raw record message (type and text) into a Record, for callers of netlink.Conn.Receive",
	"Syscalls.Include":    "sets a bit of a rule's syscall mask (a value, no kernel call)",
	"Syscalls.IncludeAll": "sets every bit (-S all), a value",
}

// TestVocabulary walks the exported API of package audit and fails on a
// name outside the vocabulary, or an allow-list entry that covers nothing.
func TestVocabulary(t *testing.T) {
	p := apitest.MustParseDir(t, ".")
	if n := apitest.Check(t, allow, p); n < 40 {
		t.Fatalf("only %d exported functions and methods found: is the walk broken?", n)
	}
}

// TestVocabularyRefuses: the rules, under this package's allow-list, still
// refuse the names the vocabulary forbids.
func TestVocabularyRefuses(t *testing.T) {
	apitest.CheckRefuses(t, allow)
}
