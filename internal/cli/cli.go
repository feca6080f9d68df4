// Package cli is the nl command line: iproute2's `ip` grammar on nlkit.
// Only cmd/nl uses it, hence internal.
//
// Run takes the words of one command line and writes to the writers it is
// given; parsing is a pure function from words to a request (one parse
// function per object, tested on its own), and execution talks to the
// kernel through the library. Exit codes follow ip: 0 success, 255 (-1) a
// usage error naming the bad word, 1 a command that failed before asking
// the kernel (a device that does not exist, or a word ip reads with
// exit(1): an address, prefix or link-layer address that does not parse),
// 2 an error from the kernel, printed with its extended-ACK message.
//
// The layout: cli.go has the options, the object table (objects, in ip's
// order of abbreviations) and the error report; args.go the one grammar
// toolkit every object reads its words with (the word cursor, ip's error
// helpers, strtoul-exact numbers, the Family type, addresses, prefixes
// and link-layer addresses as ip's get_addr, get_prefix, ll_addr_a2n), with
// ifname.go's check_ifname; jsonfmt.go the printer every object prints
// through, one call per field for text and JSON, and output.go and
// jsonenc.go its output; options.go the run-time side of the global
// options (the program's name in messages, -oneline, -color, -Numeric,
// ip's -pretty layout), brief.go -brief and stats.go -s. Then one file
// per object (address.go, route.go, rule.go, neighbor.go, link.go,
// monitor.go, netns.go, mptcp.go, genl.go, ethtool.go, tuntap.go,
// token.go, addrlabel.go, maddress.go, netconf.go, nexthop.go, ntable.go,
// vrf.go), with link_kind.go (the kinds, one table entry each, as
// iproute2's link_util; kinds_extra.go encodes those the library does not
// model), link_print.go, route_print.go, routesave.go, nsid.go and
// netnsexec.go split out; and batch.go, bulk.go and batchundo.go for
// -batch. A new object adds one entry to the table, a parse function on
// the toolkit and a format function on the printer. Objects the library
// does not model (nexthop, netconf, addrlabel, token, ntable) send and
// read route-netlink messages themselves through rtnl.Conn.Netlink.
//
// Where nl differs from ip on purpose (what ip would send and the library
// cannot), TestWhereNlDiffersFromIP says so; the side-by-side tests in
// likeip_test.go and ipcompat_test.go pin the rest against ip 6.1, nl
// invoked as ip.
package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"

	"github.com/nlkit/nlkit/audit"
	"github.com/nlkit/nlkit/genl"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/netns"
	"github.com/nlkit/nlkit/rtnl"
	"golang.org/x/sys/unix"
)

// Exit codes, as ip uses them.
const (
	ExitOK      = 0
	ExitFailure = 1   // failed before the kernel was asked: Cannot find device "NAME"
	ExitKernel  = 2   // the kernel refused (RTNETLINK answers ...)
	ExitUsage   = 255 // a bad word on the command line
)

// Options are the global options before the object.
type Options struct {
	JSON    bool   // -j: JSON output
	Pretty  bool   // -p: indented JSON
	Details bool   // -d: more details
	Stats   bool   // -s: statistics
	NetNS   string // -n NAME: run in /run/netns/NAME
	Family  Family // -4, -6, -0, -f FAMILY
	Batch   string // -batch FILE ("-" is standard input)
	Force   bool   // -force: go on after a failing batch line
	Oneline bool   // -o: one line per record, continuation lines joined with "\\"

	Brief      bool // -br: ip's brief columns (link, address, neighbour)
	Color      int  // -c[olor][=WHEN]: ColorNever, ColorAuto or ColorAlways
	StatsLevel int  // how many times -s was given (-s -s: the error breakdown)
	Human      bool // -h: statistics in K, M, G (1000s)
	IEC        bool // -iec: with -h, in Ki, Mi, Gi (1024s)
	Numeric    bool // -N: numbers, not names, for protocols, scopes, tables, types
	Resolve    bool // -r: host names for addresses (resolve.go)
	Timestamp  bool // -t: monitor prints a timestamp before each event
	TShort     bool // -ts: the short form of the timestamp
	All        bool // -a: netns exec in every named namespace
	Loops      int  // -l N: flush at most N rounds (0: until done)
	HasLoops   bool // -l was given
	RcvBuf     int  // -rc SIZE: the netlink socket's receive buffer
	Version    bool // -V: print the version and exit
}

