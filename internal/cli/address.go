package cli

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/netip"
	"path"
	"strconv"
	"strings"
	"syscall"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/rtnl"
)

const addressHelp = `Usage: nl address {add|change|replace} IFADDR dev IFNAME [ LIFETIME ]
                                                      [ CONFFLAG-LIST ]
       nl address del IFADDR dev IFNAME [ mngtmpaddr ]
       nl address {save|flush} [ dev IFNAME ] [ scope SCOPE-ID ] [ to PREFIX ]
                               [ FLAG-LIST ] [ label LABEL ] [ up ]
       nl address [ show [ dev IFNAME ] [ scope SCOPE-ID ] [ master DEVICE | nomaster ]
                         [ type TYPE ] [ to PREFIX ] [ FLAG-LIST ]
                         [ label LABEL ] [ up ] [ vrf NAME ] ]
       nl address {showdump|restore}
IFADDR := PREFIX | ADDR peer PREFIX
          [ broadcast ADDR | + | - ] [ anycast ADDR ] [ label IFNAME ] [ scope SCOPE-ID ]
          [ metric METRIC ]
SCOPE-ID := [ host | link | global | site | nowhere | NUMBER ]  (show, flush: also all)
FLAG-LIST := [ FLAG-LIST ] FLAG
FLAG  := [ permanent | dynamic | secondary | primary |
           [-]tentative | [-]deprecated | [-]dadfailed | temporary |
           CONFFLAG-LIST ]
CONFFLAG-LIST := [ CONFFLAG-LIST ] CONFFLAG
CONFFLAG  := [ home | nodad | mngtmpaddr | noprefixroute | autojoin ]
LIFETIME := [ valid_lft LFT ] [ preferred_lft LFT ]
LFT := forever | SECONDS
"nl address" alone is "nl address show"; -4 and -6 select a family, -s adds statistics.
`

// addressRequest is a parsed address command.
type addressRequest struct {
	cmd    string     // "show", "flush", "add", "change", "replace", "delete", "help"
	filter addrFilter // show, flush
	dev    string     // add, change, replace, delete: the link
	hasDev bool       // dev was given (possibly as "", which is no link)
	// addr is the address to add, change, replace or delete, without its
	// link index.
	addr rtnl.Address
	// wildcard: delete an IPv4 address given without a prefix length,
	// whatever its prefix length (ip's compatibility behaviour).
	wildcard bool
}

// addrFilter are the filters of address show and flush.
type addrFilter struct {
	link     linkShow // dev, type, master, nomaster, up
	scope    rtnl.Scope
	scopeSet bool         // false: any scope ("scope all" or none given)
	to       netip.Prefix // invalid: any address
	label    string       // a shell pattern; "" for any
	flags    rtnl.AddressFlags
	flagMask rtnl.AddressFlags
}

// addrFlagWords are ip's address flag words, in the order it prints them
// (ifa_flag_data). readonly flags can be filtered on but not set.
var addrFlagWords = [...]struct {
	name string
	flag rtnl.AddressFlags
}{
	{"secondary", rtnl.AddressSecondary}, {"temporary", rtnl.AddressTemporary},
	{"nodad", rtnl.AddressNoDAD}, {"optimistic", rtnl.AddressOptimistic},
	{"dadfailed", rtnl.AddressDADFailed}, {"home", rtnl.AddressHome},
	{"deprecated", rtnl.AddressDeprecated}, {"tentative", rtnl.AddressTentative},
	{"permanent", rtnl.AddressPermanent}, {"mngtmpaddr", rtnl.AddressManageTempAddr},
	{"noprefixroute", rtnl.AddressNoPrefixRoute}, {"autojoin", rtnl.AddressAutoJoin},
	{"stable-privacy", rtnl.AddressStablePrivacy},
}

