//go:build race

package netlink

// raceEnabled: the race detector makes sync.Pool drop items at random, so
// allocation counts are checked only without it.
const raceEnabled = true
