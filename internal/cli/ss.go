package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/netns"
	"github.com/nlkit/nlkit/sockdiag"
)

const ssHelp = `Usage: nl ss [ OPTIONS ]
       nl ss [ OPTIONS ] [ FILTER ]
   -n, --numeric       don't resolve service names
   -a, --all           display all sockets
   -l, --listening     display listening sockets
   -o, --options       show timer information
   -e, --extended      show detailed socket information
   -m, --memory        show socket memory usage
   -p, --processes     show process using socket
   -i, --info          show internal TCP information
   -s, --summary       show socket usage summary
       --tos           show tos and priority information
       --cgroup        show cgroup information
       --inet-sockopt  show various inet socket options
   -b, --bpf           show bpf filter socket information
   -K, --kill          forcibly close sockets, display what was closed
   -E, --events        continually display sockets as they are destroyed
   -H, --no-header     Suppress header line
   -N, --net           switch to the specified network namespace name
   -4, --ipv4          display only IP version 4 sockets
   -6, --ipv6          display only IP version 6 sockets
   -0, --packet        display PACKET sockets
   -t, --tcp           display only TCP sockets
   -M, --mptcp         display only MPTCP sockets
   -u, --udp           display only UDP sockets
   -w, --raw           display only RAW sockets
   -x, --unix          display only Unix domain sockets
   -f, --family=FAMILY display sockets of type FAMILY
       FAMILY := {inet|inet6|link|unix|netlink}
   -F, --filter=FILE   read filter information from FILE
   -A, --query=QUERY, --socket=QUERY
       QUERY := {all|inet|tcp|mptcp|udp|raw|unix|unix_dgram|unix_stream|unix_seqpacket|packet|packet_raw|packet_dgram|netlink}[,QUERY]
   -j, --json          one JSON object per socket
       FILTER := [ state STATE-FILTER ] [ EXPRESSION ]
       STATE-FILTER := {all|connected|synchronized|bucket|big|TCP-STATES}
         TCP-STATES := {established|syn-sent|syn-recv|fin-wait-{1,2}|time-wait|closed|close-wait|last-ack|listening|closing}
       EXPRESSION: sport, dport CMP :PORT; src, dst HOST[/LEN][:PORT]; dev = NAME; fwmark = MARK[/MASK];
                   cgroup = PATH; autobound; and, or, not, ( ).
The inet filter is compiled to the kernel's bytecode: the kernel filters.
`

// The socket tables ss reads (its dbs), in the order it shows them.
const (
	ssNetlink = 1 << iota
	ssPacketRaw
	ssPacketDgram
	ssUnixStream
	ssUnixDgram
	ssUnixSeq
	ssRaw
	ssUDP
	ssTCP
	ssMPTCP

	ssUnix   = ssUnixStream | ssUnixDgram | ssUnixSeq
	ssPacket = ssPacketRaw | ssPacketDgram
	ssInet   = ssRaw | ssUDP | ssTCP | ssMPTCP
	ssAll    = ssNetlink | ssPacket | ssUnix | ssInet
)

// ssQueries are the words of -A, as ss names its tables.
var ssQueries = map[string]int{
	"all": ssAll, "inet": ssInet, "tcp": ssTCP, "mptcp": ssMPTCP, "udp": ssUDP, "raw": ssRaw,
	"unix": ssUnix, "unix_dgram": ssUnixDgram, "unix_stream": ssUnixStream, "unix_seqpacket": ssUnixSeq,
	"packet": ssPacket, "packet_raw": ssPacketRaw, "packet_dgram": ssPacketDgram, "netlink": ssNetlink,
}

// ssConn is ss's default state filter: connected sockets, but those of
// the accept queue and time-wait (SS_CONN).
const ssConn = sockdiag.AllStates &^ (1<<sockdiag.StateListen | 1<<sockdiag.StateClose | 1<<sockdiag.StateTimeWait | 1<<sockdiag.StateSynRecv | 1<<sockdiag.StateNewSynRecv)

// ssRequest is a parsed ss command line.
type ssRequest struct {
	dbs        int
	v4, v6     bool // -4, -6 (neither: both)
	states     sockdiag.States
	filter     []string // the expression's words
	numeric    bool
	extended   bool
	memory     bool
	info       bool
	options    bool
	processes  bool
	summary    bool
	oneline    bool
	events     bool
	tos        bool   // --tos
	cgroup     bool   // --cgroup
	sockopt    bool   // --inet-sockopt
	bpf        bool   // -b
	filterFile string // -F FILE: the expression, read from FILE
	kill       bool
	noHeader   bool
	json       bool
	netns      string
}

// ssUsage is a command line ss refuses with its usage (exit 255).
func ssUsage(format string, args ...any) error {
	return &UsageError{Msg: fmt.Sprintf(format, args...) + "\n" + strings.TrimSuffix(ssHelp, "\n")}
}

// parseSS reads ss's options (short ones bundled, long ones, their
// arguments joined or not) and filter.
func parseSS(args []string) (ssRequest, error) {
	r := ssRequest{states: ssConn}
	dbs := 0
	families := 0 // -f / -4 / -6 / -0 given: bit per family
	const famInet, famInet6, famUnix, famLink, famNetlink = 1, 2, 4, 8, 16
	var rest []string
	setFamily := func(f string) error {
		switch f {
		case "inet":
			families |= famInet
		case "inet6":
			families |= famInet6
		case "unix", "local":
			families |= famUnix
		case "link", "packet":
			families |= famLink
		case "netlink":
			families |= famNetlink
		default:
			return ssUsage("ss: \"%s\" is invalid family", f)
		}
		return nil
	}
	query := func(q string) error {
		for w := range strings.SplitSeq(q, ",") {
			d, ok := ssQueries[w]
			if !ok {
				return ssUsage("ss: wrong query: %s", w)
			}
			dbs |= d
		}
		return nil
	}
	long := map[string]byte{
		"numeric": 'n', "all": 'a', "listening": 'l', "options": 'o', "extended": 'e', "memory": 'm', "processes": 'p',
		"info": 'i', "summary": 's', "kill": 'K', "no-header": 'H', "ipv4": '4', "ipv6": '6', "packet": '0', "tcp": 't',
		"mptcp": 'M', "udp": 'u', "raw": 'w', "unix": 'x', "json": 'j', "family": 'f', "query": 'A', "socket": 'A', "net": 'N',
		"resolve": 'r', "oneline": 'O', "events": 'E', "tos": 1, "cgroup": 2, "inet-sockopt": 3, "bpf": 'b', "filter": 'F',
	}
	for i := 0; i < len(args); i++ {
		w := args[i]
		if w == "--" {
			rest = append(rest, args[i+1:]...)
			break
		}
		if !strings.HasPrefix(w, "-") || w == "-" {
			rest = append(rest, w)
			continue
		}
		var opts []byte
		var val string
		hasVal := false
		if strings.HasPrefix(w, "--") {
			name, v, ok := strings.Cut(w[2:], "=")
			c, known := long[name]
			if !known {
				return r, ssUsage("ss: unrecognized option '%s'", w)
			}
			opts, val, hasVal = []byte{c}, v, ok
		} else {
			opts = []byte(w[1:])
		}
		for j := 0; j < len(opts); j++ {
			c := opts[j]
			arg := func() (string, error) {
				if hasVal {
					return val, nil
				}
				if j+1 < len(opts) { // -Atcp
					v := string(opts[j+1:])
					j = len(opts)
					return v, nil
				}
				if i+1 < len(args) {
					i++
					return args[i], nil
				}
				return "", ssUsage("ss: option requires an argument -- '%c'", c)
			}
			var err error
			switch c {
			case 'n':
				r.numeric = true
			case 'r':
				r.numeric = false
			case 'a':
				r.states = sockdiag.AllStates
			case 'l':
				r.states = 1<<sockdiag.StateListen | 1<<sockdiag.StateClose
			case 'o':
				r.options = true
			case 'e':
				r.extended = true
			case 'm':
				r.memory = true
			case 'p':
				r.processes = true
			case 'i':
				r.info = true
			case 's':
				r.summary = true
			case 'K':
				r.kill = true
			case 'E':
				r.events = true
			case 1: // --tos
				r.tos = true
			case 2: // --cgroup
				r.cgroup = true
			case 3: // --inet-sockopt
				r.sockopt = true
			case 'b':
				r.bpf = true
			case 'F':
				r.filterFile, err = arg()
			case 'H':
				r.noHeader = true
			case 'O':
				r.oneline = true
			case 'j':
				r.json = true
			case '4':
				families |= famInet
			case '6':
				families |= famInet6
			case '0':
				families |= famLink
			case 't':
				dbs |= ssTCP
			case 'M':
				dbs |= ssMPTCP
			case 'u':
				dbs |= ssUDP
			case 'w':
				dbs |= ssRaw
			case 'x':
				dbs |= ssUnix
			case 'f':
				var f string
				if f, err = arg(); err == nil {
					err = setFamily(f)
				}
			case 'A':
				var q string
				if q, err = arg(); err == nil {
					err = query(q)
				}
			case 'N':
				r.netns, err = arg()
			case 'h':
				return r, &UsageError{Msg: strings.TrimSuffix(ssHelp, "\n"), Exit: ExitOK}
			default:
				return r, ssUsage("ss: invalid option -- '%c'", c)
			}
			if err != nil {
				return r, err
			}
		}
	}
	// Tables, as ss picks them: those asked for (-t -u -w -M -x -0 -A),
	// plus, for each family asked for (-4 -6 -f) none of whose tables was
	// asked for, all its tables; nothing asked: all. -4, -6 and -f
	// inet/inet6 also pick the inet address families shown.
	for _, f := range []struct {
		fam, tables int
	}{{famInet | famInet6, ssInet}, {famUnix, ssUnix}, {famLink, ssPacket}, {famNetlink, ssNetlink}} {
		if families&f.fam != 0 && dbs&f.tables == 0 {
			dbs |= f.tables
		}
	}
	if dbs == 0 {
		dbs = ssAll
	}
	r.dbs = dbs
	r.v4 = families&famInet != 0 || families&(famInet|famInet6) == 0
	r.v6 = families&famInet6 != 0 || families&(famInet|famInet6) == 0
	// The state filter, then the expression.
	sawStates := false
	for len(rest) > 0 {
		switch rest[0] {
		case "state", "exclude", "excl":
			if len(rest) < 2 {
				return r, ssUsage("ss: missing state name")
			}
			var s sockdiag.States
			if err := s.UnmarshalText([]byte(rest[1])); err != nil {
				return r, ssUsage("ss: wrong state name: %s", rest[1])
			}
			if rest[0] == "state" {
				if !sawStates {
					r.states = 0
				}
				r.states |= s
			} else {
				if !sawStates {
					r.states = sockdiag.AllStates
				}
				r.states &^= s
			}
			sawStates = true
			rest = rest[2:]
			continue
		}
		break
	}
	r.filter = rest
	return r, nil
}

