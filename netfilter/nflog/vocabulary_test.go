package nflog_test

import (
	"testing"

	"github.com/nlkit/nlkit/internal/apitest"
)

// allow lists the exported names of package nflog outside the vocabulary,
// each with the reason it stays.
var allow = apitest.Allow{}

func TestVocabulary(t *testing.T) {
	p := apitest.MustParseDir(t, ".")
	if n := apitest.Check(t, allow, p); n < 10 {
		t.Fatalf("only %d exported functions and methods found: is the walk broken?", n)
	}
}

func TestVocabularyRefuses(t *testing.T) {
	apitest.CheckRefuses(t, allow)
}
