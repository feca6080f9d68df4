package sockdiag

import (
	"bufio"
	"os"
	"strconv"
	"strings"
)

// servicePort looks a service name up in /etc/services (tcp or udp), as
// getservbyname does for ss.
func servicePort(name string) (uint16, bool) {
	f, err := os.Open("/etc/services")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		fs := strings.Fields(line)
		if len(fs) < 2 {
			continue
		}
		ps, _, _ := strings.Cut(fs[1], "/")
		for _, n := range append([]string{fs[0]}, fs[2:]...) {
			if n == name {
				if p, err := strconv.ParseUint(ps, 10, 16); err == nil {
					return uint16(p), true
				}
			}
		}
	}
	return 0, false
}
