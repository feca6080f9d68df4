package ethtool

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"

	"github.com/nlkit/nlkit/nlattr"
)

// Bit set attributes (ETHTOOL_A_BITSET_*).
const (
	bitsetNoMask = 1 // ETHTOOL_A_BITSET_NOMASK: flag
	bitsetSize   = 2 // ETHTOOL_A_BITSET_SIZE: u32
	bitsetBits   = 3 // ETHTOOL_A_BITSET_BITS: nest of ETHTOOL_A_BITSET_BITS_BIT
	bitsetValue  = 4 // ETHTOOL_A_BITSET_VALUE: binary, u32 words in host order
	bitsetMask   = 5 // ETHTOOL_A_BITSET_MASK: binary, u32 words in host order

	bitsBit = 1 // ETHTOOL_A_BITSET_BITS_BIT: nest

	bitIndex = 1 // ETHTOOL_A_BITSET_BIT_INDEX: u32
	bitName  = 2 // ETHTOOL_A_BITSET_BIT_NAME: string
	bitValue = 3 // ETHTOOL_A_BITSET_BIT_VALUE: flag
)

// Bit is one bit of a Bitset.
type Bit struct {
	Index uint32 // ETHTOOL_A_BITSET_BIT_INDEX
	Name  string // ETHTOOL_A_BITSET_BIT_NAME; "" in the compact form
	Set   bool   // the bit's value
}

// Bitset is an ethtool bit set: link modes, features, message levels.
//
// The kernel sends it in one of two forms. Verbose: a list of bits with
// their index, name and value. Compact: arrays of 32-bit words (value and
// mask), without names. Either can come as a value/mask pair (Bits lists
// every bit in the mask, Set telling its value: e.g. the supported link
// modes, set when advertised) or as a plain list (NoMask: Bits lists the
// bits that are set). Both forms decode to the same Bitset, except that
// names are only known from the verbose one.
type Bitset struct {
	Size   uint32 // ETHTOOL_A_BITSET_SIZE: number of bits the kernel knows
	NoMask bool   // ETHTOOL_A_BITSET_NOMASK: a list of set bits, not a value/mask pair
	Bits   []Bit  // by ascending Index
}

// IsSet reports whether the bit called name is set.
func (b Bitset) IsSet(name string) bool {
	for _, x := range b.Bits {
		if x.Name == name {
			return x.Set
		}
	}
	return false
}

// Has reports whether the bit called name is listed (in the mask).
func (b Bitset) Has(name string) bool {
	for _, x := range b.Bits {
		if x.Name == name {
			return true
		}
	}
	return false
}

// IndexSet reports whether bit i is set.
func (b Bitset) IndexSet(i uint32) bool {
	j, ok := slices.BinarySearchFunc(b.Bits, i, func(x Bit, i uint32) int { return cmp.Compare(x.Index, i) })
	return ok && b.Bits[j].Set
}

// ValueNames returns the names of the set bits, those of the value
// (ETHTOOL_A_BITSET_VALUE; "bit N" for unnamed ones), in index order.
func (b Bitset) ValueNames() []string {
	var out []string
	for _, x := range b.Bits {
		if x.Set {
			out = append(out, x.label())
		}
	}
	return out
}

// Names returns the names of all listed bits, set or not.
func (b Bitset) Names() []string {
	out := make([]string, 0, len(b.Bits))
	for _, x := range b.Bits {
		out = append(out, x.label())
	}
	return out
}

func (x Bit) label() string {
	if x.Name != "" {
		return x.Name
	}
	return fmt.Sprintf("bit %d", x.Index)
}

// String lists the set bits separated by spaces, like ethtool's lists.
func (b Bitset) String() string { return strings.Join(b.ValueNames(), " ") }

// UnmarshalBinary decodes the attributes inside an ETHTOOL_A_*_BITSET nest,
// in either form. b is not aliased.
func (b *Bitset) UnmarshalBinary(data []byte) error {
	d := nlattr.NewDecoder(data)
	decodeBitset(b, &d)
	return decodeErr("bit set", d.Err())
}

// decodeBitset fills b from a decoder over the attributes of a bit set
// nest; errors are recorded on d (and its parents).
func decodeBitset(b *Bitset, d *nlattr.Decoder) {
	*b = Bitset{}
	var value, mask []byte
	var haveValue, haveMask bool
	var bits []Bit // verbose form; Set is the VALUE flag
	for d.Next() {
		switch d.Type() {
		case bitsetNoMask:
			b.NoMask = true
		case bitsetSize:
			b.Size = d.Uint32()
		case bitsetValue:
			value, haveValue = d.Bytes(), true
		case bitsetMask:
			mask, haveMask = d.Bytes(), true
		case bitsetBits:
			bd := d.Nested()
			for bd.Next() {
				if bd.Type() != bitsBit {
					continue
				}
				var x Bit
				var haveIndex bool
				xd := bd.Nested()
				for xd.Next() {
					switch xd.Type() {
					case bitIndex:
						x.Index, haveIndex = xd.Uint32(), true
					case bitName:
						x.Name = xd.String()
					case bitValue:
						x.Set = true
					}
				}
				if !haveIndex {
					bd.Fail(fmt.Errorf("bit without an index"))
					return
				}
				bits = append(bits, x)
			}
		}
	}
	if d.Err() != nil {
		return
	}
	if haveValue || haveMask {
		if len(value)%4 != 0 || len(mask)%4 != 0 {
			d.Fail(fmt.Errorf("compact bit set with %d value and %d mask bytes, not whole 32-bit words", len(value), len(mask)))
			return
		}
		if !b.NoMask && haveMask != haveValue {
			d.Fail(fmt.Errorf("compact bit set with a value but no mask"))
			return
		}
		word := func(w []byte, i int) uint32 {
			if 4*i+4 > len(w) {
				return 0
			}
			return binary.NativeEndian.Uint32(w[4*i:])
		}
		words := max(len(value), len(mask)) / 4
		for i := 0; i < words && uint64(i)*32 < uint64(b.Size); i++ {
			v, m := word(value, i), word(mask, i)
			if b.NoMask {
				m = v
			}
			for j := 0; j < 32 && m != 0; j++ {
				idx := uint32(i*32 + j)
				if idx >= b.Size {
					break
				}
				if m&(1<<j) != 0 {
					b.Bits = append(b.Bits, Bit{Index: idx, Set: v&(1<<j) != 0})
				}
			}
		}
		return
	}
	// In the list form (NOMASK) the bits listed are the set ones.
	for i := range bits {
		bits[i].Set = bits[i].Set || b.NoMask
	}
	b.Bits = bits
	slices.SortStableFunc(b.Bits, func(a, c Bit) int { return cmp.Compare(a.Index, c.Index) })
}
