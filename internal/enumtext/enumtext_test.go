package enumtext

import (
	"fmt"
	"testing"
)

type small uint8

func (s small) String() string {
	if s == 1 {
		return "one"
	}
	return fmt.Sprintf("small(%d)", uint8(s))
}

type wide uint32

func (w wide) String() string { return fmt.Sprintf("Unknown! (%d)", uint32(w)) }

func TestUnmarshal(t *testing.T) {
	var s small
	for text, want := range map[string]small{"one": 1, "small(7)": 7, "9": 9, "0x10": 16} {
		if err := Unmarshal(&s, []byte(text), "x", "small", 256); err != nil || s != want {
			t.Errorf("%q: %d, %v; want %d", text, s, err, want)
		}
	}
	for _, bad := range []string{"two", "256", "small(x)", ""} {
		if err := Unmarshal(&s, []byte(bad), "x", "small", 256); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	var w wide
	if err := Unmarshal(&w, []byte("Unknown! (70000)"), "x", "wide", 16); err != nil || w != 70000 {
		t.Errorf("wide: %d, %v", w, err)
	}
	if width[small]() != 8 || width[wide]() != 32 {
		t.Errorf("width: %d %d", width[small](), width[wide]())
	}
}

func TestParserIPRoute2(t *testing.T) {
	p := Parser[small]{Cands: []small{1}, Numbers: IPRoute2Numbers}
	for text, want := range map[string]small{"one": 1, "9": 9, "0x10": 16, "010": 8, "255": 255} {
		if got, ok := p.Parse([]byte(text)); !ok || got != want {
			t.Errorf("%q: %d, %v; want %d", text, got, ok, want)
		}
	}
	for _, bad := range []string{"two", "256", "small(7)", "", "1_0", "+1", "-1", " 1", "0o7", "0b1"} {
		if got, ok := p.Parse([]byte(bad)); ok {
			t.Errorf("%q: %d, no error", bad, got)
		}
	}
	w := Parser[wide]{Bits: 16, Numbers: IPRoute2Numbers}
	if _, ok := w.Parse([]byte("70000")); ok {
		t.Errorf("70000 in 16 bits: no error")
	}
	if got, ok := w.Parse([]byte("0xffff")); !ok || got != 0xffff {
		t.Errorf("0xffff: %d, %v", got, ok)
	}
}

func TestGoNumbers(t *testing.T) {
	var s small
	if err := Unmarshal(&s, []byte("1_0"), "x", "small", 0); err != nil || s != 10 {
		t.Errorf("1_0: %d, %v", s, err)
	}
	if err := Unmarshal(&s, []byte("two"), "x", "small", 256); err == nil || err.Error() != `x: "two" is not a small` {
		t.Errorf("two: %v", err)
	}
}