// dumpError is an error that ended a dump: ip prints "Dump terminated"
// (or "Flush terminated") after it.
type dumpError struct {
	err  error
	what string // "Dump" or "Flush"
	exit int    // the exit status; 0: the error's own
}

func (e *dumpError) Error() string { return e.err.Error() }
func (e *dumpError) Unwrap() error { return e.err }

// failure is an error that ip prints before its command handler returns -1,
// making it exit with status 1 (ExitFailure) rather than 255.
type failure struct{ msg string }

func (e *failure) Error() string { return e.msg }

func failf(format string, args ...any) error {
	return &failure{msg: fmt.Sprintf(format, args...)}
}

// env is what a command runs with.
type env struct {
	opts   Options
	prog   string    // the program's name: "nl", or "ip" when invoked as ip
	color  bool      // colour the text output (-c)
	stdout io.Writer // buffered; see flush
	stderr io.Writer
	stdin  io.Reader
	ns     *netns.NS // nil: the current namespace

	rawStdout io.Writer // the unbuffered stdout, for child processes
	lineBuf   *line     // see env.line

	dialRT func() (*rtnl.Conn, error) // tests: a fake's further sockets; nil: rtnl.Dial (see dialRoute)

	conn       *rtnl.Conn                                 // see rt
	auditDial  func(*netlink.Config) (*audit.Conn, error) // tests: audittest's fake; nil: the kernel
	names      map[string]int32
	indexes    map[int32]string
	linkFlags  map[int32]rtnl.LinkFlags // monitor: the links' flags as last seen, for M-DOWN
	protoNames map[uint8]string         // /etc/protocols' names, read once (rule show)
	nsids      map[int32]string         // see nsidName
	carriers   map[int32]uint32         // see carrierChanges
	realms     *realmTable              // see realmName
	hosts      *hostResolver            // see host
}

// object is one of nl's objects (link, address, route ...).
type object struct {
	name string
	// run runs the words after the object's name; nil for help, which
	// dispatch runs itself (its run would refer to this table).
	run  func(ctx context.Context, e *env, args []string) error
	help string // printed for "nl OBJECT help" and "nl help OBJECT"
}

// objects are nl's objects in ip's order (ip's cmds table, keeping the
// objects nl has; nl's own, genl and ethtool, before help): a word picks
// the first object it abbreviates, so "a" is address, "r" route, "n"
// neighbor and "l" link, as in ip.
var objects = []object{
	{name: "address", run: runAddress, help: addressHelp},
	{name: "addrlabel", run: runAddrlabel, help: addrlabelHelp},
	{name: "maddress", run: runMaddress, help: maddressHelp},
	{name: "route", run: runRoute, help: routeHelp},
	{name: "rule", run: runRule, help: ruleHelp},
	{name: "neighbor", run: runNeigh, help: neighHelp},
	{name: "neighbour", run: runNeigh, help: neighHelp},
	{name: "ntable", run: runNtable, help: ntableHelp},
	{name: "link", run: runLink, help: linkHelp},
	{name: "tunnel", run: runTunnel, help: tunnelHelp4}, {name: "tunl", run: runTunnel, help: tunnelHelp4},
	{name: "tuntap", run: runTuntap, help: tuntapHelp},
	{name: "token", run: runToken, help: tokenHelp},
	{name: "monitor", run: runMonitor, help: monitorHelp},
	{name: "xfrm", run: runXfrm, help: xfrmHelp},
	{name: "mroute", run: runMroute, help: mrouteHelp},
	{name: "netns", run: runNetns, help: netnsHelp},
	{name: "netconf", run: runNetconf, help: netconfHelp},
	{name: "vrf", run: runVrf, help: vrfHelp},
	{name: "nexthop", run: runNexthop, help: nexthopHelp},
	{name: "mptcp", run: runMptcp, help: mptcpHelp},
	{name: "genl", run: runGenl, help: genlHelp},
	{name: "ethtool", run: runEthtool, help: ethtoolHelp},
	{name: "nfqueue", run: runNfqueue, help: nfqueueHelp},
	{name: "conntrack", run: runConntrack, help: conntrackHelp},
	{name: "ynl", run: runYnl, help: ynlHelp},
	{name: "nflog", run: runNflog, help: nflogHelp},
	{name: "audit", run: runAudit, help: auditHelp},
	{name: "ss", run: runSS, help: ssHelp},
	{name: "help", help: mainHelp},
	{name: "stats", run: runStats, help: statsHelp}, // after help, as in ip's table
}