// parseAddrFlagFilter is ip's get_filter: a FLAG of show and flush, with
// "-" negating it; dynamic and primary are the negations of permanent and
// secondary.
func parseAddrFlagFilter(w string, f *addrFilter) bool {
	inv := false
	if rest, ok := strings.CutPrefix(w, "-"); ok {
		inv, w = true, rest
	}
	switch w {
	case "dynamic":
		inv, w = !inv, "permanent"
	case "primary":
		inv, w = !inv, "secondary"
	}
	for _, fw := range addrFlagWords {
		if fw.name == w {
			if inv {
				f.flags &^= fw.flag
			} else {
				f.flags |= fw.flag
			}
			f.flagMask |= fw.flag
			return true
		}
	}
	return false
}

// parseAddress turns the words after "address" into a request; family
// is the -4/-6/-0 option, which decides how addresses parse.
func parseAddress(args []string, family Family) (addressRequest, error) {
	a := wordsOf(args)
	if !a.more() {
		return addressRequest{cmd: "show"}, nil
	}
	var r addressRequest
	cmd, err := pickCommand("address", a.next(), addressCommands)
	switch cmd {
	case "":
	case "show":
		r.cmd = "show"
		r.filter, err = parseAddrFilter(a, family)
	case "flush":
		if !a.more() {
			return r, errBadWord("Flush requires arguments.")
		}
		r.cmd = "flush"
		r.filter, err = parseAddrFilter(a, family)
	case "save":
		r.cmd = "save"
		r.filter, err = parseAddrFilter(a, family)
	case "showdump", "restore":
		r.cmd = cmd
	case "help":
		r.cmd = "help"
	default:
		r, err = parseAddressModify(cmd, a, family)
	}
	if err != nil {
		return addressRequest{}, err
	}
	if r.filter.link.dev == "help" {
		return addressRequest{cmd: "help"}, nil
	}
	return r, nil
}

// addressCommands are address's commands in ip's order.
var addressCommands = []command{
	{name: "add"}, {name: "change", exact: []string{"chg"}}, {name: "replace"}, {name: "delete"},
	{name: "show", abbrev: []string{"list", "show", "lst"}}, {name: "flush"}, {name: "save"}, {name: "showdump"},
	{name: "restore"}, {name: "help"},
}

// parseAddrFilter parses the filters of address show and flush, and of
// link show, which ip reads with the same code
// (ipaddr_list_flush_or_save): family is the -4/-6 option, else that of
// "to PREFIX".
func parseAddrFilter(a *words, family Family) (addrFilter, error) {
	var f addrFilter
	for a.more() {
		var err error
		switch w := a.next(); {
		case w == "to":
			p, err := prefixValue(a, family)
			if err != nil {
				return f, err
			}
			f.to, _ = p.defaultOr()
			family = family.or(p.Family)
		case w == "scope":
			var all bool
			f.scope, all, err = valueOrAll(a, parseScope, "invalid \"scope\"\n")
			f.scopeSet = !all
		case w == "up":
			f.link.up = true
		case parseAddrFlagFilter(w, &f):
		case w == "label":
			f.label, err = a.value()
		case w == "master":
			f.link.master, err = masterWord(a)
		case w == "nomaster":
			f.link.nomaster = true
		case w == "vrf":
			f.link.vrf, err = a.value()
		case w == "type":
			f.link.kind, err = a.value()
		case w == "group":
			f.link.group, err = valueOf(a, parseGroup, "Invalid \"group\" value\n")
			f.link.hasGroup = true
		default:
			err = devWord(a, w, &f.link.dev, &f.link.hasDev, nil)
		}
		if err != nil {
			return f, err
		}
	}
	return f, nil
}

