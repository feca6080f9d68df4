package nltest_test

import (
	"testing"

	"github.com/nlkit/nlkit/internal/apitest"
)

// allow lists the exported names of package nltest outside the vocabulary
// (design.md, "Vocabulary"), each with the reason it stays.
var allow = apitest.Allow{
	// The Handler interface of the fake (as net/http's Handler).
	"Handle*": "Handler.Handle and its implementations (HandlerFunc, Replay): the fake kernel's answer to one request",
	// Recordings are files of datagrams, written and read back as
	// encoding/gob or image/png would; no kernel state.
	"Save*":          "Recorder.Save/SaveFile: write a recording as text (one line per datagram)",
	"LoadReplay":     "reads a recording back into a Replay handler",
	"LoadReplayFile": "reads a recording file back into a Replay handler",
	// The fake is the kernel side: it sends notifications, clients read
	// them with Receive or Events.
	"Server.Notify": "the fake kernel multicasts notifications to its clients (the sending side of Events)",
}

// TestVocabulary walks the exported API of package nltest and fails on a
// name outside the vocabulary, or an allow-list entry that covers nothing.
func TestVocabulary(t *testing.T) {
	p := apitest.MustParseDir(t, ".")
	if n := apitest.Check(t, allow, p); n < 10 {
		t.Fatalf("only %d exported functions and methods found: is the walk broken?", n)
	}
}

// TestVocabularyRefuses: the rules, under this package's allow-list, still
// refuse the names the vocabulary forbids.
func TestVocabularyRefuses(t *testing.T) {
	apitest.CheckRefuses(t, allow)
}
