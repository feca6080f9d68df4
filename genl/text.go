package genl

// The text methods of the enums: MarshalText and AppendText give String's
// words, UnmarshalText reads them back, and the numbers String prints for
// values without a word. The flag set OpFlags has String only.

import "github.com/nlkit/nlkit/internal/enumtext"

// MarshalText gives String's words.
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// AppendText appends String's words to b.
func (k Kind) AppendText(b []byte) ([]byte, error) { return append(b, k.String()...), nil }

// UnmarshalText sets k from String's words, or a number.
func (k *Kind) UnmarshalText(text []byte) error {
	return enumtext.Unmarshal(k, text, "genl", "attribute kind", 256)
}

// MarshalText gives String's words.
func (k PolicyKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// AppendText appends String's words to b.
func (k PolicyKind) AppendText(b []byte) ([]byte, error) { return append(b, k.String()...), nil }

// UnmarshalText sets k from String's words, or a number.
func (k *PolicyKind) UnmarshalText(text []byte) error {
	return enumtext.Unmarshal(k, text, "genl", "policy kind", 256)
}
