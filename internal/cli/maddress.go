package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"net"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"
)

const maddressHelp = maddrUsage + "\n"

// maddr is one multicast address of a link, as ip's struct ma_info.
type maddr struct {
	index  int
	name   string
	users  int
	static bool
	link   net.HardwareAddr // a link-layer group (/proc/net/dev_mcast)
	ip     netip.Addr       // an IPv4 or IPv6 group (igmp, igmp6)
	family Family
}

var maddressCommands = []command{{name: "add"}, {name: "delete"}, {name: "show", abbrev: []string{"show", "list", "lst"}}}

// parseMaddress reads maddress's words: show [dev NAME] (ip's
// multiaddr_list); add and del go to maddressModify (maddrmodify.go).
func parseMaddress(args []string) (dev string, err error) {
	a := wordsOf(args)
	cmd := "show"
	if a.more() {
		if cmd, err = pickCommand("maddr", a.next(), maddressCommands); err != nil {
			return "", err
		}
	}
	_ = cmd // show: runMaddress gave add and delete to maddressModify
	for a.more() {
		w := a.next()
		if w == "dev" {
			if w, err = a.value(); err != nil {
				return "", err
			}
		}
		if dev != "" {
			return "", errDuparg2("dev", w)
		}
		dev = w
	}
	return dev, nil
}

func runMaddress(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 {
		if cmd, ok := lookupCommand(args[0], maddressCommands); ok && cmd != "show" {
			return e.maddressModify(ctx, cmd == "add", args[1:]) // maddrmodify.go
		}
	}
	dev, err := parseMaddress(args)
	if err != nil {
		return err
	}
	var files [3][]byte
	read := func() error {
		// /proc/thread-self/net is the namespace of this thread (the
		// one ns.Do moved).
		for i, f := range []string{"dev_mcast", "igmp", "igmp6"} {
			files[i], _ = os.ReadFile("/proc/thread-self/net/" + f)
		}
		return nil
	}
	if e.ns != nil {
		err = e.ns.Do(read)
	} else {
		err = read()
	}
	if err != nil {
		return err
	}
	fam := e.opts.Family
	var list []maddr
	if fam == FamilyAny || fam == FamilyLink {
		list = append(list, readDevMcast(files[0])...)
	}
	if fam == FamilyAny || fam == FamilyInet {
		list = append(list, readIGMP(files[1])...)
	}
	if fam == FamilyAny || fam == FamilyInet6 {
		list = append(list, readIGMP6(files[2])...)
	}
	if dev != "" {
		list = slices.DeleteFunc(list, func(m maddr) bool { return m.name != dev })
	}
	slices.SortStableFunc(list, func(a, b maddr) int { return a.index - b.index })
	return e.printMaddrs(list)
}

// printMaddrs prints the groups link by link, as ip's print_mlist.
func (e *env) printMaddrs(list []maddr) error {
	var recs []*printer
	for i := 0; i < len(list); {
		j := i
		for j < len(list) && list[j].index == list[i].index {
			j++
		}
		p := e.record()
		p.field("ifindex", "%d:", list[i].index)
		p.jsonOnly("ifname", list[i].name)
		p.text("%s\n", p.paint(colorIfname, "\t"+list[i].name))
		group := list[i:j]
		p.list("maddr", len(group), func(k int, c *printer) {
			m := &group[k]
			c.text("\t")
			if m.link != nil {
				c.add("link", m.link.String(), "link  "+c.paint(colorMAC, m.link.String()))
			} else {
				c.field("family", "%-5s ", m.family.String())
				c.add("address", m.ip.String(), c.paint(familyColor(m.ip.Is6()), m.ip.String()))
			}
			if m.users != 1 {
				c.field("users", " users %d", m.users)
			}
			if m.static {
				c.field("features", " %s", "static")
			}
			c.text("\n")
		})
		recs = append(recs, p)
		i = j
	}
	return writeRecords(e, recs)
}

// lines gives the lines of a /proc file.
func lines(b []byte) []string {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	return out
}

// readDevMcast reads /proc/net/dev_mcast: INDEX NAME USERS STATIC HEX.
func readDevMcast(b []byte) []maddr {
	var out []maddr
	for _, l := range lines(b) {
		f := strings.Fields(l)
		if len(f) < 5 {
			continue
		}
		idx, err1 := strconv.Atoi(f[0])
		users, err2 := strconv.Atoi(f[2])
		hw, err3 := hex.DecodeString(f[4])
		if err1 != nil || err2 != nil || err3 != nil {
			continue
		}
		out = append(out, maddr{index: idx, name: f[1], users: users, static: f[3] != "0", link: hw, family: FamilyLink})
	}
	return out
}

// readIGMP reads /proc/net/igmp: a line per device ("INDEX NAME : ..."),
// then a tab-led line per group, its address in hexadecimal in the host's
// order of the network-order bytes.
func readIGMP(b []byte) []maddr {
	var out []maddr
	idx, name := 0, ""
	for _, l := range lines(b) {
		f := strings.Fields(l)
		if len(f) < 2 {
			continue
		}
		if !strings.HasPrefix(l, "\t") {
			if n, err := strconv.Atoi(f[0]); err == nil {
				idx, name = n, f[1]
			}
			continue
		}
		v, err1 := strconv.ParseUint(f[0], 16, 32)
		users, err2 := strconv.Atoi(f[1])
		if err1 != nil || err2 != nil {
			continue
		}
		var a [4]byte
		binary.NativeEndian.PutUint32(a[:], uint32(v))
		out = append(out, maddr{index: idx, name: name, users: users, ip: netip.AddrFrom4(a), family: FamilyInet})
	}
	return out
}

// readIGMP6 reads /proc/net/igmp6: INDEX NAME HEX USERS ...
func readIGMP6(b []byte) []maddr {
	var out []maddr
	for _, l := range lines(b) {
		f := strings.Fields(l)
		if len(f) < 4 {
			continue
		}
		idx, err1 := strconv.Atoi(f[0])
		raw, err2 := hex.DecodeString(f[2])
		users, err3 := strconv.Atoi(f[3])
		if err1 != nil || err2 != nil || err3 != nil || len(raw) != 16 {
			continue
		}
		out = append(out, maddr{index: idx, name: f[1], users: users, ip: netip.AddrFrom16([16]byte(raw)), family: FamilyInet6})
	}
	return out
}