// lookupObject finds the object a word abbreviates.
func lookupObject(word string) (*object, bool) {
	for i := range objects {
		if matches(word, objects[i].name) {
			return &objects[i], true
		}
	}
	return nil, false
}

// matches reports whether word abbreviates name, as ip's matches() does.
func matches(word, name string) bool {
	return word != "" && strings.HasPrefix(name, word)
}

// Run executes one nl command line (args without the program name) and
// returns the exit code. It never panics on bad input: every error is
// printed to stderr in ip's words.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return RunWithInput(ctx, args, os.Stdin, stdout, stderr)
}

// RunWithInput is Run with standard input given (for -batch -).
func RunWithInput(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return RunProgram(ctx, "nl", args, stdin, stdout, stderr)
}

// RunProgram is RunWithInput for the program named prog: "ip" when nl is
// invoked as ip (argv[0]), so that its help, usage and error texts name ip
// as ip's do ("try \"ip help\"", "Usage: ip neigh ..."), for scripts that
// probe them.
func RunProgram(ctx context.Context, prog string, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if prog != "nl" {
		stderr = &progWriter{w: stderr, prog: prog}
	}
	opts, rest, err := ParseOptions(args)
	if err != nil {
		return report(stderr, err)
	}
	if opts.Version {
		fmt.Fprintf(stdout, "%s utility, iproute2-%s, nlkit\n", prog, ipVersion)
		return ExitOK
	}
	// Output is buffered: a million routes must not cost a million
	// writes. Whatever must appear at once (monitor events) calls flush.
	out := bufio.NewWriterSize(stdout, 64<<10)
	var sout flushWriter = out
	if opts.Oneline {
		sout = &onelineWriter{w: out}
	}
	defer sout.Flush()
	e := &env{opts: opts, prog: prog, stdout: sout, rawStdout: stdout, stderr: stderr, stdin: stdin}
	e.color = opts.Color == ColorAlways || opts.Color == ColorAuto && isTerminal(stdout)
	if opts.JSON {
		e.color = false
	}
	if opts.NetNS != "" {
		ns, err := netns.Open(opts.NetNS)
		if err != nil {
			fmt.Fprintf(stderr, "Cannot open network namespace \"%s\": %v\n", opts.NetNS, unwrapErrno(err))
			return ExitUsage
		}
		defer ns.Close()
		e.ns = ns
	}
	defer e.closeConns()
	if opts.Batch != "" {
		return runBatch(ctx, e)
	}
	if len(rest) == 0 {
		fmt.Fprint(stderr, mainHelp)
		return ExitUsage
	}
	return report(stderr, dispatch(ctx, e, rest))
}

