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
// jsonenc.go its output. Then one file per object (address.go, route.go,
// rule.go, neighbor.go, link.go, monitor.go, netns.go, mptcp.go, genl.go,
// ethtool.go), with link_kind.go (the kinds, one table entry each, as
// iproute2's link_util), link_print.go and route_print.go split out; and
// batch.go and bulk.go for -batch. A new object adds one entry to the table,
// a parse function on the toolkit and a format function on the printer.
//
// Where nl differs from ip on purpose (what ip would send and the library
// cannot), TestWhereNlDiffersFromIP says so; the side-by-side tests in
// likeip_test.go pin the rest against ip 6.1.
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
	Oneline bool   // -o: one line per record (accepted; text output is already one line per record where ip does so)
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
	stdout io.Writer // buffered; see flush
	stderr io.Writer
	stdin  io.Reader
	ns     *netns.NS // nil: the current namespace

	rawStdout io.Writer // the unbuffered stdout, for child processes

	conn      *rtnl.Conn                                 // see rt
	auditDial func(*netlink.Config) (*audit.Conn, error) // tests: audittest's fake; nil: the kernel
	scratch   *record                                    // see rtScratch
	names     map[string]int32
	indexes   map[int32]string
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
	{name: "route", run: runRoute, help: routeHelp},
	{name: "rule", run: runRule, help: ruleHelp},
	{name: "neighbor", run: runNeigh, help: neighHelp},
	{name: "neighbour", run: runNeigh, help: neighHelp},
	{name: "link", run: runLink, help: linkHelp},
	{name: "monitor", run: runMonitor, help: monitorHelp},
	{name: "xfrm", run: runXfrm, help: xfrmHelp},
	{name: "netns", run: runNetns, help: netnsHelp},
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
	opts, rest, err := ParseOptions(args)
	if err != nil {
		return report(stderr, err)
	}
	// Output is buffered: a million routes must not cost a million
	// writes. Whatever must appear at once (monitor events) calls flush.
	out := bufio.NewWriterSize(stdout, 64<<10)
	defer out.Flush()
	e := &env{opts: opts, stdout: out, rawStdout: stdout, stderr: stderr, stdin: stdin}
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

// dispatch runs one command: OBJECT [COMMAND] [ARGS].
func dispatch(ctx context.Context, e *env, words []string) error {
	o, ok := lookupObject(words[0])
	switch {
	case !ok:
		return usagef("Object \"%s\" is unknown, try \"nl help\".", words[0])
	case o.run == nil: // help [OBJECT]
		if len(words) > 1 {
			if o, ok = lookupObject(words[1]); !ok {
				return usagef("Object \"%s\" is unknown, try \"nl help\".", words[1])
			}
		}
	case len(words) < 2 || !matches(words[1], "help"):
		return o.run(ctx, e, words[1:])
	}
	_, err := io.WriteString(e.stdout, o.help)
	return err
}

// ParseOptions parses the global options and returns the rest of the words.
func ParseOptions(args []string) (Options, []string, error) {
	var o Options
	for len(args) > 0 && strings.HasPrefix(args[0], "-") && args[0] != "-" {
		opt := args[0]
		if strings.HasPrefix(opt, "--") {
			opt = opt[1:]
		}
		args = args[1:]
		need := func() (string, error) {
			if len(args) == 0 {
				return "", usagef("Option \"%s\" needs an argument.", opt)
			}
			v := args[0]
			args = args[1:]
			return v, nil
		}
		var err error
		switch {
		case opt == "-4":
			o.Family = FamilyInet
		case opt == "-6":
			o.Family = FamilyInet6
		case opt == "-0":
			o.Family = FamilyLink
		case matches(opt[1:], "json"):
			o.JSON = true
		case matches(opt[1:], "pretty"):
			o.Pretty = true
		case matches(opt[1:], "details"):
			o.Details = true
		case matches(opt[1:], "statistics") || matches(opt[1:], "stats"):
			o.Stats = true
		case matches(opt[1:], "oneline"):
			o.Oneline = true
		case matches(opt[1:], "netns"):
			o.NetNS, err = need()
		case matches(opt[1:], "family"):
			var f string
			if f, err = need(); err == nil {
				o.Family, err = parseFamily(f)
			}
		case matches(opt[1:], "batch"):
			o.Batch, err = need()
		case matches(opt[1:], "force"):
			o.Force = true
		default:
			err = usagef("Option \"%s\" is unknown, try \"nl -help\".", opt)
		}
		if err != nil {
			return o, nil, err
		}
	}
	return o, args, nil
}

// report prints err the way ip does and returns the exit code.
// flush writes out buffered output (before anything else may write to the
// same file, and after each streamed record).
func (e *env) flush() error {
	if f, ok := e.stdout.(*bufio.Writer); ok {
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