// parseAddressModify parses the words of add, change, replace and delete
// (ip's ipaddr_modify); the first address fixes the family of the others.
func parseAddressModify(cmd string, a *words, family Family) (addressRequest, error) {
	r := addressRequest{cmd: cmd}
	addr := &r.addr
	var local, peer inet
	var scoped bool
	var brd string // "+", "-", or an explicit address already in addr.Broadcast
	var validArg, preferredArg string
	valid, preferred := uint32(0xFFFFFFFF), uint32(0xFFFFFFFF)
	// lifetime is ip's set_lifetime: "forever" or a u32.
	lifetime := func(v string) (uint32, bool) {
		if v == "forever" {
			return 0xFFFFFFFF, true
		}
		return getU32(v)
	}
	for a.more() {
		var err error
		switch w := a.next(); {
		case w == "peer" || w == "remote":
			var v string
			if v, err = a.value(); err != nil {
				return r, err
			}
			if peer.Addr.IsValid() {
				return r, errDuparg("peer", v)
			}
			if peer, err = getIPPrefix(v, family); err != nil {
				return r, err
			}
			family = family.or(peer.Family)
		case matches(w, "broadcast") || w == "brd":
			var v string
			if v, err = a.value(); err != nil {
				return r, err
			}
			if brd != "" {
				return r, errDuparg("broadcast", v)
			}
			brd = v
			if v != "+" && v != "-" {
				if addr.Broadcast, err = getIPAddr(v, family); err != nil {
					return r, err
				}
				family = family.or(familyOf(addr.Broadcast))
			}
		case matches(w, "anycast"):
			var v string
			if v, err = a.value(); err != nil {
				return r, err
			}
			if addr.Anycast.IsValid() {
				return r, errDuparg("anycast", v)
			}
			if addr.Anycast, err = getIPAddr(v, family); err != nil {
				return r, err
			}
			family = family.or(familyOf(addr.Anycast))
		case w == "scope":
			addr.Scope, err = valueOf(a, parseScope, "invalid scope value.")
			scoped = true
		case w == "dev": // as in ip, the last one counts
			r.dev, err = a.value()
			r.hasDev = true
		case w == "label": // as in ip, the last one counts
			addr.Label, err = a.value()
		case matches(w, "metric") || matches(w, "priority") || matches(w, "preference"):
			addr.Metric, err = valueOf(a, getU32, "\"metric\" value is invalid\n")
		case matches(w, "valid_lft"):
			if validArg != "" {
				return r, errDuparg("valid_lft", w)
			}
			valid, err = valueOf(a, lifetime, "valid_lft value")
			validArg = "given"
		case matches(w, "preferred_lft"):
			if preferredArg != "" {
				return r, errDuparg("preferred_lft", w)
			}
			preferred, err = valueOf(a, lifetime, "preferred_lft value")
			preferredArg = "given"
		case w == "home":
			addr.Flags |= rtnl.AddressHome
		case w == "nodad":
			addr.Flags |= rtnl.AddressNoDAD
		case w == "mngtmpaddr":
			addr.Flags |= rtnl.AddressManageTempAddr
		case w == "noprefixroute":
			addr.Flags |= rtnl.AddressNoPrefixRoute
		case w == "autojoin":
			addr.Flags |= rtnl.AddressAutoJoin
		default: // [local] PREFIX
			if w == "local" {
				if w, err = a.value(); err != nil {
					return r, err
				}
			}
			if local.Addr.IsValid() {
				return r, errDuparg2("local", w)
			}
			if local, err = getIPPrefix(w, family); err != nil {
				return r, err
			}
			family = family.or(local.Family)
		}
		if err != nil {
			return r, err
		}
	}
	if !r.hasDev {
		return r, errBadWord(`Not enough information: "dev" argument is required.`)
	}
	if addr.Flags&rtnl.AddressAutoJoin != 0 && local.Addr.IsValid() && !local.Addr.IsMulticast() {
		return r, errBadWord("autojoin needs multicast address")
	}
	if !local.Addr.IsValid() {
		// ip sends the request without an address (the kernel refuses
		// it); the library does not send it.
		return r, usagef(`Not enough information: "local" argument is required.`)
	}
	bits := local.Bits
	if peer.Addr.IsValid() {
		if peer.Bits != 0 { // ip: a zero prefix length is the local's
			bits = peer.Bits
		}
		addr.Peer = netip.PrefixFrom(peer.Addr, bits)
	}
	addr.Prefix = netip.PrefixFrom(local.Addr, bits)
	if cmd == "delete" && !peer.Addr.IsValid() && local.Addr.Is4() && !local.Plen {
		r.wildcard = true
	}
	if (brd == "+" || brd == "-") && cmd != "delete" {
		if !local.Addr.Is4() {
			return r, errBadWord("Broadcast can be set only for IPv4 addresses")
		}
		base := addr.Prefix.Addr()
		if addr.Peer.IsValid() {
			base = addr.Peer.Addr()
		}
		if bits <= 30 {
			b4 := base.As4()
			host := ^uint32(0) >> bits
			n := uint32(b4[0])<<24 | uint32(b4[1])<<16 | uint32(b4[2])<<8 | uint32(b4[3])
			if brd == "+" {
				n |= host
			} else {
				n &^= host
			}
			addr.Broadcast = netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)})
		}
	}
	if !scoped && cmd != "delete" && local.Addr.Is4() && local.Addr.As4()[0] == 127 {
		addr.Scope = rtnl.ScopeHost
	}
	if validArg != "" || preferredArg != "" {
		if valid == 0 {
			return r, errBadWord("valid_lft is zero")
		}
		if valid < preferred {
			return r, errBadWord("preferred_lft is greater than valid_lft")
		}
		addr.ValidLifetime = rtnl.LifetimeSeconds(valid)
		addr.PreferredLifetime = rtnl.LifetimeSeconds(preferred)
	}
	return r, nil
}

