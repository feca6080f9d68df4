package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/xfrm"
	"github.com/nlkit/nlkit/xfrm/xfrmtest"
)

// xfrmEnv is an env writing to buffers, for formatting tests.
func xfrmEnv(args ...string) (*env, *bytes.Buffer, []string) {
	opts, rest, _ := ParseOptions(args)
	var out bytes.Buffer
	return &env{opts: opts, stdout: &out, rawStdout: &out, stderr: &out, stdin: strings.NewReader("")}, &out, rest
}

// Bad words fail as ip's do, with its messages and exit codes.
func TestXfrmParseErrors(t *testing.T) {
	for _, c := range []struct {
		args string
		want string
		code int
	}{
		{"xfrm state bogus", `Command "bogus" is unknown, try "nl xfrm state help".`, ExitUsage},
		{"xfrm policy bogus", `Command "bogus" is unknown, try "nl xfrm policy help".`, ExitUsage},
		{"xfrm policy add dir sideways", `Error: argument "sideways" is wrong: DIR value is invalid`, ExitUsage},
		{"xfrm policy add src 198.18.0.0/24", `Not enough information: DIR is required.`, ExitFailure},
		{"xfrm state add src 198.18.0.1 dst 198.18.0.2 proto bogus", `Error: argument "bogus" is wrong: XFRM-PROTO value is invalid`, ExitUsage},
		{"xfrm state add src 198.18.0.1 dst 198.18.0.2 proto esp spi 1 mode sideways", `Error: argument "sideways" is wrong: MODE value is invalid`, ExitUsage},
		{"xfrm state add src 198.18.0.1 dst 198.18.0.2 proto esp spi 1", `ALGO-TYPE value "enc" or "aead" is required with XFRM-PROTO value "esp"`, ExitFailure},
		{"xfrm state add src 198.18.0.1 dst 198.18.0.2 proto esp spi 1 flag esn enc cbc(aes) 0x00", "Error: esn flag set without replay-window.", ExitUsage},
		{"xfrm state add src 198.18.0.1 dst 198.18.0.2 proto esp spi 1 enc cbc(aes) 0xzz", `Error: argument "0xzz" is wrong: ALGO-KEYMAT value is invalid`, ExitUsage},
		{"xfrm state add src 198.18.0.1 dst 198.18.0.2 proto esp spi 1 enc cbc(aes)", `Error: argument "ALGO-KEYMAT" is required`, ExitUsage},
		{"xfrm state add src 198.18.0.1 dst 198.18.0.2 proto esp spi 1 frob", `Error: argument "frob" is wrong: unknown`, ExitUsage},
		{"xfrm state get src 198.18.0.1", `Error: argument "XFRM-PROTO" is required`, ExitUsage},
		{"xfrm policy setdefault in maybe", `Error: argument "maybe" is wrong: in policy value is invalid`, ExitUsage},
		{"xfrm monitor bogus", `Argument "bogus" is unknown, try "nl xfrm monitor help".`, ExitUsage},
		{"xfrm state add src 198.18.0.1 dst 198.18.0.2 proto esp spi 1 enc cbc(aes) 0x00 sel src nowhere", `Error: any valid prefix is expected rather than "nowhere".`, ExitFailure},
	} {
		_, stderr, code := run(t, strings.Fields(c.args)...)
		if code != c.code || strings.TrimSuffix(stderr, "\n") != c.want {
			t.Errorf("nl %s: exit %d %q, want %d %q", c.args, code, stderr, c.code, c.want)
		}
	}
}

// keyedState is an SA with every kind of key, as nl's parser reads it.
func keyedState(t *testing.T) xfrm.State {
	t.Helper()
	r, err := parseXfrm(strings.Fields("state add src 198.18.0.1 dst 198.18.0.2 proto esp spi 0x100 mode tunnel reqid 5 " +
		"auth-trunc hmac(sha256) 0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff 128 " +
		"enc cbc(aes) 0x000102030405060708090a0b0c0d0e0f mark 7 mask 0xf if_id 9"))
	if err != nil {
		t.Fatal(err)
	}
	return r.state
}

// Keys print only when asked: -s, -d or "keys"; never by default, never
// in JSON without them.
func TestXfrmKeysHidden(t *testing.T) {
	s := keyedState(t)
	for _, c := range []struct {
		args []string
		keys int
		show bool
	}{
		{nil, 0, false}, {[]string{"-s"}, 0, true}, {[]string{"-d"}, 0, true}, {nil, 1, true}, {[]string{"-s"}, -1, false},
		{[]string{"-j"}, 0, false}, {[]string{"-j", "-s"}, 0, true},
	} {
		e, _, _ := xfrmEnv(c.args...)
		p := e.formatState(context.Background(), &s, e.showKeys(&xfrmRequest{keys: c.keys}), "")
		var text string
		if e.opts.JSON {
			b, err := appendJSON(nil, p.obj)
			if err != nil {
				t.Fatal(err)
			}
			var v map[string]any
			if err := json.Unmarshal(b, &v); err != nil {
				t.Fatalf("%v: bad JSON %s: %v", c.args, b, err)
			}
			text = string(b)
			if v["src"] != "198.18.0.1" || v["proto"] != "esp" || v["mode"] != "tunnel" {
				t.Errorf("%v: JSON %s", c.args, b)
			}
		} else {
			text = p.b.String()
		}
		shown := strings.Contains(text, "00112233") || strings.Contains(text, "0001020304")
		if shown != c.show {
			t.Errorf("%v keys %d: keys shown %v, want %v:\n%s", c.args, c.keys, shown, c.show, text)
		}
		if !c.show && !e.opts.JSON && !strings.Contains(text, "<<Keys hidden>>") {
			t.Errorf("%v: no <<Keys hidden>>:\n%s", c.args, text)
		}
	}
}

