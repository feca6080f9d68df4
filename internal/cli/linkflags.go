package cli

// The interface flags link add and link set change with "WORD on|off"
// (linux/if.h), and whether "on" sets the bit or clears it (arp and
// trailers name the absence of IFF_NOARP and IFF_NOTRAILERS).
var linkFlagWords = map[string]struct {
	bit     uint32
	onClear bool
}{
	"multicast":    {0x1000, false}, // IFF_MULTICAST
	"allmulticast": {0x200, false},  // IFF_ALLMULTI
	"promisc":      {0x100, false},  // IFF_PROMISC
	"trailers":     {0x20, true},    // IFF_NOTRAILERS
	"arp":          {0x80, true},    // IFF_NOARP
	"dynamic":      {0x8000, false}, // IFF_DYNAMIC
}

// linkFlagWord reads "WORD on|off" into o's flags, as ip's iplink_parse;
// another value fails as ip's on_off (exit status 1).
func linkFlagWord(o *linkOpts, word, v string) error {
	f := linkFlagWords[word]
	on := v == "on"
	if !on && v != "off" {
		return errBadWord(`Error: argument of "%s" must be "on" or "off", not "%s"`, word, v)
	}
	o.change |= f.bit
	if on != f.onClear {
		o.flags |= f.bit
	} else {
		o.flags &^= f.bit
	}
	return nil
}

// rtmNewLink is RTM_NEWLINK.
const rtmNewLink = 16