func runAddress(ctx context.Context, e *env, args []string) error {
	r, err := parseAddress(args, e.opts.Family)
	if err != nil {
		return err
	}
	switch r.cmd {
	case "help":
		return &UsageError{Msg: strings.TrimSuffix(addressHelp, "\n")}
	case "show":
		return e.showAddresses(ctx, r.filter)
	case "flush":
		return e.flushAddresses(ctx, r.filter)
	case "save":
		return e.addressSave(ctx, r.filter)
	case "showdump":
		return e.addressShowdump(ctx)
	case "restore":
		return e.addressRestore(ctx)
	}
	a := r.addr
	c, idx, err := e.rtLink(ctx, r.dev)
	if err != nil {
		return err
	}
	a.Index = idx
	switch r.cmd {
	case "add":
		return c.AddAddress(ctx, a)
	case "replace":
		return c.ReplaceAddress(ctx, a)
	case "change":
		return c.ChangeAddress(ctx, a)
	}
	if r.wildcard {
		fmt.Fprintf(e.stderr, "Warning: Executing wildcard deletion to stay compatible with old scripts.\n"+
			"         Explicitly specify the prefix length (%s/32) to avoid this warning.\n"+
			"         This special behaviour is likely to disappear in further releases,\n"+
			"         fix your scripts!\n", a.Prefix.Addr())
		a.AnyPrefixLength = true
	}
	return c.DeleteAddress(ctx, a)
}

// match reports whether a passes the address filters (ip's
// print_addrinfo and ipaddr_filter tests); linkName names its link, for
// addresses without a label.
func (f *addrFilter) match(a *rtnl.Address, family Family, linkName string) bool {
	if family != FamilyAny && a.Family != family.rtnl() {
		return false
	}
	if f.scopeSet && a.Scope != f.scope {
		return false
	}
	if (f.flags^a.Flags)&f.flagMask != 0 {
		return false
	}
	if f.label != "" {
		label := a.Label
		if label == "" {
			label = linkName
		}
		if ok, err := path.Match(f.label, label); err != nil || !ok {
			return false
		}
	}
	if f.to.IsValid() && f.to.Bits() > 0 {
		addr := a.Prefix.Addr()
		if addr.BitLen() != f.to.Addr().BitLen() || !f.to.Masked().Contains(addr) {
			return false
		}
	}
	return true
}

