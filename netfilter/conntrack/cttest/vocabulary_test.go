package cttest_test

import (
	"testing"

	"github.com/nlkit/nlkit/internal/apitest"
)

var allow = apitest.Allow{}

func TestVocabulary(t *testing.T) {
	p := apitest.MustParseDir(t, ".")
	if n := apitest.Check(t, allow, p); n < 3 {
		t.Fatalf("only %d exported functions and methods found: is the walk broken?", n)
	}
}
