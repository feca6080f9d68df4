// Package kernelsrc fetches files of the kernel's own source tree (the
// netlink specs, the net selftests) from Debian's linux-source-6.12
// package, for the opt-in tests that check nlkit against them. It runs
// apt-get download, dpkg-deb and xz; when one is missing or the download
// fails, Fetch's error matches ErrUnavailable and the caller skips.
//
// The functions hold no state and may be called concurrently with
// different destinations.
package kernelsrc

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Package is the Debian package the files come from.
const Package = "linux-source-6.12"

// ErrUnavailable is matched by Fetch's error when the source cannot be
// had on this machine (a tool or the network is missing).
var ErrUnavailable = errors.New("kernelsrc: linux-source-6.12 cannot be fetched here")

// CacheDir is where a test keeps what it extracted between runs:
// $XDG_CACHE_HOME (or the user cache dir, or the temporary dir)/nlkit/name.
func CacheDir(name string) string {
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		var err error
		if cache, err = os.UserCacheDir(); err != nil {
			cache = os.TempDir()
		}
	}
	return filepath.Join(cache, "nlkit", name)
}

// Fetch downloads linux-source-6.12 into a temporary directory and writes
// under dst the regular files of its source tarball that keep maps (a
// name in the tarball, such as
// "linux-source-6.12/Documentation/netlink/specs/rt-link.yaml", to a path
// relative to dst). It returns how many it wrote.
func Fetch(dst string, keep func(name string) (string, bool)) (int, error) {
	for _, tool := range []string{"apt-get", "dpkg-deb", "xz"} {
		if _, err := exec.LookPath(tool); err != nil {
			return 0, fmt.Errorf("%w: %s is missing (Debian: apt, dpkg, xz-utils)", ErrUnavailable, tool)
		}
	}
	tmp, err := os.MkdirTemp("", "kernelsrc-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(tmp)
	get := exec.Command("apt-get", "download", Package)
	get.Dir = tmp
	if b, err := get.CombinedOutput(); err != nil {
		return 0, fmt.Errorf("%w: apt-get download: %v\n%s", ErrUnavailable, err, b)
	}
	debs, _ := filepath.Glob(filepath.Join(tmp, Package+"_*.deb"))
	if len(debs) != 1 {
		return 0, fmt.Errorf("%w: apt-get download left %v", ErrUnavailable, debs)
	}
	// The package's data is a tar holding usr/src/linux-source-6.12.tar.xz,
	// itself a tar.
	fsys := exec.Command("dpkg-deb", "--fsys-tarfile", debs[0])
	outer, err := fsys.StdoutPipe()
	if err != nil {
		return 0, err
	}
	if err := fsys.Start(); err != nil {
		return 0, err
	}
	defer fsys.Wait()
	tr := tar.NewReader(outer)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return 0, errors.New("kernelsrc: no source tar.xz in " + filepath.Base(debs[0]))
		}
		if err != nil {
			return 0, err
		}
		if strings.HasSuffix(h.Name, ".tar.xz") {
			n, err := UntarXZ(tr, keep, dst)
			io.Copy(io.Discard, outer)
			return n, err
		}
	}
}

// UntarXZ decompresses r with xz and writes the regular files whose names
// keep maps to a path under dst (a path with ".." is skipped); it returns
// how many it wrote.
func UntarXZ(r io.Reader, keep func(string) (string, bool), dst string) (int, error) {
	xz := exec.Command("xz", "-dc")
	xz.Stdin = r
	var stderr bytes.Buffer
	xz.Stderr = &stderr
	inner, err := xz.StdoutPipe()
	if err != nil {
		return 0, err
	}
	if err := xz.Start(); err != nil {
		return 0, err
	}
	n := 0
	tr := tar.NewReader(inner)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			io.Copy(io.Discard, inner)
			xz.Wait()
			return n, err
		}
		to, ok := keep(h.Name)
		if !ok || h.Typeflag != tar.TypeReg || strings.Contains(to, "..") {
			continue
		}
		to = filepath.Join(dst, to)
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			return n, err
		}
		f, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
		if err != nil {
			return n, err
		}
		_, err = io.Copy(f, tr)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return n, err
		}
		n++
	}
	io.Copy(io.Discard, inner)
	if err := xz.Wait(); err != nil {
		return n, fmt.Errorf("xz: %v: %s", err, stderr.String())
	}
	return n, nil
}
