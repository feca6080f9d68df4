package mptcp

// The text methods of the enums: MarshalText and AppendText give String's
// words, UnmarshalText reads them back, and the numbers String prints for
// values without a word. The flag set EventFlags has its own (event.go);
// EndpointFlags and EventAttrs have String only.

import "github.com/nlkit/nlkit/internal/enumtext"

// MarshalText gives String's words.
func (t EventType) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// AppendText appends String's words to b.
func (t EventType) AppendText(b []byte) ([]byte, error) { return append(b, t.String()...), nil }

// UnmarshalText sets t from String's words, or a number.
func (t *EventType) UnmarshalText(text []byte) error {
	return enumtext.Unmarshal(t, text, "mptcp", "event type", 256)
}