// dispatch runs one command: OBJECT [COMMAND] [ARGS]. Help goes as ip's
// does: "help [ANYTHING]" and "OBJECT help" print a usage on standard
// error and exit with 255; an unknown object exits with 1.
func dispatch(ctx context.Context, e *env, words []string) error {
	o, ok := lookupObject(words[0])
	switch {
	case !ok:
		return &UsageError{Msg: fmt.Sprintf("Object \"%s\" is unknown, try \"nl help\".", words[0]), Exit: ExitFailure}
	case o.run == nil: // help: ip's do_help prints its usage whatever follows
		return &UsageError{Msg: strings.TrimSuffix(mainHelp, "\n")}
	case len(words) < 2 || !matches(words[1], "help") || o.name == "tunnel" || o.name == "tunl" || // tunnel: -6's help too
		o.name == "stats": // ip stats help exits 0
		return o.run(ctx, e, words[1:])
	case o.name == "link" && len(words) > 2:
		return e.linkKindHelp(words[2])
	}
	return &UsageError{Msg: strings.TrimSuffix(o.help, "\n")}
}

// ParseOptions parses the global options and returns the rest of the
// words. It reads them as ip 6.1's main does: in its order of
// abbreviations ("-b" is -batch, "-br" -brief, "-h" -human, "-r" -resolve,
// "-rc" -rcvbuf, "-t" -timestamp, "-ts" -tshort, "-l" -loops), "--" before
// an option's name as "-", and "--" alone ending the options. An option
// nl does not know is an error: ip's usage, exit status 255.
func ParseOptions(args []string) (Options, []string, error) {
	var o Options
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		opt := args[0]
		if opt == "--" {
			args = args[1:]
			break
		}
		if strings.HasPrefix(opt, "--") {
			opt = opt[1:]
		}
		args = args[1:]
		// need takes the option's argument; ip prints its usage
		// without one.
		need := func() (string, error) {
			if len(args) == 0 {
				return "", &UsageError{Msg: strings.TrimSuffix(mainHelp, "\n")}
			}
			v := args[0]
			args = args[1:]
			return v, nil
		}
		m := func(name string) bool { return matches(opt, name) }
		var err error
		switch {
		case opt == "-":
			err = usagef("Option \"%s\" is unknown, try \"nl -help\".", opt)
		case m("-loops"):
			var v string
			if v, err = need(); err == nil {
				o.Loops = atoi(v)
				o.HasLoops = true
			}
		case m("-family"):
			var f string
			if f, err = need(); err == nil {
				if o.Family, err = parseFamily(f); err != nil {
					err = errInvarg("invalid protocol family", f)
				}
			}
		case opt == "-4":
			o.Family = FamilyInet
		case opt == "-6":
			o.Family = FamilyInet6
		case opt == "-0":
			o.Family = FamilyLink
		case opt == "-M" || opt == "-B":
			err = usagef("Option \"%s\" (the %s family) is not supported by nl.", opt, map[string]string{"-M": "mpls", "-B": "bridge"}[opt])
		case m("-human") || m("-human-readable"):
			o.Human = true
		case m("-iec"):
			o.IEC = true
		case m("-stats") || m("-statistics"):
			o.Stats = true
			o.StatsLevel++
		case m("-details"):
			o.Details = true
		case m("-resolve"):
			o.Resolve = true
		case m("-oneline"):
			o.Oneline = true
		case m("-timestamp"):
			o.Timestamp = true
		case m("-tshort"):
			o.Timestamp, o.TShort = true, true
		case m("-Version"):
			o.Version = true
			return o, args, nil
		case m("-force"):
			o.Force = true
		case m("-batch"):
			o.Batch, err = need()
		case m("-brief"):
			o.Brief = true
		case m("-json"):
			o.JSON = true
		case m("-pretty"):
			o.Pretty = true
		case m("-rcvbuf"):
			var v string
			if v, err = need(); err == nil {
				n, ok := getU32(v)
				if !ok {
					err = usagef("Invalid rcvbuf size '%s'", v)
				}
				o.RcvBuf = int(n)
			}
		case matchesColor(opt, &o.Color):
		case m("-help"):
			err = &UsageError{Msg: strings.TrimSuffix(mainHelp, "\n")}
		case m("-netns"):
			if o.NetNS, err = need(); err == nil && o.NetNS == "" {
				err = usagef("Cannot open network namespace \"\": No such file or directory")
			}
		case m("-Numeric"):
			o.Numeric = true
		case m("-all"):
			o.All = true
		default:
			err = usagef("Option \"%s\" is unknown, try \"nl -help\".", opt)
		}
		if err != nil {
			return o, nil, err
		}
	}
	return o, args, nil
}

