package cli

import (
	"os"
	"strconv"
	"strings"

	"github.com/nlkit/nlkit/rtnl"
)

// Route realms (RTA_FLOW) as ip reads and writes them: numbers, or the
// names of /etc/iproute2/rt_realms (rtnl_rtrealm_a2n, rtnl_rtrealm_n2a).

// realmsFile is where ip 6.1 reads realm names.
const realmsFile = "/etc/iproute2/rt_realms"

// realmTable holds the realm names of realmsFile: 0 to 255, "unknown"
// for 0 when the file does not name it (ip's default table).
type realmTable [256]string

// readRealms reads realmsFile as ip's rtnl_tab_initialize: "ID NAME"
// lines, the ID decimal or 0x hexadecimal, '#' comments.
func readRealms() *realmTable {
	t := new(realmTable)
	t[0] = "unknown"
	b, err := os.ReadFile(realmsFile)
	if err != nil {
		return t
	}
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimLeft(line, " \t")
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 2 || strings.HasPrefix(f[1], "#") {
			continue
		}
		n, err := strconv.ParseUint(f[0], 0, 32)
		if err != nil || n > 255 {
			continue
		}
		t[n] = f[1]
	}
	return t
}

// realmName is ip's rtnl_rtrealm_n2a: the name of a realm, its number
// with -N or when the table has none.
func (e *env) realmName(id uint16) string {
	if id < 256 && !e.opts.Numeric {
		if e.realms == nil {
			e.realms = readRealms()
		}
		if n := e.realms[id]; n != "" {
			return n
		}
	}
	return strconv.FormatUint(uint64(id), 10)
}

// parseRealm is ip's rtnl_rtrealm_a2n: a name of realmsFile, or a
// number (strtoul base 0) of at most 255.
func parseRealm(s string) (uint16, bool) {
	for id, n := range readRealms() {
		if n != "" && n == s {
			return uint16(id), true
		}
	}
	n, ok := getUint(s, 0, 32)
	return uint16(n), ok && n <= 255
}

// parseRealms is ip's get_rt_realms_or_raw: a raw RTA_FLOW number
// (get_unsigned), or "[FROM/]TO" of realms (a name or a number up to 255
// each; TO may be empty).
func parseRealms(s string) (uint32, bool) {
	if n, ok := getUint(s, 0, 32); ok {
		return uint32(n), true
	}
	var realms uint32
	if from, to, ok := strings.Cut(s, "/"); ok {
		f, ok := parseRealm(from)
		if !ok {
			return 0, false
		}
		realms, s = uint32(f)<<16, to
	}
	if s != "" {
		t, ok := parseRealm(s)
		if !ok {
			return 0, false
		}
		realms |= uint32(t)
	}
	return realms, true
}

// realmsOut prints RTA_FLOW as ip's print_rta_flow: "realm TO" or
// "realms FROM/TO" in text, a "flow" object of "from" and "to" in JSON.
func realmsOut(e *env, o *line, realms uint32) {
	from, to := rtnl.RealmsSplit(realms)
	tn := e.realmName(to)
	if o.json {
		o.open("flow", '{')
		if from != 0 {
			o.str("from", "", "", e.realmName(from))
		}
		o.str("to", "", "", tn)
		o.close('}')
		return
	}
	if from != 0 {
		o.b = append(append(append(o.b, "realms "...), e.realmName(from)...), '/')
	} else {
		o.b = append(o.b, "realm "...)
	}
	o.b = append(append(o.b, tn...), ' ')
}
