package audittest_test

import (
	"testing"

	"github.com/nlkit/nlkit/internal/apitest"
)

// allow lists the exported names of package audittest outside the
// vocabulary, each with the reason it stays.
var allow = apitest.Allow{
	"Fake.Handle":    "the nltest.Handler method: the fake kernel's answer to one request",
	"Fake.Emit":      "the fake kernel emits a record (the sending side of Events)",
	"Fake.EmitEvent": "the fake kernel emits an event's records and its EOE",
	"Fake.Lose":      "the fake kernel counts lost records, as a full backlog does",
	"Fake.SetStatus": "sets the fake's state directly, a test's setup (lock it, set counters), not a request",
}

func TestVocabulary(t *testing.T) {
	p := apitest.MustParseDir(t, ".")
	if n := apitest.Check(t, allow, p); n < 8 {
		t.Fatalf("only %d exported functions and methods found: is the walk broken?", n)
	}
}

func TestVocabularyRefuses(t *testing.T) { apitest.CheckRefuses(t, allow) }
