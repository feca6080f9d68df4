package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/xfrm"
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
