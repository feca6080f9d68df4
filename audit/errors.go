package audit

import (
	"fmt"

	"github.com/nlkit/nlkit/netlink"
)

// errMalformed is netlink.ErrMalformed: decoders' errors match it.
var errMalformed = netlink.ErrMalformed

func malformed(format string, a ...any) error {
	return fmt.Errorf("audit: "+format+": %w", append(a, errMalformed)...)
}