// addrLink is a link with the addresses of it that address show or flush
// selected.
type addrLink struct {
	view  linkView
	addrs []rtnl.Address
}

// selectAddresses lists the links and addresses that f selects, as ip's
// address show does: a link with addresses, none of which pass the
// filters, is left out; a link without any address stays (when no family
// is selected).
func (e *env) selectAddresses(ctx context.Context, f *addrFilter, family Family) ([]addrLink, error) {
	views, err := e.selectLinks(ctx, f.link, false)
	if err != nil {
		return nil, err
	}
	// The addresses come by family, each family by link; ip prints them
	// by link. They are gathered once, in the dump's order, with the
	// position of their link, then placed link after link in one array
	// (a counting sort): each link's addresses are a piece of it, and no
	// per-link slice grows.
	pos := make(map[int32]int32, len(views)) // link index → position in views
	for i := range views {
		pos[views[i].l.Index] = int32(i)
	}
	total := make([]int32, len(views)) // addresses of each link
	sel := make([]int32, len(views))   // of which selected
	var all []rtnl.Address
	var at []int32 // the position of the link of all[i]
	if family != FamilyLink {
		c, err := e.rt()
		if err != nil {
			return nil, err
		}
		af := rtnl.AddressFilter{Family: family.rtnl()}
		if f.link.hasDev {
			if len(views) == 0 {
				return nil, nil
			}
			af.Index = views[0].l.Index
		}
		for a, err := range c.Addresses(ctx, af) {
			if err != nil {
				return nil, err
			}
			p, ok := pos[a.Index]
			if !ok {
				continue
			}
			total[p]++
			if f.match(&a, family, views[p].l.Name) {
				sel[p]++
				all = append(all, a)
				at = append(at, p)
			}
		}
	}
	start := make([]int, len(views)+1)
	for i, n := range sel {
		start[i+1] = start[i] + int(n)
	}
	placed := make([]rtnl.Address, len(all))
	next := start[:len(views)]
	next = append([]int(nil), next...)
	for i := range all {
		p := at[i]
		placed[next[p]] = all[i]
		next[p]++
	}
	all, at = nil, nil
	var out []addrLink
	for i, v := range views {
		if family != FamilyLink && sel[i] == 0 && (total[i] > 0 || family != FamilyAny) {
			continue
		}
		var addrs []rtnl.Address
		if sel[i] > 0 {
			addrs = placed[start[i]:start[i+1]:start[i+1]]
		}
		out = append(out, addrLink{view: v, addrs: addrs})
	}
	return out, nil
}

// showFamily is the address family address show uses: the -4/-6/-0
// option, else that of "to PREFIX".
func showFamily(opt Family, f *addrFilter) Family {
	if opt == FamilyAny && f.to.IsValid() {
		return familyOf(f.to.Addr())
	}
	return opt
}

func (e *env) showAddresses(ctx context.Context, f addrFilter) error {
	family := showFamily(e.opts.Family, &f)
	// With a label, ip prints the matching addresses without their link.
	noLink := f.label != ""
	if !e.opts.Brief && !(e.opts.Oneline && !e.opts.JSON && family != FamilyLink) {
		return e.streamAddresses(ctx, &f, family, noLink)
	}
	links, err := e.selectAddresses(ctx, &f, family)
	if err != nil {
		return err
	}
	if noLink {
		kept := links[:0]
		for _, al := range links {
			if len(al.addrs) > 0 {
				kept = append(kept, al)
			}
		}
		links = kept
	}
	if e.opts.Brief {
		return e.showAddressesBrief(ctx, links, family)
	}
	return e.showAddressesOneline(links)
}

