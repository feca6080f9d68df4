package xfrmtest_test

import (
	"testing"

	"github.com/nlkit/nlkit/internal/apitest"
)

// allow lists the exported names of package xfrmtest outside the
// vocabulary, each with the reason it stays.
var allow = apitest.Allow{
	"Fake.Handle":  "the nltest.Handler method the fake's Server calls, named by that interface",
	"Fake.Notify":  "multicasts what a test built, as nltest.Server.Notify (the kernel's word for sending a notification)",
	"Fake.Acquire": "the kernel's name for what it does (XFRM_MSG_ACQUIRE, km_query): make a larval SA and ask key managers for one",
}

// TestVocabulary holds package xfrmtest to the vocabulary.
func TestVocabulary(t *testing.T) {
	p := apitest.MustParseDir(t, ".")
	if n := apitest.Check(t, allow, p); n < 5 {
		t.Fatalf("only %d exported functions and methods found", n)
	}
}

// TestVocabularyRefuses: the allow-list opens no hole.
func TestVocabularyRefuses(t *testing.T) {
	apitest.CheckRefuses(t, allow)
}
