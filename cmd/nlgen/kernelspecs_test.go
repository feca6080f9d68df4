package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/apitest"
	"github.com/nlkit/nlkit/internal/kernelsrc"
	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/ynl"
)

// The kernel's own specs, opt-in (NLKIT_YNL_KERNEL_SPECS=1; .ci/run sets
// it): the repository does not carry them, so this test fetches Debian's
// linux-source-6.12 with apt-get download, extracts
// Documentation/netlink/specs only, caches them ($XDG_CACHE_HOME or the
// user cache dir, nlkit/linux-source-6.12-specs), loads every spec
// strictly, generates a package for each, and builds and vets them all.
// When the package cannot be fetched it skips, saying why.
func TestKernelSpecs(t *testing.T) {
	if os.Getenv("NLKIT_YNL_KERNEL_SPECS") == "" {
		t.Skip("opt-in: set NLKIT_YNL_KERNEL_SPECS=1 to fetch linux-source-6.12 and check its netlink specs")
	}
	start := time.Now()
	dir := kernelSpecs(t)
	fetched := time.Since(start)
	files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if len(files) < 15 {
		t.Fatalf("%s: %d specs", dir, len(files))
	}
	sort.Strings(files)

	out, err := os.MkdirTemp(".", "kernelspecs-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(out)
	loaded, generated := 0, 0
	var pkgs []string
	for _, f := range files {
		s, err := ynl.SpecFile(f)
		if err != nil {
			t.Errorf("load: %v", err)
			continue
		}
		loaded++
		for _, w := range s.Warnings {
			t.Logf("%s: warning: %s", filepath.Base(f), w)
		}
		pkg := "k" + PackageName(s.Name)
		src, err := generate(s, pkg, filepath.Base(f))
		if err != nil {
			t.Errorf("generate %s: %v", f, err)
			continue
		}
		d := filepath.Join(out, pkg)
		os.MkdirAll(d, 0o755)
		if err := os.WriteFile(filepath.Join(d, pkg+".go"), src, 0o644); err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, "./"+filepath.ToSlash(d))
		generated++
	}
	compiled := 0
	args := append([]string{"vet"}, pkgs...)
	cmd := exec.Command("go", args...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("go vet (builds too) of the generated packages: %v\n%s", err, b)
	} else {
		compiled = len(pkgs)
	}
	// the vocabulary of the project, with the family packages' allow-list
	allow := apitest.Allow{"Join*": "multicast membership", "Leave*": "multicast membership",
		"Execute*": "operations named by a verb of their own (bind-rx, accept): Execute and the spec's name"}
	var parsed []*apitest.Package
	for _, p := range pkgs {
		parsed = append(parsed, apitest.MustParseDir(t, p))
	}
	checked := apitest.Check(t, allow, parsed...)
	t.Run("runtime", func(t *testing.T) { kernelSpecsRuntime(t, dir) })
	t.Logf("linux-source-6.12: %d specs, %d loaded strictly, %d generated, %d compiled and vetted, %d methods in the vocabulary (fetch/cache %v, total %v)",
		len(files), loaded, generated, compiled, checked, fetched.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
}

// kernelSpecs returns a directory with the specs of linux-source-6.12,
// from the cache or fetched.
func kernelSpecs(t *testing.T) string {
	dir := kernelsrc.CacheDir("linux-source-6.12-specs")
	if m, _ := filepath.Glob(filepath.Join(dir, "*.yaml")); len(m) > 0 {
		t.Logf("specs from the cache %s", dir)
		return dir
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		t.Fatal(err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), "specs-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	n, err := kernelsrc.Fetch(tmp, func(name string) (string, bool) {
		d, file := filepath.Split(name)
		return file, strings.HasSuffix(d, "/Documentation/netlink/specs/") && strings.HasSuffix(file, ".yaml")
	})
	if errors.Is(err, kernelsrc.ErrUnavailable) {
		t.Skip(err)
	}
	if err != nil || n == 0 {
		t.Fatalf("extract: %d specs, %v", n, err)
	}
	os.RemoveAll(dir)
	if err := os.Rename(tmp, dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

// kernelSpecsRuntime drives the runtime client with the kernel's own specs
// in a throwaway namespace: every reply of these dumps and requests decodes
// without error (sub-messages of rt-link included), and the objects are
// there.
func kernelSpecsRuntime(t *testing.T, dir string) {
	ns := kerneltest.NetNS(t)
	kerneltest.Run(t, ns, "ip", "link", "add", "kv0", "type", "veth", "peer", "name", "kv1")
	kerneltest.Run(t, ns, "ip", "link", "add", "kbr0", "type", "bridge")
	kerneltest.Run(t, ns, "ip", "link", "set", "kv0", "master", "kbr0")
	kerneltest.Run(t, ns, "ip", "addr", "add", "198.18.0.1/24", "dev", "kv1")
	kerneltest.Run(t, ns, "ip", "link", "set", "kv1", "up")
	ctx := t.Context()
	for _, c := range []struct {
		family, op string
		do         bool
		req        map[string]any
		min        int
	}{
		{"netdev", "dev-get", false, nil, 4},
		{"rt-link", "getlink", false, nil, 4},
		{"rt-addr", "getaddr", false, map[string]any{"ifa-family": 2}, 2},
		{"rt-route", "getroute", false, map[string]any{"rtm-family": 2}, 2},
		{"nlctrl", "getfamily", false, nil, 5},
		{"ethtool", "linkinfo-get", false, map[string]any{"header": map[string]any{}}, 3},
		{"ethtool", "channels-get", true, map[string]any{"header": map[string]any{"dev-name": "kv1"}}, 1},
		{"ethtool", "features-get", true, map[string]any{"header": map[string]any{"dev-name": "kv1"}}, 1},
		{"mptcp_pm", "get-limits", true, nil, 1},
		{"tcp_metrics", "get", false, nil, 0},
	} {
		p, err := ynl.SpecPath(dir, c.family)
		if err != nil {
			t.Fatal(err)
		}
		s, err := ynl.SpecFile(p)
		if err != nil {
			t.Fatal(err)
		}
		cn, err := ynl.Dial(s, &netlink.Config{NetNS: ns})
		if err != nil {
			t.Fatal(err)
		}
		var got []map[string]any
		if c.do {
			got, err = cn.Execute(ctx, c.op, c.req, 0)
		} else {
			for v, e := range cn.Dump(ctx, c.op, c.req) {
				if err = e; err != nil {
					break
				}
				got = append(got, ynl.Clone(v)) // Dump reuses its trees
			}
		}
		cn.Close()
		if err != nil || len(got) < c.min {
			t.Errorf("%s %s: %d replies, %v", c.family, c.op, len(got), err)
			continue
		}
		if c.family == "rt-link" {
			kinds := map[string]bool{}
			for _, v := range got {
				if li, ok := v["linkinfo"].(map[string]any); ok {
					if _, ok := li["data"].(map[string]any); ok {
						kinds[fmt.Sprint(li["kind"])] = true
					}
				}
			}
			if !kinds["bridge"] {
				t.Errorf("rt-link: linkinfo data decoded for %v, want bridge", kinds)
			}
		}
		t.Logf("%s %s: %d replies", c.family, c.op, len(got))
	}
}