// streamAddresses is address show: each link with its addresses, as ip
// prints them, written link after link as the dumps go, so that neither
// the addresses nor the output are held in memory. The kernel dumps the
// addresses family after family, each family link after link in the
// order of its link dump; so the IPv6 addresses are read on a second
// socket (pulled as the IPv4 dump reaches each link) and each link's
// record is complete when both dumps have passed it. An address whose
// link was passed already (the tables changed between the dumps) is
// printed in a record of its own, with its link, rather than lost.
func (e *env) streamAddresses(ctx context.Context, f *addrFilter, family Family, noLink bool) error {
	views, err := e.selectLinks(ctx, f.link, false)
	if err != nil {
		return err
	}
	how := linkPrint{showLL: family == FamilyAny || family == FamilyLink,
		inet6: e.opts.Family == FamilyInet6 && !f.link.hasDev && !e.opts.Stats && !e.opts.Details}
	pos := make(map[int32]int, len(views)) // link index → position in views
	for i := range views {
		pos[views[i].l.Index] = i
	}
	var arr *jsonArray
	if e.opts.JSON {
		arr = e.beginJSONArray()
	}
	// The record of the link being printed.
	var (
		cur      = -1 // its position; -1: none open
		total    int  // its addresses
		selected int  // of which printed
		p        *line
	)
	begin := func(i int) {
		cur, total, selected = i, 0, 0
		p = e.line()
	}
	// add prints an address of the current link, after the link itself
	// for the first one.
	add := func(a *rtnl.Address) {
		total++
		if !f.match(a, family, views[cur].l.Name) {
			return
		}
		if selected == 0 {
			if !noLink {
				e.printLink(ctx, p, &views[cur], how)
			}
			p.open("addr_info", '[')
		}
		selected++
		p.open("", '{')
		printAddress(p, a)
		p.close('}')
	}
	// end ends the current link's record: ip leaves out a link whose
	// addresses all fail the filters, and one without addresses when a
	// family is selected.
	end := func() error {
		i := cur
		cur = -1
		if selected == 0 {
			if noLink || family != FamilyLink && (total > 0 || family != FamilyAny) {
				return nil
			}
			if !noLink {
				e.printLink(ctx, p, &views[i], how)
			}
			if family != FamilyLink {
				p.open("addr_info", '[')
			}
		}
		if family != FamilyLink {
			p.close(']')
		}
		if !noLink && e.opts.Stats && views[i].l.HasStats {
			p.with("", func(k *printer) { e.printStats(ctx, k, &views[i].l) })
			p.text("\n")
		}
		return e.writeLine(arr, p)
	}
	// stray prints an address of a link already passed.
	stray := func(i int, a *rtnl.Address) error {
		saved := [3]int{cur, total, selected}
		held := append([]byte(nil), p.b...)
		heldMore := p.more
		begin(i)
		add(a)
		err := error(nil)
		if selected > 0 {
			err = end()
		}
		cur, total, selected = saved[0], saved[1], saved[2]
		p.b, p.more = append(p.b[:0], held...), heldMore
		return err
	}

	// The dumps: IPv4 (or the one family selected) pushed, IPv6 pulled,
	// each on a socket of its own: printing a link may ask the env's
	// Conn (a name, -s's carrier changes) while they are running.
	var first, second iter.Seq2[rtnl.Address, error]
	if family != FamilyLink && (!f.link.hasDev || len(views) > 0) {
		c, err := e.dialRoute()
		if err != nil {
			return err
		}
		defer c.Close()
		af := rtnl.AddressFilter{Family: family.rtnl()}
		if f.link.hasDev {
			af.Index = views[0].l.Index
		}
		if family == FamilyAny {
			af.Family = rtnl.FamilyIPv4
			c6, err := e.dialRoute()
			if err != nil {
				return err
			}
			defer c6.Close()
			af6 := af
			af6.Family = rtnl.FamilyIPv6
			second = c6.Addresses(ctx, af6)
		}
		first = c.Addresses(ctx, af)
	}
	var next6 func() (rtnl.Address, error, bool)
	if second != nil {
		var stop func()
		next6, stop = iter.Pull2(second)
		defer stop()
	}
	var a6 rtnl.Address
	var have6 bool
	pull6 := func() error {
		have6 = false
		for next6 != nil {
			a, err, ok := next6()
			if !ok {
				next6 = nil
				return nil
			}
			if err != nil {
				return &dumpError{err: err, what: "Dump"}
			}
			if _, known := pos[a.Index]; known {
				a6, have6 = a, true
				return nil
			}
		}
		return nil
	}
	if err := pull6(); err != nil {
		return err
	}
	// closeLink ends the open link's record, after its IPv6 addresses.
	closeLink := func() error {
		for have6 {
			j := pos[a6.Index]
			if j > cur {
				break
			}
			if j == cur {
				add(&a6)
			} else if err := stray(j, &a6); err != nil {
				return err
			}
			if err := pull6(); err != nil {
				return err
			}
		}
		return end()
	}
	// moveTo closes the open link and the links up to position i (each
	// with its IPv6 addresses only), and opens link i.
	last := -1 // the position of the last link opened
	moveTo := func(i int) error {
		for j := last; j < i; j++ {
			if j >= 0 {
				if j > last || cur < 0 {
					begin(j)
				}
				if err := closeLink(); err != nil {
					return err
				}
			}
		}
		if i < len(views) {
			begin(i)
		}
		last = i
		return nil
	}
	if first != nil {
		var a rtnl.Address // one variable: its address goes to the printers
		for x, err := range first {
			if err != nil {
				return &dumpError{err: err, what: "Dump"}
			}
			a = x
			i, known := pos[a.Index]
			switch {
			case !known:
				continue
			case i < last:
				if err := stray(i, &a); err != nil {
					return err
				}
				continue
			case i > last:
				if err := moveTo(i); err != nil {
					return err
				}
			}
			add(&a)
		}
	}
	if err := moveTo(len(views)); err != nil {
		return err
	}
	if arr != nil {
		return arr.end()
	}
	return nil
}

