package cli

// nl ynl is the kernel's ynl command line (tools/net/ynl/cli.py) in Go: any
// netlink family described by a YAML spec, driven by package ynl's runtime
// client. It is the one object that makes nl import a YAML library
// (go.yaml.in/yaml/v3, through package ynl): the issue asks for `nl ynl`,
// and specs are YAML.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/ynl"
)

const ynlHelp = `Usage: nl ynl SPEC --list-ops
       nl ynl SPEC --do OP [ --json JSON ] [ FLAGS ]
       nl ynl SPEC --dump OP [ --json JSON ]
       nl ynl SPEC --subscribe GROUP [ --duration SECONDS ]
SPEC  := { --spec FILE | --family NAME --specs DIR }
FILE  := a netlink spec (the kernel's Documentation/netlink/specs/*.yaml,
         or your own family's); --family finds NAME's file in DIR
         (rt-addr finds rt_addr.yaml or rt-addr.yaml)
JSON  := the request's attributes and fixed-header members by their
         names in the spec: '{"header": {"dev-name": "eth0"}}'
FLAGS := [ --create ] [ --excl ] [ --replace ] [ --append ]
Replies print as JSON, one object per line (-p: indented); a dump prints
one array. Binary values are hex strings, enums and flags their names.
`

// ynlRequest is a parsed ynl command.
type ynlRequest struct {
	spec      string
	family    string // --family, found in specs
	specs     string
	listOps   bool
	do, dump  string
	subscribe []string
	json      string
	flags     netlink.Flags
	duration  time.Duration
}

// parseYnl turns the words after "ynl" into a request. Options take one or
// two dashes, and --opt=value, as the kernel's ynl (argparse) does.
func parseYnl(args []string) (ynlRequest, error) {
	var r ynlRequest
	a := wordsOf(args)
	if !a.more() {
		return r, usagef("%s", strings.TrimSuffix(ynlHelp, "\n"))
	}
	for a.more() {
		w := a.next()
		key, val, hasVal := strings.Cut(strings.TrimLeft(w, "-"), "=")
		if !strings.HasPrefix(w, "-") {
			return r, errBadWord("ynl: unexpected \"%s\"; options start with --", w)
		}
		value := func() (string, error) {
			if hasVal {
				return val, nil
			}
			return a.value()
		}
		var err error
		switch key {
		case "spec":
			r.spec, err = value()
		case "family":
			r.family, err = value()
		case "specs":
			r.specs, err = value()
		case "list-ops":
			r.listOps = true
		case "do":
			r.do, err = value()
		case "dump":
			r.dump, err = value()
		case "subscribe":
			var g string
			g, err = value()
			r.subscribe = append(r.subscribe, g)
		case "json":
			r.json, err = value()
		case "create":
			r.flags |= netlink.Create
		case "excl":
			r.flags |= netlink.Excl
		case "replace":
			r.flags |= netlink.Replace
		case "append":
			r.flags |= netlink.Append
		case "duration", "sleep":
			var s string
			if s, err = value(); err == nil {
				f, perr := strconv.ParseFloat(s, 64)
				if perr != nil || f < 0 {
					return r, errInvarg("\"duration\" must be a number of seconds", s)
				}
				r.duration = time.Duration(f * float64(time.Second))
			}
		default:
			return r, errBadWord("ynl: unknown option \"%s\"", w)
		}
		if err != nil {
			return r, err
		}
	}
	if (r.spec == "") == (r.family == "") || (r.family != "" && r.specs == "") {
		return r, usagef("ynl: give --spec FILE, or --family NAME --specs DIR")
	}
	n := 0
	for _, b := range []bool{r.listOps, r.do != "", r.dump != ""} {
		if b {
			n++
		}
	}
	if n > 1 || (n == 0 && len(r.subscribe) == 0) {
		return r, usagef("ynl: give one of --list-ops, --do OP, --dump OP (and/or --subscribe GROUP)")
	}
	if r.json != "" && !json.Valid([]byte(r.json)) {
		return r, errInvarg("--json is not valid JSON", r.json)
	}
	return r, nil
}

func runYnl(ctx context.Context, e *env, args []string) error {
	r, err := parseYnl(args)
	if err != nil {
		return err
	}
	if r.family != "" {
		if r.spec, err = ynl.SpecPath(r.specs, r.family); err != nil {
			return failf("%v", err)
		}
	}
	spec, err := ynl.SpecFile(r.spec)
	if err != nil {
		return failf("%v", err)
	}
	if r.listOps {
		for _, o := range spec.Operations.List {
			var modes []string
			for _, m := range []struct {
				ok   bool
				name string
			}{{o.Do != nil, "do"}, {o.Dump != nil, "dump"}, {o.Notify != "", "notify"}, {o.Event != nil, "event"}} {
				if m.ok {
					modes = append(modes, m.name)
				}
			}
			if len(modes) > 0 {
				fmt.Fprintf(e.stdout, "%s: %s\n", o.Name, strings.Join(modes, ", "))
			}
		}
		return nil
	}
	var req map[string]any
	if r.json != "" {
		if req, err = ynl.ValueFromJSON([]byte(r.json)); err != nil {
			return errInvarg(err.Error(), r.json)
		}
	}
	c, err := ynl.Dial(spec, &netlink.Config{NetNS: e.ns})
	if err != nil {
		return failf("%v", err)
	}
	defer c.Close()
	for _, g := range r.subscribe {
		if err := c.JoinGroup(ctx, g); err != nil {
			return ynlFail(e, err)
		}
	}
	switch {
	case r.do != "":
		replies, err := c.Execute(ctx, r.do, req, r.flags)
		if err != nil {
			return ynlFail(e, err)
		}
		for _, v := range replies {
			if err := ynlWrite(e, v); err != nil {
				return err
			}
		}
	case r.dump != "":
		arr := e.beginJSONArray()
		for v, err := range c.Dump(ctx, r.dump, req) {
			if err != nil {
				return ynlFail(e, err)
			}
			b, err := ynl.JSON(v, "")
			if err != nil {
				return err
			}
			if err := arr.add(json.RawMessage(b)); err != nil {
				return err
			}
		}
		if err := arr.end(); err != nil {
			return err
		}
	}
	if len(r.subscribe) == 0 {
		return nil
	}
	if err := e.flush(); err != nil {
		return err
	}
	if r.duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, r.duration)
		defer cancel()
	}
	for ev, err := range c.Events(ctx) {
		if errors.Is(err, netlink.ErrOverrun) {
			fmt.Fprintln(e.stderr, "Warning: notifications were lost (receive buffer overrun)")
			continue
		}
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
			return nil
		}
		if err != nil {
			return ynlFail(e, err)
		}
		if err := ynlWrite(e, map[string]any{"name": ev.Op, "group": ev.Group, "msg": ev.Attrs}); err != nil {
			return err
		}
		if err := e.flush(); err != nil {
			return err
		}
	}
	return nil
}

// ynlWrite prints one value tree as a line of JSON (indented with -p).
func ynlWrite(e *env, v any) error {
	b, err := ynl.JSON(v, "")
	if err != nil {
		return err
	}
	return writeJSON(e, json.RawMessage(b))
}

// ynlFail prints an error with the spec's attribute names ("Error:
// ethtool: channels-get: header.dev-index: no such device") and exits as
// ip does when the kernel refused (2), or 1 when nothing was sent.
func ynlFail(e *env, err error) error {
	fmt.Fprintf(e.stderr, "Error: %v\n", err)
	if _, ok := errors.AsType[*netlink.Error](err); ok {
		return &exitError{code: ExitKernel}
	}
	return &exitError{code: ExitFailure}
}