// ssEnv is what one ss run needs besides the request.
type ssEnv struct {
	e        *env
	r        *ssRequest
	c        *sockdiag.Conn
	procs    *sockdiag.ProcessMap
	services map[string]string // "tcp/443" -> "https"
	cgroups  map[uint64]string
	rows     [][]string // text: the fields of each line, for the column layout
	// unmeasured marks the rows whose last field ss does not measure
	// (a packet socket's -e details overflow the column).
	unmeasured map[int]bool
	skipHeader bool // ss -E: the header was printed with the first event
	netid      bool // the Netid column is shown
	state      bool // the State column is shown
}

// runSS runs nl ss.
func runSS(ctx context.Context, e *env, args []string) error {
	r, err := parseSS(args)
	if err != nil {
		return err
	}
	if r.json {
		e.opts.JSON = true
	}
	ns := e.ns
	if r.netns != "" {
		n, err := netns.Open(r.netns)
		if err != nil {
			return failf("Cannot open network namespace \"%s\": %s", r.netns, unwrapErrno(err))
		}
		defer n.Close()
		ns = n
		e.ns = n // link names and the rest of nl's lookups go there too
	}
	if r.summary {
		return ssSummary(e, ns)
	}
	if r.filterFile != "" {
		b, err := os.ReadFile(r.filterFile)
		if err != nil {
			fmt.Fprintf(e.stderr, "fopen filter file: %s\n", unwrapErrno(err))
			return &exitError{code: ExitUsage}
		}
		r.filter = strings.Fields(string(b))
	}
	expr, err := ssExpr(ctx, e, ns, r.filter)
	if err != nil {
		return err
	}
	c, err := sockdiag.Dial(&netlink.Config{NetNS: ns})
	if err != nil {
		return err
	}
	defer c.Close()
	s := &ssEnv{e: e, r: &r, c: c}
	if r.processes {
		s.procs = sockdiag.NewProcessMap("")
	}
	// ss shows Netid with more than one table, State with more than one
	// state.
	s.netid = r.dbs&(r.dbs-1) != 0
	s.state = r.states&(r.states-1) != 0
	if !e.opts.JSON {
		// The header counts in the widths even with -H, as in ss.
		s.rows = append(s.rows, s.header())
	}
	if r.events {
		return s.events(ctx, expr)
	}
	for _, db := range []int{ssNetlink, ssPacketRaw | ssPacketDgram, ssUnix, ssRaw, ssUDP, ssTCP, ssMPTCP} {
		if r.dbs&db == 0 {
			continue
		}
		var err error
		switch db {
		case ssNetlink:
			err = s.netlinkSockets(ctx, expr)
		case ssPacketRaw | ssPacketDgram:
			err = s.packetSockets(ctx, expr)
		case ssUnix:
			err = s.unixSockets(ctx, expr)
		default:
			err = s.inetSockets(ctx, db, expr)
		}
		if err != nil {
			s.flushRows()
			return err
		}
	}
	s.flushRows()
	return nil
}

// events is ss -E: each TCP or UDP socket of the tables and families
// asked for, as the kernel destroys it, filtered here (the kernel sends
// them all), until interrupted.
func (s *ssEnv) events(ctx context.Context, expr *sockdiag.Expr) error {
	var groups []uint32
	if s.r.dbs&ssTCP != 0 && s.r.v4 {
		groups = append(groups, sockdiag.GroupInetTCPDestroy)
	}
	if s.r.dbs&ssUDP != 0 && s.r.v4 {
		groups = append(groups, sockdiag.GroupInetUDPDestroy)
	}
	if s.r.dbs&ssTCP != 0 && s.r.v6 {
		groups = append(groups, sockdiag.GroupInet6TCPDestroy)
	}
	if s.r.dbs&ssUDP != 0 && s.r.v6 {
		groups = append(groups, sockdiag.GroupInet6UDPDestroy)
	}
	for _, g := range groups {
		if err := s.c.JoinGroup(g); err != nil {
			return err
		}
	}
	s.state = true
	s.netid = true
	header := true
	for ev, err := range s.c.Events(ctx) {
		if errors.Is(err, netlink.ErrOverrun) {
			fmt.Fprintln(s.e.stderr, "Warning: some events were lost (receive buffer overrun)")
			continue
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil // interrupted: ss exits quietly
			}
			return err
		}
		sk := &ev.Socket
		if expr != nil && !ssInetMatch(expr, sk) {
			continue
		}
		if !s.e.opts.JSON {
			s.rows = append(s.rows[:0], s.header())
		}
		if err := s.inetSocket(ctx, sk); err != nil {
			return err
		}
		s.skipHeader = !header // measured, printed once
		header = false
		s.flushRows()
		s.e.flush()
	}
	return nil
}

// ssExpr reads the filter words: device names become indexes and cgroup
// paths ids, as ss resolves them.
func ssExpr(ctx context.Context, e *env, ns *netns.NS, words []string) (*sockdiag.Expr, error) {
	if len(words) == 0 {
		return nil, nil
	}
	// ss reads its filter as one text; split it the same way.
	toks := strings.Fields(strings.Join(words, " "))
	for i := 0; i < len(toks); i++ {
		switch toks[i] {
		case "dev", "cgroup":
			j := i + 1
			if j < len(toks) && (toks[j] == "=" || toks[j] == "==" || toks[j] == "eq") {
				j++
			}
			if j >= len(toks) {
				continue
			}
			if toks[i] == "dev" {
				if _, err := strconv.ParseInt(toks[j], 0, 32); err == nil {
					continue
				}
				idx, err := ssLinkIndex(ctx, e, ns, toks[j])
				if err != nil {
					return nil, failf("Cannot parse device.")
				}
				toks[j] = strconv.Itoa(int(idx))
			} else {
				var st unix.Stat_t
				if err := unix.Stat(filepath.Join(cgroup2Mount(), toks[j]), &st); err != nil {
					return nil, failf("Error: cgroup \"%s\": %s", toks[j], unwrapErrno(err))
				}
				toks[j] = strconv.FormatUint(st.Ino, 10)
			}
		}
	}
	var x sockdiag.Expr
	if err := x.UnmarshalText([]byte(strings.Join(toks, " "))); err != nil {
		msg := err.Error()
		if strings.Contains(msg, "bad address") || strings.Contains(msg, "bad port") {
			return nil, failf("Error: %s", strings.TrimPrefix(msg, "sockdiag: bad filter expression: "))
		}
		return nil, ssUsage("ss: bison bellows (while parsing filter): \"syntax error!\" Sorry.")
	}
	return &x, nil
}