// dialRoute opens a route netlink socket of its own, as e.rt()'s (for a
// dump that runs while e.rt() is asked other things).
func (e *env) dialRoute() (*rtnl.Conn, error) {
	if e.dialRT != nil {
		return e.dialRT()
	}
	c, err := rtnl.Dial(e.netlinkConfig())
	if err != nil {
		return nil, fmt.Errorf("Cannot open netlink socket: %w", err)
	}
	return c, nil
}

// printAddress prints one address as ip's print_addrinfo, on a line: in
// JSON the members of its addr_info object.
func printAddress(p *line, a *rtnl.Address) {
	p.str("family", "    ", "", a.Family.String())
	fc := familyColor(a.Family == rtnl.FamilyIPv6)
	if p.json {
		p.addr("local", "", "", a.Prefix.Addr())
	} else {
		p.paintOn("", fc)
		p.b = p.appendHost(p.b, a.Prefix.Addr())
		p.paintEnd(fc)
	}
	if a.Peer.IsValid() {
		p.text(" peer ")
		if p.json {
			p.addr("address", "", "", a.Peer.Addr())
		} else {
			p.paintOn("", fc)
			p.b = p.appendHost(p.b, a.Peer.Addr())
			p.paintEnd(fc)
		}
	}
	p.uint("prefixlen", "/", uint64(a.Prefix.Bits()))
	if a.Metric != 0 {
		p.uint("metric", "metric ", uint64(a.Metric))
	}
	if a.Broadcast.IsValid() {
		p.addr("broadcast", "brd ", fc, a.Broadcast)
	}
	if p.numeric {
		p.str("scope", "scope ", "", strconv.Itoa(int(a.Scope)))
	} else {
		p.str("scope", "scope ", "", a.Scope.String())
	}
	flags := a.Flags
	for _, fw := range addrFlagWords {
		switch {
		case fw.flag == rtnl.AddressPermanent:
			if flags&fw.flag == 0 {
				p.boolean("dynamic")
			}
		case flags&fw.flag == 0:
		case fw.flag == rtnl.AddressSecondary && a.Family == rtnl.FamilyIPv6:
			p.boolean("temporary")
		default:
			p.boolean(fw.name)
		}
		flags &^= fw.flag
	}
	if flags != 0 {
		p.str("ifa_flags", "flags ", "", fmt.Sprintf("%02x", uint32(flags)))
	}
	if a.Label != "" {
		if p.json {
			p.str("label", "", "", a.Label)
		} else {
			p.b = append(p.b, a.Label...)
		}
	}
	lifetime := func(key string, l rtnl.Lifetime) {
		switch {
		case p.json:
			p.key(key)
			p.b = strconv.AppendUint(p.b, uint64(l.Seconds()), 10)
		case l.IsForever():
			p.b = append(p.b, "forever"...)
		default:
			p.b = append(strconv.AppendUint(p.b, uint64(l.Seconds()), 10), "sec"...)
		}
	}
	p.text("\n       valid_lft ")
	lifetime("valid_life_time", a.ValidLifetime)
	p.text(" preferred_lft ")
	lifetime("preferred_life_time", a.PreferredLifetime)
	p.text("\n")
}

