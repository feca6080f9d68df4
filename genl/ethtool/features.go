package ethtool

import (
	"context"
	"fmt"
	"strings"

	"github.com/nlkit/nlkit/nlattr"
)

// Features attributes (ETHTOOL_A_FEATURES_*).
const (
	featuresHW       = 2 // ETHTOOL_A_FEATURES_HW: bitset
	featuresWanted   = 3 // ETHTOOL_A_FEATURES_WANTED: bitset
	featuresActive   = 4 // ETHTOOL_A_FEATURES_ACTIVE: bitset
	featuresNoChange = 5 // ETHTOOL_A_FEATURES_NOCHANGE: bitset
)

// Features is a device's offload features (ETHTOOL_MSG_FEATURES_GET,
// `ethtool -k`), as four bit sets over the kernel's feature names
// ("rx-checksum", "tx-tcp-segmentation", ...).
type Features struct {
	Device Device // the device, from the reply header
	// HW: the mask lists every feature the kernel knows; set bits can
	// be changed by the user (dev->hw_features).
	HW Bitset
	// Wanted lists the features the user asked for (dev->wanted_features).
	Wanted Bitset
	// Active lists the features in effect (dev->features).
	Active Bitset
	// NoChange lists the features that can never change.
	NoChange Bitset
}

// Enabled reports whether the feature called name is active.
func (f Features) Enabled(name string) bool { return f.Active.IsSet(name) }

// Fixed reports whether the feature called name cannot be changed (not in
// the changeable set, or never changeable), as `ethtool -k` marks
// "[fixed]".
func (f Features) Fixed(name string) bool {
	return !f.HW.IsSet(name) || f.NoChange.IsSet(name)
}

// Feature is the state of one feature, in the terms of `ethtool -k`.
type Feature struct {
	Name  string // the kernel's name, e.g. "rx-checksum"
	Index uint32 // its bit in the sets (NETIF_F_*_BIT)
	// Active: in effect (Features.Active).
	Active bool
	// Fixed: cannot be changed, not in the changeable set or in NoChange
	// (ethtool's "[fixed]").
	Fixed bool
	// Requested: asked for by the user (Features.Wanted); ethtool prints
	// "[requested on]" or "[requested off]" when it differs from Active.
	Requested bool
}

// Named lists the features the kernel names, in its order (by bit), with
// their state. Feature bits without a name (retired ones the kernel still
// counts in HW's mask) are left out, as `ethtool -k` leaves them out.
func (f Features) Named() []Feature {
	out := make([]Feature, 0, len(f.HW.Bits))
	for _, x := range f.HW.Bits {
		if x.Name == "" {
			continue
		}
		out = append(out, Feature{
			Name:      x.Name,
			Index:     x.Index,
			Active:    f.Active.IndexSet(x.Index),
			Fixed:     !x.Set || f.NoChange.IndexSet(x.Index),
			Requested: f.Wanted.IndexSet(x.Index),
		})
	}
	return out
}

// String lists the named features (see Named) as `ethtool -k` does, one
// per line after a header: "rx-checksumming: on [fixed]" (names as the
// kernel gives them), "[requested on]" or "[requested off]" when the
// user's request is not in effect.
func (f Features) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Features for %s:\n", f.Device)
	for _, x := range f.Named() {
		state := "off"
		if x.Active {
			state = "on"
		}
		b.WriteString(x.Name + ": " + state)
		if x.Fixed {
			b.WriteString(" [fixed]")
		}
		if x.Requested != x.Active {
			if x.Requested {
				b.WriteString(" [requested on]")
			} else {
				b.WriteString(" [requested off]")
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

// UnmarshalBinary decodes the attributes of an
// ETHTOOL_MSG_FEATURES_GET_REPLY (what follows the generic header).
func (f *Features) UnmarshalBinary(b []byte) error {
	*f = Features{}
	d := nlattr.NewDecoder(b)
	for d.Next() {
		var set *Bitset
		switch d.Type() {
		case attrHeader:
			f.Device = decodeHeader(d.Nested())
		case featuresHW:
			set = &f.HW
		case featuresWanted:
			set = &f.Wanted
		case featuresActive:
			set = &f.Active
		case featuresNoChange:
			set = &f.NoChange
		}
		if set != nil {
			nd := d.Nested()
			decodeBitset(set, &nd)
		}
	}
	return decodeErr("features", d.Err())
}

// Features returns dev's features (ETHTOOL_MSG_FEATURES_GET) with their
// names (verbose bit sets).
func (c *Conn) Features(ctx context.Context, dev Device) (Features, error) {
	return c.features(ctx, dev, 0)
}

func (c *Conn) features(ctx context.Context, dev Device, flags uint32) (Features, error) {
	b, err := c.get(ctx, "features", msgFeaturesGet, msgFeaturesReply, dev, flags)
	if err != nil {
		return Features{}, err
	}
	var f Features
	return f, f.UnmarshalBinary(b)
}