// nl xfrm's commands run on xfrmtest's fake: no root, no kernel, keyed
// SAs a kernel without ESP refuses; the same parsing, library calls and
// output code as against the kernel.
func TestXfrmOnFake(t *testing.T) {
	fake := xfrmtest.NewFake()
	nlc, err := fake.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer nlc.Close()
	c := xfrm.NewConn(nlc)
	nlRun := func(want int, args ...string) string {
		t.Helper()
		e, out, rest := xfrmEnv(args...)
		r, err := parseXfrm(rest[1:])
		if err == nil {
			err = e.execXfrm(context.Background(), c, r)
		}
		if code := report(out, err); code != want {
			t.Fatalf("nl %s: exit %d (want %d): %s", strings.Join(args, " "), code, want, out)
		}
		return out.String()
	}
	const k16 = "0x000102030405060708090a0b0c0d0e0f"
	nlRun(0, "xfrm", "state", "add", "src", "198.18.0.1", "dst", "198.18.0.2", "proto", "esp", "spi", "0x100", "mode", "tunnel", "reqid", "5",
		"auth-trunc", "hmac(sha256)", k16+k16[2:], "128", "enc", "cbc(aes)", k16, "mark", "7", "mask", "0xf")
	nlRun(0, "xfrm", "state", "add", "src", "2001:db8::1", "dst", "2001:db8::2", "proto", "esp", "spi", "0x101", "aead", "rfc4106(gcm(aes))", k16+"10111213", "128")
	nlRun(2, "xfrm", "state", "add", "src", "2001:db8::1", "dst", "2001:db8::2", "proto", "esp", "spi", "0x101", "aead", "rfc4106(gcm(aes))", k16+"10111213", "128")
	nlRun(0, "xfrm", "policy", "add", "src", "198.18.0.0/24", "dst", "198.18.1.0/24", "dir", "out", "tmpl", "proto", "esp", "mode", "tunnel", "src", "198.18.0.1", "dst", "198.18.0.2", "reqid", "5")
	for _, tc := range []struct {
		args []string
		want []string
		not  []string
	}{
		{[]string{"xfrm", "state"}, []string{
			"src 198.18.0.1 dst 198.18.0.2\n\tproto esp spi 0x00000100 reqid 5 mode tunnel\n\treplay-window 0 \n\tmark 0x7/0xf \n" +
				"\tauth-trunc hmac(sha256) <<Keys hidden>> 128\n\tenc cbc(aes) <<Keys hidden>>\n",
			"\taead rfc4106(gcm(aes)) <<Keys hidden>> 128\n"}, []string{"0x0001"}},
		{[]string{"-s", "xfrm", "state", "list", "spi", "0x100"}, []string{"\tenc cbc(aes) 0x000102030405060708090a0b0c0d0e0f (128 bits)\n", "\tlifetime config:\n"}, []string{"aead"}},
		{[]string{"xfrm", "state", "list", "keys", "proto", "esp"}, []string{"\taead rfc4106(gcm(aes)) 0x000102030405060708090a0b0c0d0e0f10111213 128\n"}, nil},
		{[]string{"xfrm", "state", "get", "dst", "198.18.0.2", "proto", "esp", "spi", "0x100", "mark", "7", "mask", "0xf"}, []string{"reqid 5 mode tunnel"}, []string{"0x0001"}},
		{[]string{"-j", "xfrm", "state"}, []string{`"src":"198.18.0.1"`, `"auth-trunc":{"name":"hmac(sha256)","icv":128}`}, []string{"0x0001"}},
		{[]string{"-j", "-s", "xfrm", "state"}, []string{`"enc":{"name":"cbc(aes)","key":"0x000102030405060708090a0b0c0d0e0f"}`}, nil},
		{[]string{"xfrm", "state", "count"}, []string{"\t SAD count 2\n"}, nil},
		{[]string{"xfrm", "policy"}, []string{"src 198.18.0.0/24 dst 198.18.1.0/24 \n\tdir out priority 0 ptype main \n\ttmpl src 198.18.0.1 dst 198.18.0.2\n\t\tproto esp reqid 5 mode tunnel\n"}, nil},
		{[]string{"-j", "xfrm", "policy"}, []string{`"dir":"out"`, `"tmpl":[{"src":"198.18.0.1","dst":"198.18.0.2","proto":"esp","reqid":5,"mode":"tunnel"}]`}, nil},
	} {
		out := nlRun(0, tc.args...)
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("nl %s: no %q in:\n%s", strings.Join(tc.args, " "), w, out)
			}
		}
		for _, w := range tc.not {
			if strings.Contains(out, w) {
				t.Errorf("nl %s: %q in:\n%s", strings.Join(tc.args, " "), w, out)
			}
		}
	}
	nlRun(0, "xfrm", "state", "delete", "dst", "198.18.0.2", "proto", "esp", "spi", "0x100", "mark", "7", "mask", "0xf")
	nlRun(2, "xfrm", "state", "delete", "dst", "198.18.0.2", "proto", "esp", "spi", "0x100", "mark", "7", "mask", "0xf")
	nlRun(0, "xfrm", "state", "flush")
	nlRun(0, "xfrm", "policy", "deleteall")
	if len(fake.StateList()) != 0 || len(fake.PolicyList()) != 0 {
		t.Errorf("left: %d states, %d policies", len(fake.StateList()), len(fake.PolicyList()))
	}
}