func ssLinkIndex(ctx context.Context, e *env, ns *netns.NS, name string) (int32, error) {
	if ns == e.ns {
		return e.linkIndex(ctx, name)
	}
	var idx int32
	err := ns.Do(func() error {
		ifi, err := netInterfaceIndex(name)
		idx = ifi
		return err
	})
	return idx, err
}

// netInterfaceIndex is if_nametoindex, for the calling thread's namespace.
func netInterfaceIndex(name string) (int32, error) {
	b, err := os.ReadFile("/proc/thread-self/net/dev_snmp6/" + name + "/ifIndex")
	if err == nil {
		n, err := strconv.Atoi(strings.TrimSpace(string(b)))
		return int32(n), err
	}
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return 0, err
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		return 0, err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFINDEX, ifr); err != nil {
		return 0, err
	}
	return int32(ifr.Uint32()), nil
}

// nl starts the next line of a record's details: "\n\t", or a space with
// -O (ss's oneline).
func (s *ssEnv) nl() string {
	if s.r.oneline {
		return " "
	}
	return "\n\t"
}

// header returns the header line's fields.
func (s *ssEnv) header() []string {
	return []string{"Netid", "State", "Recv-Q", "Send-Q", "Local Address:", "Port", "Peer Address:", "Port", "Process"}
}

// ssColumns: alignment (true: right) and left delimiter of each column.
var ssColumns = []struct {
	right  bool
	ldelim string
}{{false, ""}, {false, " "}, {false, " "}, {false, " "}, {true, " "}, {false, ""}, {true, " "}, {false, ""}, {false, ""}}

// flushRows prints the rows gathered, laid out in columns as ss does when
// its output is not a terminal: each column as wide as its widest field
// (plus its left delimiter, but for the first column shown), addresses
// right-aligned, the rest left-aligned and padded.
func (s *ssEnv) flushRows() {
	if len(s.rows) == 0 {
		return
	}
	shown := func(col int) bool {
		return (col != 0 || s.netid) && (col != 1 || s.state)
	}
	width := make([]int, len(ssColumns))
	first := true
	for col := range ssColumns {
		if !shown(col) {
			continue
		}
		for i, row := range s.rows {
			f := row[col]
			switch {
			case i == 0 && s.r.noHeader && col == len(ssColumns)-1:
				f = "" // with -H, ss measures every header but Process
			case col == len(ssColumns)-1 && s.unmeasured[i]:
				f = ""
			}
			width[col] = max(width[col], len(f))
		}
		if !first && width[col] > 0 {
			width[col] += len(ssColumns[col].ldelim)
		}
		if width[col] > 0 {
			first = false
		}
	}
	w := bufio.NewWriter(s.e.stdout)
	for i, row := range s.rows {
		if i == 0 && (s.r.noHeader || s.skipHeader) {
			continue
		}
		firstCol := true
		for col, f := range row {
			if !shown(col) || width[col] == 0 {
				continue
			}
			wd := width[col]
			if !firstCol {
				w.WriteString(ssColumns[col].ldelim)
				wd -= len(ssColumns[col].ldelim)
			}
			firstCol = false
			pad := strings.Repeat(" ", max(0, wd-len(f)))
			if ssColumns[col].right {
				w.WriteString(pad)
				w.WriteString(f)
			} else {
				w.WriteString(f)
				w.WriteString(pad)
			}
		}
		w.WriteByte('\n')
	}
	w.Flush()
	s.rows = s.rows[:0]
	clear(s.unmeasured)
}

// service names a port as ss does without -n (getservbyport).
func (s *ssEnv) service(port uint16, proto string) string {
	if port == 0 {
		return "*"
	}
	if s.r.numeric {
		return strconv.Itoa(int(port))
	}
	if s.services == nil {
		s.services = readServices()
	}
	if proto == "raw" {
		// A raw socket's "port" is its protocol: /etc/protocols names it.
		proto = "protocol"
	}
	if n, ok := s.services[strconv.Itoa(int(port))+"/"+proto]; ok {
		return n
	}
	return strconv.Itoa(int(port))
}

// readServices reads /etc/services: the first name of each "port/protocol";
// and /etc/protocols: "number/protocol" for each IP protocol.
func readServices() map[string]string {
	m := map[string]string{}
	if b, err := os.ReadFile("/etc/protocols"); err == nil {
		for l := range strings.Lines(string(b)) {
			l, _, _ = strings.Cut(l, "#")
			if f := strings.Fields(l); len(f) >= 2 {
				if _, ok := m[f[1]+"/protocol"]; !ok {
					m[f[1]+"/protocol"] = f[0]
				}
			}
		}
	}
	f, err := os.Open("/etc/services")
	if err != nil {
		return m
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		fs := strings.Fields(line)
		if len(fs) < 2 {
			continue
		}
		if _, ok := m[fs[1]]; !ok {
			m[fs[1]] = fs[0]
		}
	}
	return m
}

// users formats the processes holding inode ino: users:(("cmd",pid=N,fd=M),...).
func (s *ssEnv) users(ino uint32) (string, []sockdiag.Process) {
	if s.procs == nil || ino == 0 {
		return "", nil
	}
	ps, _ := s.procs.Processes(ino)
	if len(ps) == 0 {
		return "", nil
	}
	var b strings.Builder
	b.WriteString(" users:(")
	for i, p := range ps {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "(\"%s\",pid=%d,fd=%d)", p.Command, p.PID, p.FD)
	}
	b.WriteByte(')')
	return b.String(), ps
}

// cgroupPath finds the cgroup v2 directory with inode id, as ss prints
// cgroup:PATH.
func (s *ssEnv) cgroupPath(id uint64) string {
	if s.cgroups == nil {
		s.cgroups = map[uint64]string{}
		if root := cgroup2Mount(); root != "" {
			filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
				if err != nil || !d.IsDir() {
					return nil
				}
				var st unix.Stat_t
				if unix.Stat(p, &st) == nil {
					rel := strings.TrimPrefix(p, root)
					if rel == "" {
						rel = "/"
					}
					s.cgroups[st.Ino] = rel
				}
				return nil
			})
		}
	}
	if p, ok := s.cgroups[id]; ok {
		return p
	}
	return "unreachable:" + strconv.FormatUint(id, 16)
}

// cgroup2Mount finds where the cgroup v2 hierarchy is mounted.
func cgroup2Mount() string {
	b, err := os.ReadFile("/proc/self/mounts")
	if err != nil {
		return ""
	}
	for l := range strings.Lines(string(b)) {
		f := strings.Fields(l)
		if len(f) > 2 && f[2] == "cgroup2" {
			return f[1]
		}
	}
	return ""
}

// msTimer is ss's print_ms_timer.
func msTimer(ms uint32) string {
	secs := ms / 1000
	minutes := secs / 60
	secs %= 60
	msecs := ms % 1000
	var b strings.Builder
	if minutes > 0 {
		msecs = 0
		fmt.Fprintf(&b, "%dmin", minutes)
		if minutes > 9 {
			secs = 0
		}
	}
	if secs > 0 {
		if secs > 9 {
			msecs = 0
		}
		sep := "sec"
		if msecs > 0 {
			sep = "."
		}
		fmt.Fprintf(&b, "%d%s", secs, sep)
	}
	if msecs > 0 {
		fmt.Fprintf(&b, "%03dms", msecs)
	}
	return b.String()
}

