package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"path"
	"strings"
	"syscall"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/rtnl"
)

const addressHelp = `Usage: nl address {add|change|replace} IFADDR dev IFNAME [ LIFETIME ]
                                                      [ CONFFLAG-LIST ]
       nl address del IFADDR dev IFNAME
       nl address flush [ dev IFNAME ] [ scope SCOPE-ID ] [ to PREFIX ]
                        [ FLAG-LIST ] [ label LABEL ] [ up ]
       nl address [ show [ dev IFNAME ] [ scope SCOPE-ID ] [ master DEVICE | nomaster ]
                         [ type TYPE ] [ to PREFIX ] [ FLAG-LIST ]
                         [ label LABEL ] [ up ] ]
IFADDR := PREFIX | ADDR peer PREFIX
          [ broadcast ADDR | + | - ] [ label IFNAME ] [ scope SCOPE-ID ]
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

// laParseScope is ip's rtnl_rtscope_a2n: a name or a number up to 255.
func laParseScope(s string) (rtnl.Scope, bool) {
	var sc rtnl.Scope
	return sc, sc.UnmarshalText([]byte(s)) == nil
}

// laFamilyWords are ip's family_name_verbose, for error messages.
func laFamilyWords(family int) string {
	switch family {
	case 4:
		return "inet"
	case 6:
		return "inet6"
	}
	return "any valid"
}

// laParsePrefix parses ADDR[/PLEN] as ip's get_prefix for family (0, 4
// or 6): plen reports whether /PLEN was given. "default", "any" and "all"
// give the zero Prefix (everything).
func laParsePrefix(s string, family int) (p netip.Prefix, plen bool, err error) {
	bad := usagef(`Error: %s prefix is expected rather than "%s".`, laFamilyWords(family), s)
	if s == "default" || s == "any" || s == "all" {
		return netip.Prefix{}, true, nil
	}
	if strings.Contains(s, "/") {
		p, err = netip.ParsePrefix(s)
		plen = true
	} else {
		var a netip.Addr
		if a, err = netip.ParseAddr(s); err == nil {
			p = netip.PrefixFrom(a, a.BitLen())
		}
	}
	if err != nil || p.Addr().Zone() != "" || family == 4 && !p.Addr().Is4() || family == 6 && !p.Addr().Is6() {
		return netip.Prefix{}, false, bad
	}
	return p, plen, nil
}

// laFamilyOf is the address family (0, 4 or 6) of a.
func laFamilyOf(a netip.Addr) int {
	if a.Is4() {
		return 4
	}
	return 6
}

// parseAddress turns the words after "address" into a request; family
// is the -4/-6 option (0 for none), which decides how addresses parse.
func parseAddress(args []string, family int) (addressRequest, error) {
	if family != 4 && family != 6 {
		family = 0
	}
	if len(args) == 0 {
		return addressRequest{cmd: "show"}, nil
	}
	w, rest := args[0], args[1:]
	var r addressRequest
	var err error
	switch {
	case matches(w, "add"):
		r, err = parseAddressModify("add", rest, family)
	case matches(w, "change") || w == "chg":
		r, err = parseAddressModify("change", rest, family)
	case matches(w, "replace"):
		r, err = parseAddressModify("replace", rest, family)
	case matches(w, "delete"):
		r, err = parseAddressModify("delete", rest, family)
	case matches(w, "list") || matches(w, "show") || matches(w, "lst"):
		r.cmd = "show"
		r.filter, err = parseAddrFilter(rest, family)
	case matches(w, "flush"):
		if len(rest) == 0 {
			return r, usagef("Flush requires arguments.")
		}
		r.cmd = "flush"
		r.filter, err = parseAddrFilter(rest, family)
	case matches(w, "help"):
		r.cmd = "help"
	default:
		return r, usagef(`Command "%s" is unknown, try "nl address help".`, w)
	}
	if err != nil {
		return addressRequest{}, err
	}
	if r.filter.link.dev == "help" {
		return addressRequest{cmd: "help"}, nil
	}
	return r, nil
}

// parseAddrFilter parses the filters of address show and flush (ip's
// ipaddr_list_flush_or_save).
func parseAddrFilter(args []string, family int) (addrFilter, error) {
	var f addrFilter
	words := laWords(args)
	for len(words) > 0 {
		w, _ := words.next()
		var err error
		switch {
		case w == "to":
			var v string
			if v, err = words.next(); err != nil {
				return f, err
			}
			if f.to, _, err = laParsePrefix(v, family); err != nil {
				return f, err
			}
			if family == 0 && f.to.IsValid() {
				family = laFamilyOf(f.to.Addr())
			}
		case w == "scope":
			var v string
			if v, err = words.next(); err != nil {
				return f, err
			}
			sc, ok := laParseScope(v)
			switch {
			case ok:
				f.scope, f.scopeSet = sc, true
			case v == "all":
				f.scope, f.scopeSet = 0, false
			default:
				return f, usageInvarg(`invalid "scope"`, v)
			}
		case w == "up":
			f.link.up = true
		case parseAddrFlagFilter(w, &f):
		case w == "label":
			f.label, err = words.next()
		case w == "master":
			f.link.master, err = laMaster(&words)
		case w == "nomaster":
			f.link.nomaster = true
		case w == "type":
			f.link.kind, err = words.next()
		default:
			if w == "dev" {
				if w, err = words.next(); err != nil {
					return f, err
				}
			}
			if f.link.hasDev {
				return f, usageDuparg2("dev", w)
			}
			f.link.dev, f.link.hasDev = w, true
		}
		if err != nil {
			return f, err
		}
	}
	return f, nil
}

// parseAddressModify parses the words of add, change, replace and delete
// (ip's ipaddr_modify).
func parseAddressModify(cmd string, args []string, family int) (addressRequest, error) {
	r := addressRequest{cmd: cmd}
	a := &r.addr
	var local, peer netip.Prefix
	var localPlen, scoped, haveMetric bool
	var brd string // "+", "-", or an explicit address already in a.Broadcast
	var validArg, preferredArg string
	valid, preferred := uint32(0xFFFFFFFF), uint32(0xFFFFFFFF)
	words := laWords(args)
	for len(words) > 0 {
		w, _ := words.next()
		var v string
		var err error
		flag := rtnl.AddressFlags(0)
		switch w {
		case "home":
			flag = rtnl.AddressHome
		case "nodad":
			flag = rtnl.AddressNoDAD
		case "mngtmpaddr":
			flag = rtnl.AddressManageTempAddr
		case "noprefixroute":
			flag = rtnl.AddressNoPrefixRoute
		case "autojoin":
			flag = rtnl.AddressAutoJoin
		}
		if flag != 0 {
			a.Flags |= flag
			continue
		}
		isLocal := !(w == "peer" || w == "remote" || matches(w, "broadcast") || w == "brd" || w == "scope" ||
			w == "dev" || w == "label" || matches(w, "metric") || matches(w, "priority") ||
			matches(w, "preference") || matches(w, "valid_lft") || matches(w, "preferred_lft"))
		if !isLocal || w == "local" {
			if v, err = words.next(); err != nil {
				return r, err
			}
		} else {
			v = w
		}
		switch {
		case w == "peer" || w == "remote":
			if peer.IsValid() {
				return r, usageDuparg("peer", v)
			}
			if peer, _, err = laParsePrefix(v, family); err != nil {
				return r, err
			}
			if !peer.IsValid() {
				return r, usagef(`Error: %s prefix is expected rather than "%s".`, laFamilyWords(family), v)
			}
			family = laFamilyOf(peer.Addr())
		case matches(w, "broadcast") || w == "brd":
			if brd != "" {
				return r, usageDuparg("broadcast", v)
			}
			brd = v
			if v != "+" && v != "-" {
				b, err := netip.ParseAddr(v)
				if err != nil || b.Zone() != "" || family != 0 && laFamilyOf(b) != family {
					return r, usagef(`Error: %s address is expected rather than "%s".`, laFamilyWords(family), v)
				}
				a.Broadcast, family = b, laFamilyOf(b)
			}
		case w == "scope":
			sc, ok := laParseScope(v)
			if !ok {
				return r, usageInvarg("invalid scope value.", v)
			}
			a.Scope, scoped = sc, true
		case w == "dev": // no duplicate check: as in ip, the last one counts
			r.dev, r.hasDev = v, true
		case w == "label":
			if a.Label != "" {
				return r, usageDuparg("label", v)
			}
			a.Label = v
		case matches(w, "metric") || matches(w, "priority") || matches(w, "preference"):
			if haveMetric {
				return r, usageDuparg("metric", v)
			}
			n, ok := laNumber(v, 32)
			if !ok {
				return r, usageInvarg(`"metric" value is invalid`, v)
			}
			a.Metric, haveMetric = uint32(n), true
		case matches(w, "valid_lft") || matches(w, "preferred_lft"):
			key, arg, lft := "valid_lft", &validArg, &valid
			if matches(w, "preferred_lft") {
				key, arg, lft = "preferred_lft", &preferredArg, &preferred
			}
			if *arg != "" {
				return r, usageDuparg(key, v)
			}
			*arg = v
			if v != "forever" {
				n, ok := laNumber(v, 32)
				if !ok {
					return r, usageInvarg(key+" value", v)
				}
				*lft = uint32(n)
			}
		default: // [local] PREFIX
			if local.IsValid() {
				return r, usageDuparg2("local", v)
			}
			if local, localPlen, err = laParsePrefix(v, family); err != nil {
				return r, err
			}
			if !local.IsValid() {
				return r, usagef(`Error: %s prefix is expected rather than "%s".`, laFamilyWords(family), v)
			}
			family = laFamilyOf(local.Addr())
		}
	}
	if !r.hasDev {
		return r, usagef(`Not enough information: "dev" argument is required.`)
	}
	if !local.IsValid() {
		return r, usagef(`Not enough information: "local" argument is required.`)
	}
	if peer.IsValid() && laFamilyOf(peer.Addr()) != laFamilyOf(local.Addr()) {
		return r, usagef(`Error: %s prefix is expected rather than "%s".`, laFamilyWords(laFamilyOf(local.Addr())), peer.String())
	}
	bits := local.Bits()
	if peer.IsValid() {
		bits = peer.Bits()
		a.Peer = netip.PrefixFrom(peer.Addr(), bits)
	}
	a.Prefix = netip.PrefixFrom(local.Addr(), bits)
	if cmd == "delete" && !peer.IsValid() && local.Addr().Is4() && !localPlen {
		r.wildcard = true
	}
	if (brd == "+" || brd == "-") && cmd != "delete" {
		if !local.Addr().Is4() {
			return r, usagef("Broadcast can be set only for IPv4 addresses")
		}
		base := a.Prefix.Addr()
		if a.Peer.IsValid() {
			base = a.Peer.Addr()
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
			a.Broadcast = netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)})
		}
	}
	if !scoped && cmd != "delete" && local.Addr().Is4() && local.Addr().As4()[0] == 127 {
		a.Scope = rtnl.ScopeHost
	}
	if validArg != "" || preferredArg != "" {
		if valid == 0 {
			return r, usagef("valid_lft is zero")
		}
		if valid < preferred {
			return r, usagef("preferred_lft is greater than valid_lft")
		}
		a.ValidLifetime = rtnl.LifetimeSeconds(valid)
		a.PreferredLifetime = rtnl.LifetimeSeconds(preferred)
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
		_, err := io.WriteString(e.stdout, addressHelp)
		return err
	case "show":
		return e.showAddresses(ctx, r.filter)
	case "flush":
		return e.flushAddresses(ctx, r.filter)
	}
	c, err := e.rt()
	if err != nil {
		return err
	}
	a := r.addr
	if a.Index, err = e.linkIndex(ctx, r.dev); err != nil {
		return err
	}
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

// laRtnlFamily maps the -4/-6 option to an address family.
func laRtnlFamily(family int) rtnl.Family {
	switch family {
	case 4:
		return rtnl.FamilyIPv4
	case 6:
		return rtnl.FamilyIPv6
	}
	return rtnl.FamilyUnspec
}

// match reports whether a passes the address filters (ip's
// print_addrinfo and ipaddr_filter tests); linkName names its link, for
// addresses without a label.
func (f *addrFilter) match(a *rtnl.Address, family int, linkName string) bool {
	if family != 0 && a.Family != laRtnlFamily(family) {
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
func (e *env) selectAddresses(ctx context.Context, f *addrFilter, family int) ([]addrLink, error) {
	views, err := e.selectLinks(ctx, f.link)
	if err != nil {
		return nil, err
	}
	byLink := map[int32][]rtnl.Address{}
	if family != familyLink {
		c, err := e.rt()
		if err != nil {
			return nil, err
		}
		af := rtnl.AddressFilter{Family: laRtnlFamily(family)}
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
			byLink[a.Index] = append(byLink[a.Index], a)
		}
	}
	var out []addrLink
	for _, v := range views {
		all := byLink[v.l.Index]
		var sel []rtnl.Address
		for i := range all {
			if f.match(&all[i], family, v.l.Name) {
				sel = append(sel, all[i])
			}
		}
		if family != familyLink && len(sel) == 0 && (len(all) > 0 || family != 0) {
			continue
		}
		out = append(out, addrLink{view: v, addrs: sel})
	}
	return out, nil
}

// showFamily is the address family address show uses: the -4/-6/-0
// option, else that of "to PREFIX".
func showFamily(opt int, f *addrFilter) int {
	if opt == 0 && f.to.IsValid() {
		return laFamilyOf(f.to.Addr())
	}
	return opt
}

func (e *env) showAddresses(ctx context.Context, f addrFilter) error {
	family := showFamily(e.opts.Family, &f)
	links, err := e.selectAddresses(ctx, &f, family)
	if err != nil {
		return err
	}
	// With a label, ip prints the matching addresses without their link.
	noLink := f.label != ""
	if noLink {
		kept := links[:0]
		for _, al := range links {
			if len(al.addrs) > 0 {
				kept = append(kept, al)
			}
		}
		links = kept
	}
	var b strings.Builder
	objs := []*jsonObject{}
	for i := range links {
		al := &links[i]
		p := newPrinter(e.opts.JSON, &b)
		if !noLink {
			e.printLink(ctx, p, &al.view, linkPrint{showLL: family == 0 || family == familyLink, inet6: family == 6 && !f.link.hasDev && !e.opts.Stats && !e.opts.Details})
		}
		if family != familyLink {
			infos := []*jsonObject{}
			for j := range al.addrs {
				ap := newPrinter(e.opts.JSON, &b)
				printAddress(ap, &al.addrs[j])
				if ap.json {
					infos = append(infos, ap.obj)
				}
			}
			p.jsonOnly("addr_info", infos)
		}
		if !noLink && e.opts.Stats && al.view.l.HasStats {
			printLinkStats(p, &al.view.l.Stats)
			p.text("\n")
		}
		if p.json {
			objs = append(objs, p.obj)
		}
	}
	if e.opts.JSON {
		return writeJSON(e, objs)
	}
	_, err = io.WriteString(e.stdout, b.String())
	return err
}

// printAddress prints one address as ip's print_addrinfo.
func printAddress(p *printer, a *rtnl.Address) {
	p.field("family", "    %s ", a.Family.String())
	p.field("local", "%s", a.Prefix.Addr().String())
	if a.Peer.IsValid() {
		p.text(" peer ")
		p.field("address", "%s", a.Peer.Addr().String())
	}
	p.field("prefixlen", "/%d ", a.Prefix.Bits())
	if a.Metric != 0 {
		p.field("metric", "metric %d ", a.Metric)
	}
	if a.Broadcast.IsValid() {
		p.text("brd ")
		p.field("broadcast", "%s ", a.Broadcast.String())
	}
	p.field("scope", "scope %s ", a.Scope.String())
	flags := a.Flags
	for _, fw := range addrFlagWords {
		switch {
		case fw.flag == rtnl.AddressPermanent:
			if flags&fw.flag == 0 {
				p.field("dynamic", "dynamic ", true)
			}
		case flags&fw.flag == 0:
		case fw.flag == rtnl.AddressSecondary && a.Family == rtnl.FamilyIPv6:
			p.field("temporary", "temporary ", true)
		default:
			p.field(fw.name, fw.name+" ", true)
		}
		flags &^= fw.flag
	}
	if flags != 0 {
		p.field("ifa_flags", "flags %s ", fmt.Sprintf("%02x", uint32(flags)))
	}
	if a.Label != "" {
		p.field("label", "%s", a.Label)
	}
	lifetime := func(key string, l rtnl.Lifetime) {
		if l.IsForever() {
			p.jsonOnly(key, l.Seconds())
			p.text("forever")
		} else {
			p.field(key, "%dsec", l.Seconds())
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
	if family == familyLink {
		family = 0
	}
	onlyPrimary := f.flagMask&rtnl.AddressSecondary != 0 && f.flags&rtnl.AddressSecondary == 0
	for round := 0; ; {
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
		if round == maxFlushRounds {
			return fmt.Errorf("*** Flush remains incomplete after %d rounds. ***", round)
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
