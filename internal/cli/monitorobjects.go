package cli

import (
	"context"
	"encoding/binary"
	"net/netip"

	"golang.org/x/sys/unix"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nlattr"
)

// The monitor's objects the library does not model: namespace ids and
// IPv6 prefixes (router advertisements' prefix information).

// nsidFormat prints an RTM_NEWNSID or RTM_DELNSID as ip's print_nsid (nil
// for a message it cannot read).
func (e *env) nsidFormat(ctx context.Context, m netlink.Message) *printer {
	if len(m.Data) < 4 {
		return nil
	}
	var nsid, current int32
	var hasNSID, hasCurrent bool
	d := nlattr.NewDecoder(m.Data[4:])
	for d.Next() {
		switch d.Type() {
		case netnsaNSID:
			nsid, hasNSID = d.Int32(), true
		case netnsaCurrentNSID:
			current, hasCurrent = d.Int32(), true
		}
	}
	if d.Err() != nil || !hasNSID {
		return nil
	}
	p := e.record()
	if nsid < 0 {
		p.text("nsid unassigned ")
	} else {
		p.field("nsid", "nsid %d ", nsid)
	}
	if hasCurrent {
		if current < 0 {
			p.text("current-nsid unassigned ")
		} else {
			p.field("current-nsid", "current-nsid %d ", current)
		}
	}
	if n := e.nsidName(ctx, nsid); n != "" && nsid >= 0 {
		p.field("name", "(iproute2 netns name: %s)", n)
	}
	p.text("\n")
	return p
}

// netnsaCurrentNSID is NETNSA_CURRENT_NSID (linux/net_namespace.h).
const netnsaCurrentNSID = 5

// The prefix message (linux/rtnetlink.h struct prefixmsg, 12 bytes) and
// its attributes.
const (
	prefixmsgLen      = 12
	prefixAddress     = 1 // PREFIX_ADDRESS
	prefixCacheinfo   = 2 // PREFIX_CACHEINFO: struct prefix_cacheinfo
	ifPrefixOnlink    = 0x01
	ifPrefixAutoconf  = 0x02
	ndOptPrefixInfo   = 3 // ND_OPT_PREFIX_INFORMATION
	prefixCacheinfoSz = 8
)

// prefixFormat prints an RTM_NEWPREFIX as ip's print_prefix (nil for
// another family or ND option, which ip reports and skips).
func (e *env) prefixFormat(ctx context.Context, m netlink.Message) *printer {
	b := m.Data
	if len(b) < prefixmsgLen || b[0] != unix.AF_INET6 || b[8] != ndOptPrefixInfo {
		return nil
	}
	idx := int32(binary.NativeEndian.Uint32(b[4:]))
	plen, flags := b[9], b[10]
	var addr netip.Addr
	var ci []byte
	d := nlattr.NewDecoder(b[prefixmsgLen:])
	for d.Next() {
		switch d.Type() {
		case prefixAddress:
			addr = d.Addr()
		case prefixCacheinfo:
			if d.Len() >= prefixCacheinfoSz {
				ci = d.Bytes()
			}
		}
	}
	if d.Err() != nil {
		return nil
	}
	p := e.record()
	if addr.IsValid() {
		p.field("prefix", "prefix %s", addr.String())
		p.field("prefixlen", "/%d ", plen)
	}
	dev := e.linkName(ctx, idx)
	p.field("dev", "dev %s ", dev)
	if flags&ifPrefixOnlink != 0 {
		p.field("onlink", "onlink ", true)
	}
	if flags&ifPrefixAutoconf != 0 {
		p.field("autoconf", "autoconf ", true)
	}
	if ci != nil {
		p.field("valid", "valid %d ", binary.NativeEndian.Uint32(ci[4:]))
		p.field("preferred", "preferred %d ", binary.NativeEndian.Uint32(ci))
	}
	p.text("\n")
	return p
}