// inetSockets lists one inet table (tcp, udp, raw, mptcp), IPv4 then
// IPv6, filtered by the kernel.
func (s *ssEnv) inetSockets(ctx context.Context, db int, expr *sockdiag.Expr) error {
	proto := map[int]sockdiag.Protocol{ssTCP: sockdiag.ProtocolTCP, ssUDP: sockdiag.ProtocolUDP, ssRaw: sockdiag.ProtocolRaw, ssMPTCP: sockdiag.ProtocolMPTCP}[db]
	var ext sockdiag.Extensions
	if s.r.memory {
		ext |= sockdiag.ExtSKMemInfo
	}
	if s.r.info {
		ext |= sockdiag.ExtInfo | sockdiag.ExtVegasInfo | sockdiag.ExtCong
	}
	if s.r.extended {
		ext |= sockdiag.ExtShutdown
	}
	if s.r.tos {
		ext |= sockdiag.ExtTOS | sockdiag.ExtTClass
	}
	for _, fam := range []uint8{unix.AF_INET, unix.AF_INET6} {
		if fam == unix.AF_INET && !s.r.v4 || fam == unix.AF_INET6 && !s.r.v6 {
			continue
		}
		f := &sockdiag.InetFilter{Family: fam, Protocol: proto, States: s.r.states, Extensions: ext, Expr: expr}
		if proto == sockdiag.ProtocolRaw {
			f.RawProtocol = 0 // every raw socket is asked as IPPROTO_RAW
		}
		var victims []*sockdiag.InetSocket
		var rawErr error
		for sk, err := range s.c.InetSockets(ctx, f) {
			if err != nil {
				if proto == sockdiag.ProtocolRaw && errors.Is(err, syscall.ENOENT) {
					// No raw_diag in this kernel: ss reads /proc/net/raw.
					rawErr = s.procRaw(fam, expr)
					break
				}
				return &dumpError{err: err, what: "Dump"}
			}
			if s.r.kill {
				victims = append(victims, sk.Clone())
				continue
			}
			if err := s.inetSocket(ctx, sk); err != nil {
				return err
			}
		}
		if rawErr != nil {
			return rawErr
		}
		for _, v := range victims {
			// ss -K shows the sockets it closed.
			if err := s.c.DeleteInetSocket(ctx, v.Protocol, v.ID); err != nil {
				// Gone meanwhile, not supported for the protocol, or
				// not permitted: ss skips the socket silently.
				continue
			}
			if err := s.inetSocket(ctx, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// addrText formats an address and port as ss's inet_addr_print: the IPv6
// wildcard is "*" unless the socket is v6only.
func (s *ssEnv) addrText(ctx context.Context, ap netip.AddrPort, ifindex int32, proto string, v6only bool) (string, string) {
	a := ap.Addr()
	var at string
	switch {
	case a.Is6() && a.IsUnspecified() && !v6only:
		at = "*"
	case a.Is6(): // also ::ffff:a.b.c.d, the IPv4 peer of an IPv6 socket
		at = "[" + a.String() + "]"
	default:
		at = a.Unmap().String()
	}
	if ifindex != 0 {
		at += "%" + s.e.linkName(ctx, ifindex)
	}
	return at + ":", s.service(ap.Port(), proto)
}

// inetSocket formats one inet socket.
func (s *ssEnv) inetSocket(ctx context.Context, sk *sockdiag.InetSocket) error {
	proto := sk.Protocol.String()
	sproto := proto
	if sk.Protocol == sockdiag.ProtocolMPTCP {
		sproto = "tcp"
	}
	users, ps := s.users(sk.Inode)
	if s.e.opts.JSON {
		return s.inetJSON(ctx, sk, ps)
	}
	la, lp := s.addrText(ctx, sk.ID.Src, sk.ID.IfIndex, sproto, sk.V6Only)
	ra, rp := s.addrText(ctx, sk.ID.Dst, 0, sproto, sk.V6Only)
	if sk.ID.Dst.Port() == 0 {
		rp = "*"
	}
	var b strings.Builder
	b.WriteString(users)
	if (s.r.options || s.r.extended) && sk.Timer != 0 {
		tn := sk.Timer.String()
		if sk.Timer > sockdiag.TimerPersist {
			tn = "unknown"
		}
		fmt.Fprintf(&b, " timer:(%s,%s,%d)", tn, msTimer(uint32(sk.Expires.Milliseconds())), sk.Retransmits)
	}
	if s.r.extended {
		if sk.UID != 0 {
			fmt.Fprintf(&b, " uid:%d", sk.UID)
		}
		fmt.Fprintf(&b, " ino:%d sk:%x", sk.Inode, sk.ID.Cookie)
		if sk.Mark != 0 {
			fmt.Fprintf(&b, " fwmark:0x%x", sk.Mark)
		}
		if sk.Has(sockdiag.AttrCgroupID) {
			fmt.Fprintf(&b, " cgroup:%s", s.cgroupPath(sk.CgroupID))
		}
		if sk.Has(sockdiag.AttrSKV6Only) {
			if sk.V6Only {
				b.WriteString(" v6only:1")
			} else {
				b.WriteString(" v6only:0")
			}
		}
		if sk.Has(sockdiag.AttrShutdown) {
			l, r := byte('<'), byte('>')
			if sk.Shutdown&1 != 0 {
				l = '-'
			}
			if sk.Shutdown&2 != 0 {
				r = '-'
			}
			fmt.Fprintf(&b, " %c-%c", l, r)
		}
	}
	if s.r.tos {
		// C's %#x: 0, or 0x followed by the digits.
		cx := func(v uint32) string {
			if v == 0 {
				return "0"
			}
			return "0x" + strconv.FormatUint(uint64(v), 16)
		}
		if sk.Has(sockdiag.AttrTOS) {
			b.WriteString(" tos:" + cx(uint32(sk.TOS)))
		}
		if sk.Has(sockdiag.AttrTClass) {
			b.WriteString(" tclass:" + cx(uint32(sk.TClass)))
		}
		if sk.Has(sockdiag.AttrClassID) {
			b.WriteString(" class_id:" + cx(sk.ClassID))
		}
	}
	if s.r.cgroup && sk.Has(sockdiag.AttrCgroupID) {
		b.WriteString(" cgroup:" + s.cgroupPath(sk.CgroupID))
	}
	if s.r.sockopt && sk.Has(sockdiag.AttrSockOpt) {
		b.WriteString(s.nl() + "inet-sockopt: (")
		for i, name := range []string{"recverr", "is_icsk", "freebind", "hdrincl", "mc_loop", "transparent", "mc_all", "nodefrag", "bind_addr_no_port", "recverr_rfc4884", "defer_connect"} {
			if sk.SockOpt&(1<<i) != 0 {
				b.WriteString(" " + name)
			}
		}
		b.WriteString(")")
	}
	if s.r.memory || s.r.info && sk.Protocol != sockdiag.ProtocolUDP {
		if !s.r.oneline {
			b.WriteString("\n\t")
		}
		if s.r.memory && sk.Has(sockdiag.AttrSKMemInfo) {
			b.WriteString(skmemText(&sk.SKMemInfo))
		}
		if s.r.info && sk.Protocol != sockdiag.ProtocolMPTCP {
			s.tcpInfoText(&b, sk)
		}
	}
	s.rows = append(s.rows, []string{proto, sk.State.String(), strconv.Itoa(int(sk.RecvQ)), strconv.Itoa(int(sk.SendQ)), la, lp, ra, rp, b.String()})
	return nil
}

func skmemText(m *sockdiag.SKMemInfo) string {
	t := fmt.Sprintf(" skmem:(r%d,rb%d,t%d,tb%d,f%d,w%d,o%d", m.RMemAlloc, m.RcvBuf, m.WMemAlloc, m.SndBuf, m.FwdAlloc, m.WMemQueued, m.OptMem)
	if m.N > 7 {
		t += fmt.Sprintf(",bl%d", m.Backlog)
	}
	if m.N > 8 {
		t += fmt.Sprintf(",d%d", m.Drops)
	}
	return t + ")"
}

// tiWriter writes ss's key:value words without fmt (a line per socket,
// a hundred thousand sockets).
type tiWriter struct {
	b       *strings.Builder
	scratch [64]byte
}

func (w *tiWriter) str(x string) { w.b.WriteString(x) }
func (w *tiWriter) num(v uint64) { w.b.Write(strconv.AppendUint(w.scratch[:0], v, 10)) }
func (w *tiWriter) g(v float64)  { w.b.Write(strconv.AppendFloat(w.scratch[:0], v, 'g', 6, 64)) }

// kv writes " key:v" when v is not zero, as ss's tcp_stats_print does.
func (w *tiWriter) kv(key string, v uint64) {
	if v != 0 {
		w.str(key)
		w.num(v)
	}
}

// bw writes a rate as ss's sprint_bw.
func (w *tiWriter) bw(v float64, numeric bool) {
	switch {
	case numeric:
		w.b.Write(strconv.AppendFloat(w.scratch[:0], v, 'f', 0, 64))
	case v > 1000000:
		w.b.Write(strconv.AppendFloat(w.scratch[:0], v/1000000, 'f', 1, 64))
		w.str("M")
	case v > 1000:
		w.b.Write(strconv.AppendFloat(w.scratch[:0], v/1000, 'f', 1, 64))
		w.str("K")
	default:
		w.g(v)
	}
}

// tcpInfoText is ss's tcp_stats_print (iproute2 6.1), from tcp_info and
// the congestion control's attributes. (ss 6.1 prints no words for the
// negotiated options, ts, sack, ecn: neither does nl; -j has them.)
func (s *ssEnv) tcpInfoText(b *strings.Builder, sk *sockdiag.InetSocket) {
	ti := &sk.TCPInfo
	w := &tiWriter{b: b}
	numeric := s.r.numeric
	if sk.Congestion != "" {
		w.str(" ")
		w.str(sk.Congestion)
	}
	if ti.Len == 0 {
		return
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	if ti.Options&sockdiag.OptWScale != 0 {
		w.str(" wscale:")
		w.num(uint64(ti.SndWScale))
		w.str(",")
		w.num(uint64(ti.RcvWScale))
	}
	if ti.RTO != 0 {
		w.str(" rto:")
		w.g(ms(ti.RTO))
	}
	w.kv(" backoff:", uint64(ti.Backoff))
	if ti.RTT != 0 {
		w.str(" rtt:")
		w.g(ms(ti.RTT))
		w.str("/")
		w.g(ms(ti.RTTVar))
	}
	if ti.ATO != 0 {
		w.str(" ato:")
		w.g(ms(ti.ATO))
	}
	w.kv(" mss:", uint64(ti.SndMSS))
	w.kv(" pmtu:", uint64(ti.PMTU))
	w.kv(" rcvmss:", uint64(ti.RcvMSS))
	w.kv(" advmss:", uint64(ti.AdvMSS))
	w.kv(" cwnd:", uint64(ti.SndCwnd))
	if ti.SndSSThresh < 0xffff {
		w.kv(" ssthresh:", uint64(ti.SndSSThresh))
	}
	w.kv(" bytes_sent:", ti.BytesSent)
	w.kv(" bytes_retrans:", ti.BytesRetrans)
	w.kv(" bytes_acked:", ti.BytesAcked)
	w.kv(" bytes_received:", ti.BytesReceived)
	w.kv(" segs_out:", uint64(ti.SegsOut))
	w.kv(" segs_in:", uint64(ti.SegsIn))
	w.kv(" data_segs_out:", uint64(ti.DataSegsOut))
	w.kv(" data_segs_in:", uint64(ti.DataSegsIn))
	if sk.Has(sockdiag.AttrDCTCPInfo) {
		if d := sk.DCTCP; d.Enabled {
			w.str(" dctcp:(ce_state:")
			w.num(uint64(d.CEState))
			w.str(",alpha:")
			w.num(uint64(d.Alpha))
			w.str(",ab_ecn:")
			w.num(uint64(d.ABECN))
			w.str(",ab_tot:")
			w.num(uint64(d.ABTot))
			w.str(")")
		} else {
			w.str(" dctcp:fallback_mode")
		}
	}
	if sk.Has(sockdiag.AttrBBRInfo) {
		w.str(" bbr:(bw:")
		w.bw(float64(sk.BBR.BW)*8, numeric)
		w.str("bps,mrtt:")
		w.g(float64(sk.BBR.MinRTT) / 1000)
		if sk.BBR.PacingGain != 0 {
			w.str(",pacing_gain:")
			w.g(float64(sk.BBR.PacingGain) / 256)
		}
		if sk.BBR.CwndGain != 0 {
			w.str(",cwnd_gain:")
			w.g(float64(sk.BBR.CwndGain) / 256)
		}
		w.str(")")
	}
	if ti.RTT > 0 && ti.SndMSS > 0 && ti.SndCwnd > 0 {
		w.str(" send ")
		w.bw(float64(ti.SndCwnd)*float64(ti.SndMSS)*8000000/float64(ti.RTT.Microseconds()), numeric)
		w.str("bps")
	}
	w.kv(" lastsnd:", uint64(ti.LastDataSent.Milliseconds()))
	w.kv(" lastrcv:", uint64(ti.LastDataRecv.Milliseconds()))
	w.kv(" lastack:", uint64(ti.LastAckRecv.Milliseconds()))
	if ti.PacingRate != 0 {
		w.str(" pacing_rate ")
		w.bw(float64(ti.PacingRate)*8, numeric)
		w.str("bps")
		if ti.MaxPacingRate != ^uint64(0) && ti.MaxPacingRate != 0 {
			w.str("/")
			w.bw(float64(ti.MaxPacingRate)*8, numeric)
			w.str("bps")
		}
	}
	if ti.DeliveryRate != 0 {
		w.str(" delivery_rate ")
		w.bw(float64(ti.DeliveryRate)*8, numeric)
		w.str("bps")
	}
	w.kv(" delivered:", uint64(ti.Delivered))
	w.kv(" delivered_ce:", uint64(ti.DeliveredCE))
	if ti.DeliveryRateAppLimited {
		w.str(" app_limited")
	}
	if ti.BusyTimeUs != 0 {
		w.str(" busy:")
		w.num(ti.BusyTimeUs / 1000)
		w.str("ms")
		for _, l := range []struct {
			key string
			v   uint64
		}{{" rwnd_limited:", ti.RwndLimitedUs}, {" sndbuf_limited:", ti.SndbufLimitedUs}} {
			if l.v != 0 {
				w.str(l.key)
				w.num(l.v / 1000)
				w.str("ms(")
				w.b.Write(strconv.AppendFloat(w.scratch[:0], 100*float64(l.v)/float64(ti.BusyTimeUs), 'f', 1, 64))
				w.str("%)")
			}
		}
	}
	w.kv(" unacked:", uint64(ti.Unacked))
	if ti.Retrans != 0 || ti.TotalRetrans != 0 {
		w.str(" retrans:")
		w.num(uint64(ti.Retrans))
		w.str("/")
		w.num(uint64(ti.TotalRetrans))
	}
	w.kv(" lost:", uint64(ti.Lost))
	if sk.State != sockdiag.StateListen {
		w.kv(" sacked:", uint64(ti.Sacked))
	}
	w.kv(" dsack_dups:", uint64(ti.DSACKDups))
	w.kv(" fackets:", uint64(ti.Fackets))
	if ti.Reordering != 3 {
		w.str(" reordering:")
		w.num(uint64(ti.Reordering))
	}
	w.kv(" reord_seen:", uint64(ti.ReordSeen))
	if ti.RcvRTT != 0 {
		w.str(" rcv_rtt:")
		w.g(ms(ti.RcvRTT))
	}
	w.kv(" rcv_space:", uint64(ti.RcvSpace))
	w.kv(" rcv_ssthresh:", uint64(ti.RcvSSThresh))
	w.kv(" notsent:", uint64(ti.NotsentBytes))
	if ti.MinRTT != 0 {
		w.str(" minrtt:")
		w.g(ms(ti.MinRTT))
	}
	w.kv(" rcv_ooopack:", uint64(ti.RcvOOOPack))
	w.kv(" snd_wnd:", uint64(ti.SndWnd))
}

// unixSockets lists the unix sockets; ss filters them in user space.
func (s *ssEnv) unixSockets(ctx context.Context, expr *sockdiag.Expr) error {
	for sk, err := range s.c.UnixSockets(ctx, &sockdiag.UnixFilter{States: s.r.states}) {
		if err != nil {
			return &dumpError{err: err, what: "Dump"}
		}
		db := map[sockdiag.SockType]int{sockdiag.SockStream: ssUnixStream, sockdiag.SockDgram: ssUnixDgram, sockdiag.SockSeqPacket: ssUnixSeq}[sk.Type]
		if s.r.dbs&db == 0 || !s.r.states.Has(sk.State) {
			continue
		}
		if expr != nil && !ssUnixMatch(expr, sk) {
			continue
		}
		netid := map[sockdiag.SockType]string{sockdiag.SockStream: "u_str", sockdiag.SockDgram: "u_dgr", sockdiag.SockSeqPacket: "u_seq"}[sk.Type]
		name := "*"
		if sk.Name != "" {
			name = sk.Name
			if sk.Abstract() {
				name = "@" + sk.Name[1:]
			}
		}
		users, ps := s.users(sk.Inode)
		if s.e.opts.JSON {
			o := &jsonObject{}
			o.push("netid", netid)
			o.push("state", sk.State.String())
			o.push("recv_q", sk.RecvQ)
			o.push("send_q", sk.SendQ)
			o.push("local", ssJSONAddr(name, strconv.Itoa(int(sk.Inode))))
			o.push("peer", ssJSONAddr("*", strconv.Itoa(int(sk.Peer))))
			o.push("inode", sk.Inode)
			o.push("cookie", sk.Cookie)
			if len(sk.Pending) > 0 {
				o.push("pending", sk.Pending)
			}
			if sk.Has(sockdiag.UnixAttrUID) {
				o.push("uid", sk.UID)
			}
			if sk.Has(sockdiag.UnixAttrMemInfo) {
				o.push("skmem", ssJSONSkmem(&sk.MemInfo))
			}
			ssJSONUsers(o, ps)
			if err := writeJSON(s.e, o); err != nil {
				return err
			}
			continue
		}
		var b strings.Builder
		b.WriteString(users)
		if s.r.extended {
			// ss: the shutdown marks, the file's inode and device (as
			// ss prints it: the C library's major/minor applied to the
			// kernel's internal dev_t), a listener's pending
			// connections.
			if sk.Has(sockdiag.UnixAttrShutdown) {
				l, r := byte('<'), byte('>')
				if sk.Shutdown&1 != 0 {
					l = '-'
				}
				if sk.Shutdown&2 != 0 {
					r = '-'
				}
				fmt.Fprintf(&b, " %c-%c", l, r)
			}
			if sk.Has(sockdiag.UnixAttrVFS) {
				fmt.Fprintf(&b, " ino:%d dev:%d/%d", sk.VFSInode, unix.Major(uint64(sk.VFSDev)), unix.Minor(uint64(sk.VFSDev)))
			}
			if sk.Has(sockdiag.UnixAttrIcons) {
				b.WriteString(" peers:")
				for _, p := range sk.Pending {
					fmt.Fprintf(&b, " %d", p)
				}
			}
		}
		if s.r.memory && sk.Has(sockdiag.UnixAttrMemInfo) {
			b.WriteString(skmemText(&sk.MemInfo)) // on the line, not under it as for TCP
		}
		s.rows = append(s.rows, []string{netid, sk.State.String(), strconv.Itoa(int(sk.RecvQ)), strconv.Itoa(int(sk.SendQ)), name + " ", strconv.Itoa(int(sk.Inode)), "* ", strconv.Itoa(int(sk.Peer)), b.String()})
	}
	return nil
}

// ssUnixMatch applies the conditions ss can apply to unix sockets (src
// and dst by name); inet-only conditions reject them, as in ss.
func ssUnixMatch(e *sockdiag.Expr, sk *sockdiag.UnixSocket) bool {
	switch e.Op {
	case sockdiag.OpAnd:
		for _, x := range e.Args {
			if !ssUnixMatch(x, sk) {
				return false
			}
		}
		return true
	case sockdiag.OpOr:
		for _, x := range e.Args {
			if ssUnixMatch(x, sk) {
				return true
			}
		}
		return false
	case sockdiag.OpNot:
		return !ssUnixMatch(e.Args[0], sk)
	}
	return false
}

// packetSockets lists the packet sockets (user-space state filter).
func (s *ssEnv) packetSockets(ctx context.Context, expr *sockdiag.Expr) error {
	for sk, err := range s.c.PacketSockets(ctx) {
		if err != nil {
			return &dumpError{err: err, what: "Dump"}
		}
		db, netid := ssPacketRaw, "p_raw"
		if sk.Type == sockdiag.SockDgram {
			db, netid = ssPacketDgram, "p_dgr"
		}
		if s.r.dbs&db == 0 || !s.r.states.Has(sockdiag.StateClose) || expr != nil {
			continue
		}
		proto := "*"
		if sk.Protocol != unix.ETH_P_ALL {
			proto = ssEtherType(sk.Protocol)
		}
		ifname := "*"
		if sk.Info.IfIndex != 0 {
			ifname = s.e.linkName(ctx, sk.Info.IfIndex)
		}
		users, ps := s.users(sk.Inode)
		if s.e.opts.JSON {
			o := &jsonObject{}
			o.push("netid", netid)
			o.push("state", "UNCONN")
			o.push("recv_q", sk.MemInfo.RMemAlloc)
			o.push("send_q", 0)
			o.push("local", ssJSONAddr(proto, ifname))
			o.push("inode", sk.Inode)
			o.push("cookie", sk.Cookie)
			if len(sk.Filter) > 0 {
				o.push("bpf_insns", len(sk.Filter))
			}
			if sk.Fanout != 0 {
				o.push("fanout", jsonFanout(sk.Fanout))
			}
			ssJSONUsers(o, ps)
			if err := writeJSON(s.e, o); err != nil {
				return err
			}
			continue
		}
		var b strings.Builder
		b.WriteString(users)
		if s.r.extended {
			if sk.UID != 0 {
				fmt.Fprintf(&b, " uid:%d", sk.UID)
			}
			fmt.Fprintf(&b, " ino:%d sk:%x", sk.Inode, sk.Cookie)
			if sk.Has(sockdiag.PacketAttrInfo) {
				in := sk.Info
				fmt.Fprintf(&b, "%sver:%d cpy_thresh:%d flags( ", s.nl(), in.Version, in.CopyThresh)
				for i, name := range []string{"running", " auxdata", " origdev", " vnethdr", " loss"} {
					if in.Flags&(1<<i) != 0 {
						b.WriteString(name)
					}
				}
				if in.Flags == 0 {
					b.WriteString("0")
				}
				b.WriteString(" )")
			}
			for _, r := range []struct {
				name string
				a    sockdiag.PacketAttr
				ring sockdiag.PacketRing
			}{{"ring_rx", sockdiag.PacketAttrRXRing, sk.RXRing}, {"ring_tx", sockdiag.PacketAttrTXRing, sk.TXRing}} {
				if sk.Has(r.a) {
					fmt.Fprintf(&b, "%s%s(blk_size:%d,blk_nr:%d,frm_size:%d,frm_nr:%d,tmo:%d,features:0x%x)", s.nl(), r.name,
						r.ring.BlockSize, r.ring.BlockNr, r.ring.FrameSize, r.ring.FrameNr, r.ring.RetireTmo, r.ring.Features)
				}
			}
			if sk.Has(sockdiag.PacketAttrFanout) {
				typ := sk.Fanout >> 16 & 0xffff
				names := []string{"hash", "lb", "cpu", "roll", "random", "qm"}
				tn := fmt.Sprintf("0x%x", typ)
				if int(typ) < len(names) {
					tn = names[typ]
				}
				fmt.Fprintf(&b, "%sfanout(id:%d,type:%s)", s.nl(), sk.Fanout&0xffff, tn)
			}
		}
		if s.r.bpf && len(sk.Filter) > 0 {
			fmt.Fprintf(&b, "%sbpf filter (%d): ", s.nl(), len(sk.Filter))
			for _, in := range sk.Filter {
				fmt.Fprintf(&b, " 0x%02x %d %d %d,", in.Code, in.Jt, in.Jf, in.K)
			}
		}
		rq := "0"
		if sk.Has(sockdiag.PacketAttrMemInfo) {
			rq = strconv.Itoa(int(sk.MemInfo.RMemAlloc))
		}
		if s.r.extended || s.r.bpf && len(sk.Filter) > 0 {
			if s.unmeasured == nil {
				s.unmeasured = map[int]bool{}
			}
			s.unmeasured[len(s.rows)] = true
		}
		s.rows = append(s.rows, []string{netid, "UNCONN", rq, "0", proto + ":", ifname, "*", "", b.String()})
	}
	return nil
}

func jsonFanout(v uint32) *jsonObject {
	o := &jsonObject{}
	o.push("id", v&0xffff)
	o.push("type", v>>16&0xff)
	o.push("flags", v>>24)
	return o
}

// ssEtherType names an ethertype as ll_proto_n2a does (a few; hex else).
func ssEtherType(p uint16) string {
	switch p {
	case unix.ETH_P_IP:
		return "ip"
	case unix.ETH_P_IPV6:
		return "ipv6"
	case unix.ETH_P_ARP:
		return "arp"
	case unix.ETH_P_8021Q:
		return "802.1Q"
	}
	return fmt.Sprintf("[%d]", p)
}

// ssNetlinkProtocols are iproute2's names of the netlink protocols.
var ssNetlinkProtocols = map[uint8]string{
	0: "rtnl", 1: "unused", 2: "usersock", 3: "fw", 4: "tcpdiag", 5: "nflog", 6: "xfrm", 7: "selinux", 8: "iscsi",
	9: "audit", 10: "fiblookup", 11: "connector", 12: "nft", 13: "ip6fw", 14: "dec-rt", 15: "uevent", 16: "genl",
	18: "scsi-trans", 19: "ecryptfs", 20: "rdma", 21: "crypto",
}

// netlinkSockets lists the netlink sockets (user-space state filter).
func (s *ssEnv) netlinkSockets(ctx context.Context, expr *sockdiag.Expr) error {
	for sk, err := range s.c.NetlinkSockets(ctx) {
		if err != nil {
			return &dumpError{err: err, what: "Dump"}
		}
		if !s.r.states.Has(sk.State) || expr != nil {
			continue
		}
		proto, ok := ssNetlinkProtocols[sk.Protocol]
		if !ok || s.r.numeric {
			proto = strconv.Itoa(int(sk.Protocol))
		}
		var port string
		switch {
		case s.r.numeric:
			port = strconv.Itoa(int(int32(sk.PortID)))
		case sk.PortID == 0:
			port = "kernel"
		default:
			port = strconv.Itoa(int(int32(sk.PortID)))
			if c := ssCommand(int(sk.PortID)); c != "" {
				port = c + "/" + port
			}
		}
		peer, pport := "*", ""
		if sk.State == sockdiag.StateEstablished {
			peer, pport = strconv.Itoa(int(sk.DstGroup)), strconv.Itoa(int(sk.DstPortID))
		}
		users, ps := s.users(sk.Inode)
		if s.e.opts.JSON {
			o := &jsonObject{}
			o.push("netid", "nl")
			o.push("state", sk.State.String())
			o.push("recv_q", sk.MemInfo.RMemAlloc)
			o.push("send_q", sk.MemInfo.WMemAlloc)
			o.push("local", ssJSONAddr(proto, port))
			o.push("protocol", sk.Protocol)
			o.push("portid", sk.PortID)
			o.push("groups", sk.Groups)
			o.push("flags", uint32(sk.Flags))
			o.push("inode", sk.Inode)
			o.push("cookie", sk.Cookie)
			ssJSONUsers(o, ps)
			if err := writeJSON(s.e, o); err != nil {
				return err
			}
			continue
		}
		s.rows = append(s.rows, []string{"nl", sk.State.String(), strconv.Itoa(int(sk.MemInfo.RMemAlloc)), strconv.Itoa(int(sk.MemInfo.WMemAlloc)), proto + ":", port, peer, pport, users})
	}
	return nil
}

// ssCommand is the command name of process pid, or "".
func ssCommand(pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return ""
	}
	st := string(b)
	i, j := strings.IndexByte(st, '('), strings.LastIndexByte(st, ')')
	if i < 0 || j < i {
		return ""
	}
	return st[i+1 : j]
}

// procRaw lists raw sockets from /proc/net/raw and raw6 (read in the
// namespace), as ss does when the kernel has no raw_diag. The expression
// is applied in user space, as ss applies it to /proc's sockets.
func (s *ssEnv) procRaw(fam uint8, expr *sockdiag.Expr) error {
	file := "/proc/thread-self/net/raw"
	if fam == unix.AF_INET6 {
		file += "6"
	}
	var data []byte
	read := func() error {
		var err error
		data, err = os.ReadFile(file)
		return err
	}
	var err error
	if s.e.ns != nil {
		err = s.e.ns.Do(read)
	} else {
		err = read()
	}
	if err != nil {
		return err
	}
	lines := strings.Split(string(data), "\n")
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		if len(f) < 10 {
			continue
		}
		src, err1 := procAddr(f[1])
		dst, err2 := procAddr(f[2])
		st, err3 := strconv.ParseUint(f[3], 16, 8)
		if err1 != nil || err2 != nil || err3 != nil {
			continue
		}
		q := strings.Split(f[4], ":")
		tx, _ := strconv.ParseUint(q[0], 16, 32)
		rx, _ := strconv.ParseUint(q[len(q)-1], 16, 32)
		uid, _ := strconv.ParseUint(f[7], 10, 32)
		ino, _ := strconv.ParseUint(f[9], 10, 32)
		sk := &sockdiag.InetSocket{Family: fam, Protocol: sockdiag.ProtocolRaw, State: sockdiag.State(st), RecvQ: uint32(rx), SendQ: uint32(tx), UID: uint32(uid), Inode: uint32(ino)}
		sk.ID.Src, sk.ID.Dst = src, dst
		if !s.r.states.Has(sk.State) {
			continue
		}
		if expr != nil && !ssInetMatch(expr, sk) {
			continue
		}
		if err := s.inetSocket(context.Background(), sk); err != nil {
			return err
		}
	}
	return nil
}

// procAddr reads /proc/net's ADDR:PORT (hex, the address in host order
// words).
func procAddr(s string) (netip.AddrPort, error) {
	a, p, ok := strings.Cut(s, ":")
	port, err := strconv.ParseUint(p, 16, 16)
	if !ok || err != nil || len(a)%8 != 0 {
		return netip.AddrPort{}, fmt.Errorf("bad address %q", s)
	}
	var b []byte
	for i := 0; i < len(a); i += 8 {
		w, err := strconv.ParseUint(a[i:i+8], 16, 32)
		if err != nil {
			return netip.AddrPort{}, err
		}
		b = append(b, byte(w), byte(w>>8), byte(w>>16), byte(w>>24))
	}
	ad, ok := netip.AddrFromSlice(b)
	if !ok {
		return netip.AddrPort{}, fmt.Errorf("bad address %q", s)
	}
	return netip.AddrPortFrom(ad, uint16(port)), nil
}

// ssInetMatch evaluates an expression in user space (for /proc's raw
// sockets), with the kernel's meaning.
func ssInetMatch(e *sockdiag.Expr, sk *sockdiag.InetSocket) bool {
	switch e.Op {
	case sockdiag.OpAnd:
		for _, x := range e.Args {
			if !ssInetMatch(x, sk) {
				return false
			}
		}
		return true
	case sockdiag.OpOr:
		for _, x := range e.Args {
			if ssInetMatch(x, sk) {
				return true
			}
		}
		return false
	case sockdiag.OpNot:
		return !ssInetMatch(e.Args[0], sk)
	case sockdiag.OpSPortEQ:
		return int32(sk.ID.Src.Port()) == e.Port
	case sockdiag.OpSPortGE:
		return int32(sk.ID.Src.Port()) >= e.Port
	case sockdiag.OpSPortLE:
		return int32(sk.ID.Src.Port()) <= e.Port
	case sockdiag.OpDPortEQ:
		return int32(sk.ID.Dst.Port()) == e.Port
	case sockdiag.OpDPortGE:
		return int32(sk.ID.Dst.Port()) >= e.Port
	case sockdiag.OpDPortLE:
		return int32(sk.ID.Dst.Port()) <= e.Port
	case sockdiag.OpSrc, sockdiag.OpDst:
		ap := sk.ID.Src
		if e.Op == sockdiag.OpDst {
			ap = sk.ID.Dst
		}
		if e.Port != sockdiag.AnyPort && e.Port != int32(ap.Port()) {
			return false
		}
		if !e.Prefix.IsValid() {
			return true
		}
		a := ap.Addr()
		if e.Prefix.Addr().Is4() {
			a = a.Unmap()
		}
		return a.BitLen() == e.Prefix.Addr().BitLen() && (e.Prefix.Bits() == 0 || e.Prefix.Contains(a))
	}
	return false
}

func ssJSONAddr(addr, port string) *jsonObject {
	o := &jsonObject{}
	o.push("address", addr)
	o.push("port", port)
	return o
}

func ssJSONUsers(o *jsonObject, ps []sockdiag.Process) {
	if len(ps) == 0 {
		return
	}
	us := make([]*jsonObject, len(ps))
	for i, p := range ps {
		u := &jsonObject{}
		u.push("name", p.Command)
		u.push("pid", p.PID)
		u.push("fd", p.FD)
		us[i] = u
	}
	o.push("users", us)
}

func ssJSONSkmem(m *sockdiag.SKMemInfo) *jsonObject {
	o := &jsonObject{}
	for _, kv := range []struct {
		k string
		v uint32
	}{{"r", m.RMemAlloc}, {"rb", m.RcvBuf}, {"t", m.WMemAlloc}, {"tb", m.SndBuf}, {"f", m.FwdAlloc}, {"w", m.WMemQueued}, {"o", m.OptMem}, {"bl", m.Backlog}, {"d", m.Drops}} {
		o.push(kv.k, kv.v)
	}
	return o
}

// inetJSON prints one inet socket as a JSON object, with ss's names.
func (s *ssEnv) inetJSON(ctx context.Context, sk *sockdiag.InetSocket, ps []sockdiag.Process) error {
	o := &jsonObject{}
	o.push("netid", sk.Protocol.String())
	o.push("state", sk.State.String())
	o.push("recv_q", sk.RecvQ)
	o.push("send_q", sk.SendQ)
	addr := func(ap netip.AddrPort, ifindex int32) *jsonObject {
		a := &jsonObject{}
		a.push("address", ap.Addr().Unmap().String())
		a.push("port", ap.Port())
		if ifindex != 0 {
			a.push("interface", s.e.linkName(ctx, ifindex))
		}
		return a
	}
	o.push("local", addr(sk.ID.Src, sk.ID.IfIndex))
	o.push("peer", addr(sk.ID.Dst, 0))
	ssJSONUsers(o, ps)
	if sk.Timer != 0 {
		t := &jsonObject{}
		t.push("name", sk.Timer.String())
		t.push("expire_ms", sk.Expires.Milliseconds())
		t.push("retrans", sk.Retransmits)
		o.push("timer", t)
	}
	if sk.UID != 0 || s.r.extended {
		o.push("uid", sk.UID)
	}
	o.push("ino", sk.Inode)
	o.push("sk", strconv.FormatUint(sk.ID.Cookie, 16))
	if sk.Has(sockdiag.AttrMark) && sk.Mark != 0 {
		o.push("fwmark", sk.Mark)
	}
	if sk.Has(sockdiag.AttrCgroupID) && s.r.extended {
		o.push("cgroup", s.cgroupPath(sk.CgroupID))
	}
	if sk.Has(sockdiag.AttrSKV6Only) {
		o.push("v6only", sk.V6Only)
	}
	if sk.Has(sockdiag.AttrShutdown) {
		o.push("shutdown", sk.Shutdown)
	}
	if sk.Has(sockdiag.AttrSKMemInfo) {
		o.push("skmem", ssJSONSkmem(&sk.SKMemInfo))
	}
	if sk.Congestion != "" {
		o.push("cong_alg", sk.Congestion)
	}
	if ti := &sk.TCPInfo; ti.Len > 0 {
		t := &jsonObject{}
		ms := func(d interface{ Microseconds() int64 }) float64 { return float64(d.Microseconds()) / 1000 }
		t.push("ca_state", ti.CAState.String())
		t.push("options", uint8(ti.Options))
		t.push("snd_wscale", ti.SndWScale)
		t.push("rcv_wscale", ti.RcvWScale)
		t.push("rto", ms(ti.RTO))
		t.push("backoff", ti.Backoff)
		t.push("rtt", ms(ti.RTT))
		t.push("rttvar", ms(ti.RTTVar))
		t.push("ato", ms(ti.ATO))
		t.push("mss", ti.SndMSS)
		t.push("pmtu", ti.PMTU)
		t.push("rcvmss", ti.RcvMSS)
		t.push("advmss", ti.AdvMSS)
		t.push("cwnd", ti.SndCwnd)
		t.push("ssthresh", ti.SndSSThresh)
		t.push("bytes_sent", ti.BytesSent)
		t.push("bytes_retrans", ti.BytesRetrans)
		t.push("bytes_acked", ti.BytesAcked)
		t.push("bytes_received", ti.BytesReceived)
		t.push("segs_out", ti.SegsOut)
		t.push("segs_in", ti.SegsIn)
		t.push("data_segs_out", ti.DataSegsOut)
		t.push("data_segs_in", ti.DataSegsIn)
		t.push("lastsnd", ti.LastDataSent.Milliseconds())
		t.push("lastrcv", ti.LastDataRecv.Milliseconds())
		t.push("lastack", ti.LastAckRecv.Milliseconds())
		t.push("pacing_rate", ti.PacingRate*8)
		t.push("delivery_rate", ti.DeliveryRate*8)
		t.push("delivered", ti.Delivered)
		t.push("delivered_ce", ti.DeliveredCE)
		t.push("app_limited", ti.DeliveryRateAppLimited)
		t.push("busy_us", ti.BusyTimeUs)
		t.push("unacked", ti.Unacked)
		t.push("retrans", ti.Retrans)
		t.push("retrans_total", ti.TotalRetrans)
		t.push("lost", ti.Lost)
		t.push("sacked", ti.Sacked)
		t.push("reordering", ti.Reordering)
		t.push("rcv_rtt", ms(ti.RcvRTT))
		t.push("rcv_space", ti.RcvSpace)
		t.push("rcv_ssthresh", ti.RcvSSThresh)
		t.push("notsent", ti.NotsentBytes)
		t.push("minrtt", ms(ti.MinRTT))
		if ti.HasSndWnd() {
			t.push("snd_wnd", ti.SndWnd)
		}
		if ti.HasRcvWnd() {
			t.push("rcv_wnd", ti.RcvWnd)
		}
		if ti.HasTotalRTO() {
			t.push("total_rto", ti.TotalRTO)
			t.push("total_rto_recoveries", ti.TotalRTORecoveries)
			t.push("total_rto_time", ti.TotalRTOTime.Milliseconds())
		}
		o.push("tcp_info", t)
	}
	if sk.Has(sockdiag.AttrBBRInfo) {
		b := &jsonObject{}
		b.push("bw", sk.BBR.BW*8)
		b.push("mrtt", float64(sk.BBR.MinRTT)/1000)
		b.push("pacing_gain", float64(sk.BBR.PacingGain)/256)
		b.push("cwnd_gain", float64(sk.BBR.CwndGain)/256)
		o.push("bbr", b)
	}
	return writeJSON(s.e, o)
}

// ssSummary is ss -s: the counters of /proc/net/sockstat, sockstat6 and
// snmp, read in the namespace.
func ssSummary(e *env, ns *netns.NS) error {
	files := map[string]string{}
	read := func() error {
		for _, f := range []string{"sockstat", "sockstat6", "snmp"} {
			b, err := os.ReadFile("/proc/thread-self/net/" + f)
			if err != nil {
				return err
			}
			files[f] = string(b)
		}
		return nil
	}
	var err error
	if ns != nil {
		err = ns.Do(read)
	} else {
		err = read()
	}
	if err != nil {
		return err
	}
	// field returns the value after word key on the line starting with tag.
	field := func(file, tag, key string) int {
		for l := range strings.Lines(files[file]) {
			f := strings.Fields(l)
			if len(f) == 0 || f[0] != tag {
				continue
			}
			for i := 1; i+1 < len(f); i++ {
				if f[i] == key {
					n, _ := strconv.Atoi(f[i+1])
					return n
				}
			}
		}
		return 0
	}
	socks := field("sockstat", "sockets:", "used")
	tcpTotal := field("sockstat", "TCP:", "alloc")
	tcpTW := field("sockstat", "TCP:", "tw")
	tcpOrphans := field("sockstat", "TCP:", "orphan")
	tcp4 := field("sockstat", "TCP:", "inuse")
	tcp6 := field("sockstat6", "TCP6:", "inuse")
	udp4 := field("sockstat", "UDP:", "inuse")
	udp6 := field("sockstat6", "UDP6:", "inuse")
	raw4 := field("sockstat", "RAW:", "inuse")
	raw6 := field("sockstat6", "RAW6:", "inuse")
	frag4 := field("sockstat", "FRAG:", "inuse")
	frag6 := field("sockstat6", "FRAG6:", "inuse")
	// Tcp: CurrEstab from snmp's header and value lines.
	estab := 0
	var hdr []string
	for l := range strings.Lines(files["snmp"]) {
		f := strings.Fields(l)
		if len(f) == 0 || f[0] != "Tcp:" {
			continue
		}
		if hdr == nil {
			hdr = f
			continue
		}
		for i, h := range hdr {
			if h == "CurrEstab" && i < len(f) {
				estab, _ = strconv.Atoi(f[i])
			}
		}
	}
	if e.opts.JSON {
		o := &jsonObject{}
		o.push("total", socks)
		tcp := &jsonObject{}
		tcp.push("total", tcpTotal+tcpTW)
		tcp.push("estab", estab)
		tcp.push("closed", tcpTotal-(tcp4+tcp6-tcpTW))
		tcp.push("orphaned", tcpOrphans)
		tcp.push("timewait", tcpTW)
		o.push("tcp", tcp)
		for _, r := range []struct {
			k    string
			a, b int
		}{{"raw", raw4, raw6}, {"udp", udp4, udp6}, {"tcp_hashed", tcp4, tcp6}, {"inet", raw4 + udp4 + tcp4, raw6 + udp6 + tcp6}, {"frag", frag4, frag6}} {
			x := &jsonObject{}
			x.push("total", r.a+r.b)
			x.push("ip", r.a)
			x.push("ipv6", r.b)
			o.push(r.k, x)
		}
		return writeJSON(e, o)
	}
	w := e.stdout
	fmt.Fprintf(w, "Total: %d\n", socks)
	fmt.Fprintf(w, "TCP:   %d (estab %d, closed %d, orphaned %d, timewait %d)\n", tcpTotal+tcpTW, estab, tcpTotal-(tcp4+tcp6-tcpTW), tcpOrphans, tcpTW)
	fmt.Fprintf(w, "\n")
	fmt.Fprintf(w, "Transport Total     IP        IPv6\n")
	fmt.Fprintf(w, "RAW\t  %-9d %-9d %-9d\n", raw4+raw6, raw4, raw6)
	fmt.Fprintf(w, "UDP\t  %-9d %-9d %-9d\n", udp4+udp6, udp4, udp6)
	fmt.Fprintf(w, "TCP\t  %-9d %-9d %-9d\n", tcp4+tcp6, tcp4, tcp6)
	fmt.Fprintf(w, "INET\t  %-9d %-9d %-9d\n", raw4+udp4+tcp4+raw6+udp6+tcp6, raw4+udp4+tcp4, raw6+udp6+tcp6)
	fmt.Fprintf(w, "FRAG\t  %-9d %-9d %-9d\n", frag4+frag6, frag4, frag6)
	fmt.Fprintf(w, "\n")
	return nil
}