// maxFlushRounds is ip's MAX_ROUNDS.
const maxFlushRounds = 10

// flushAddresses deletes the addresses f selects, in rounds as ip does
// (deleting a primary IPv4 address can promote a secondary one), and with
// -s says what it did.
func (e *env) flushAddresses(ctx context.Context, f addrFilter) error {
	c, err := e.rt()
	if err != nil {
		return err
	}
	family := showFamily(e.opts.Family, &f)
	if family == FamilyLink {
		return failf("Cannot flush link addresses.")
	}
	onlyPrimary := f.flagMask&rtnl.AddressSecondary != 0 && f.flags&rtnl.AddressSecondary == 0
	// -loops N: at most N rounds, 0 without limit (ip's
	// max_flush_loops, 10 by default), checked before each round's dump
	// as ip does (so -l 1 fails even when one round was enough).
	limit := maxFlushRounds
	if e.opts.HasLoops {
		limit = e.opts.Loops
	}
	for round := 0; ; {
		if limit > 0 && round >= limit {
			return usagef("*** Flush remains incomplete after %d rounds. ***", limit)
		}
		links, err := e.selectAddresses(ctx, &f, family)
		if err != nil {
			return err
		}
		var doomed []rtnl.Address
		for _, al := range links {
			doomed = append(doomed, al.addrs...)
		}
		if len(doomed) == 0 || round > 0 && onlyPrimary {
			if e.opts.Stats {
				if round == 0 {
					fmt.Fprintln(e.stdout, "Nothing to flush.")
				} else {
					fmt.Fprintf(e.stdout, "*** Flush is complete after %d round%s ***\n", round, laPlural(round))
				}
			}
			return nil
		}
		if e.opts.StatsLevel > 1 {
			// -s -s: each address as it goes, as ip prints them.
			for _, al := range links {
				for i := range al.addrs {
					p := e.line()
					p.b = fmt.Appendf(p.b, "%d: %s", al.view.l.Index, al.view.l.Name)
					printAddress(p, &al.addrs[i])
					e.stdout.Write(p.b)
				}
			}
		}
		round++
		if err := c.DeleteAddresses(ctx, doomed); err != nil && !laOnlyGone(err) {
			return err
		}
		if e.opts.Stats {
			fmt.Fprintf(e.stdout, "\n*** Round %d, deleting %d addresses ***\n", round, len(doomed))
		}
	}
}

func laPlural(n int) string {
	if n > 1 {
		return "s"
	}
	return ""
}

// laOnlyGone reports whether every failure of a batch delete is an address
// that was gone already (a secondary deleted with its primary).
func laOnlyGone(err error) bool {
	var be *netlink.BatchError
	if !errors.As(err, &be) {
		return false
	}
	for _, f := range be.Failures {
		if !errors.Is(f.Err, syscall.EADDRNOTAVAIL) {
			return false
		}
	}
	return true
}