// The values of -color, as ip's COLOR_OPT_*.
const (
	ColorNever  = 0
	ColorAuto   = 1
	ColorAlways = 2
)

// matchesColor reads -c[olor][=always|auto|never] as ip's matches_color:
// a value it does not know makes the word no colour option at all.
func matchesColor(opt string, color *int) bool {
	name, val, _ := strings.Cut(opt, "=")
	if !matches(name, "-color") {
		return false
	}
	switch val {
	case "", "always":
		*color = ColorAlways
	case "auto":
		*color = ColorAuto
	case "never":
		*color = ColorNever
	default:
		return false
	}
	return true
}

// atoi is C's atoi: the leading blanks, sign and digits of s, 0 when
// there are none.
func atoi(s string) int {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	n := 0
	for i := 0; i < len(s) && s[i] >= '0' && s[i] <= '9' && n < 1<<31; i++ {
		n = n*10 + int(s[i]-'0')
	}
	if neg {
		return -n
	}
	return n
}

// report prints err the way ip does and returns the exit code.
// flush writes out buffered output (before anything else may write to the
// same file, and after each streamed record).
func (e *env) flush() error {
	if f, ok := e.stdout.(flushWriter); ok {
		return f.Flush()
	}
	return nil
}

func report(w io.Writer, err error) int {
	if err == nil {
		return ExitOK
	}
	var de *dumpError
	if errors.As(err, &de) {
		var ne *netlink.Error
		if errors.As(de.err, &ne) && ne.Message == "" && (ne.Errno == unix.ENOENT || ne.Errno == unix.EOPNOTSUPP) {
			// ip's rtnl_dump_done says nothing of these two: only that the
			// dump ended.
			fmt.Fprintf(w, "%s terminated\n", de.what)
			if de.exit != 0 {
				return de.exit
			}
			return ExitKernel
		}
		code := report(w, de.err)
		fmt.Fprintf(w, "%s terminated\n", de.what)
		if de.exit != 0 {
			code = de.exit
		}
		return code
	}
	var xe *exitError
	if errors.As(err, &xe) {
		return xe.code
	}
	var ue *UsageError
	if errors.As(err, &ue) {
		fmt.Fprintln(w, ue.Msg)
		if ue.Exit != 0 {
			return ue.Exit
		}
		return ExitUsage
	}
	var fe *failure
	if errors.As(err, &fe) {
		fmt.Fprintln(w, fe.msg)
		return ExitFailure
	}
	if errors.Is(err, genl.ErrFamilyNotFound) {
		// Not route netlink: no "RTNETLINK answers". Name the family and
		// the kernel's errno.
		msg, _, _ := strings.Cut(err.Error(), ": netlink:")
		fmt.Fprintf(w, "Error: %s: %s\n", msg, unwrapErrno(err))
		return ExitKernel
	}
	var ne *netlink.Error
	if errors.As(err, &ne) {
		if ne.Message != "" {
			fmt.Fprintf(w, "Error: %s.\n", strings.TrimSuffix(ne.Message, "."))
		} else {
			fmt.Fprintf(w, "RTNETLINK answers: %s\n", capitalize(ne.Errno.Error()))
		}
		return ExitKernel
	}
	if errors.Is(err, context.Canceled) {
		return ExitOK // interrupted by a signal: ip exits quietly too
	}
	fmt.Fprintf(w, "Error: %v\n", err)
	return ExitKernel
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// unwrapErrno gives the innermost error's text, as ip prints strerror.
func unwrapErrno(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return capitalize(errno.Error())
	}
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return capitalize(err.Error())
		}
		err = u
	}
}
