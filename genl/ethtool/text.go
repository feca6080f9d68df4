package ethtool

// The text methods of the enums: MarshalText and AppendText give String's
// words, UnmarshalText reads them back, and the numbers String prints for
// values without a word.

import "github.com/nlkit/nlkit/internal/enumtext"

// MarshalText gives String's words.
func (d Duplex) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// AppendText appends String's words to b.
func (d Duplex) AppendText(b []byte) ([]byte, error) { return append(b, d.String()...), nil }

// UnmarshalText sets d from String's words, or a number.
func (d *Duplex) UnmarshalText(text []byte) error {
	return enumtext.Unmarshal(d, text, "ethtool", "duplex", 256)
}

// MarshalText gives String's words.
func (p Port) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// AppendText appends String's words to b.
func (p Port) AppendText(b []byte) ([]byte, error) { return append(b, p.String()...), nil }

// UnmarshalText sets p from String's words, or a number.
func (p *Port) UnmarshalText(text []byte) error {
	return enumtext.Unmarshal(p, text, "ethtool", "port", 256)
}

// MarshalText gives String's words.
func (m MDIMode) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// AppendText appends String's words to b.
func (m MDIMode) AppendText(b []byte) ([]byte, error) { return append(b, m.String()...), nil }

// UnmarshalText sets m from String's words, or a number.
func (m *MDIMode) UnmarshalText(text []byte) error {
	return enumtext.Unmarshal(m, text, "ethtool", "MDI mode", 256)
}

// MarshalText gives String's words.
func (t Transceiver) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// AppendText appends String's words to b.
func (t Transceiver) AppendText(b []byte) ([]byte, error) { return append(b, t.String()...), nil }

// UnmarshalText sets t from String's words, or a number.
func (t *Transceiver) UnmarshalText(text []byte) error {
	return enumtext.Unmarshal(t, text, "ethtool", "transceiver", 256)
}

// MarshalText gives String's words.
func (t TCPDataSplit) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// AppendText appends String's words to b.
func (t TCPDataSplit) AppendText(b []byte) ([]byte, error) { return append(b, t.String()...), nil }

// UnmarshalText sets t from String's words, or a number.
func (t *TCPDataSplit) UnmarshalText(text []byte) error {
	return enumtext.Unmarshal(t, text, "ethtool", "TCP data split setting", 256)
}

// MarshalText gives String's words.
func (t EventType) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// AppendText appends String's words to b.
func (t EventType) AppendText(b []byte) ([]byte, error) { return append(b, t.String()...), nil }

// UnmarshalText sets t from String's words, or a number.
func (t *EventType) UnmarshalText(text []byte) error {
	return enumtext.Unmarshal(t, text, "ethtool", "event type", 256)
}
