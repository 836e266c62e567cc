package target

import (
	"errors"
	"fmt"
	"math/bits"
	"net/netip"
	"strconv"
	"strings"

	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// ErrUnsupported is wrapped by the error for a target type or compound
// engine this minion cannot evaluate (pillar, nodegroup, range, data).
var ErrUnsupported = errors.New("target type not supported")

// Match reports whether the minion with the given id and grains is targeted
// by tgt, read as tgtType, the way the minion-side matchers of Salt do
// (spec/salt-raet.md §3.3; salt/matchers/*_match.py in Salt 3006, the same
// behaviour as salt.minion.Matcher in 2018.3). An empty tgtType is glob, as
// the RAET jobber defaults it.
//
// A malformed target is an error rather than a silent "no": a regular
// expression RE2 cannot express, a grain target without the `:` delimiter,
// an invalid IP address or network, a compound expression that does not
// parse. Pillar-based types (pillar, pillar_pcre, pillar_exact, I@, J@),
// nodegroups (N@; the master expands them before publishing), range (R@)
// and data wrap ErrUnsupported. Any other unknown type is an error too.
func Match(tgtType string, tgt any, id string, grains map[string]any) (bool, error) {
	return Matcher{ID: id, Grains: grains}.Match(tgtType, tgt)
}

// Matcher holds what a minion matches targets against. Delimiter is the
// separator of nested grain keys; empty means ":".
//
// Greedy is the master's reading, Salt's check_minions(greedy=True): the
// master picks the minions to publish to from the grains they last sent,
// and a minion whose grains it does not have (Grains nil) must not be left
// out for that. With Greedy and no grains, a grain, grain_pcre or ipcidr
// target matches once it is well-formed, and so does every G@, P@ and S@
// word of a compound expression; the minion decides itself when the
// publish reaches it.
//
// HasPillar says the matcher was given pillar data to match pillar and
// pillar_pcre targets (and I@, J@ words) against: on a minion its
// in-memory pillar, on the master the pillar cached in data.p, where Pillar
// nil means none is cached yet and Greedy matches, as Salt's
// _check_cache_minions keeps a minion the cache has nothing of. Without
// HasPillar those targets wrap ErrUnsupported, as they always did for a
// matcher that has grains only.
type Matcher struct {
	ID        string
	Grains    map[string]any
	Pillar    map[string]any
	HasPillar bool
	Delimiter string
	Greedy    bool
	// Nodegroups, when not nil, are the nodegroups option the matcher
	// evaluates nodegroup targets and N@ words with, as Salt's
	// nodegroup_match and compound_match do with their opts; nil leaves
	// them unsupported (the master resolves them before publishing).
	Nodegroups map[string]any
}

// greedy reports that grain-based targets match without grains.
func (m Matcher) greedy() bool { return m.Greedy && m.Grains == nil }

// pillarGreedy reports that pillar-based targets match without a pillar.
func (m Matcher) pillarGreedy() bool { return m.Greedy && m.Pillar == nil }

// Match is the function Match with m's id, grains and delimiter.
func (m Matcher) Match(tgtType string, tgt any) (bool, error) {
	ok, err := m.match(tgtType, tgt, m.delimiter())
	var soft *softError
	if errors.As(err, &soft) {
		return false, soft.err
	}
	return ok, err
}

func (m Matcher) delimiter() string {
	if m.Delimiter == "" {
		return DefaultDelimiter
	}
	return m.Delimiter
}

// softError is a failure that Salt's matcher turns into a plain False (it
// logs and returns False or []), so a compound expression carries on with
// False in its place; at the top level it is still reported.
type softError struct{ err error }

func (e *softError) Error() string { return e.err.Error() }
func (e *softError) Unwrap() error { return e.err }

func soft(format string, args ...any) error {
	return &softError{fmt.Errorf(format, args...)}
}

func unsupported(what string) error {
	return fmt.Errorf("%w: %s (this minion has no pillar, nodegroup or range data)", ErrUnsupported, what)
}

func (m Matcher) match(tgtType string, tgt any, delim string) (bool, error) {
	switch tgtType {
	case "", "glob":
		s, ok := tgt.(string)
		if !ok {
			// glob_match returns False for anything but a string.
			return false, nil
		}
		return Glob(s, m.ID), nil
	case "pcre":
		s, ok := tgt.(string)
		if !ok {
			return false, fmt.Errorf("pcre target must be a string, got %s", py.Repr(tgt))
		}
		re, err := py.CompileRegexp(s)
		if err != nil {
			return false, err
		}
		return re.MatchString(m.ID), nil
	case "list":
		return m.listMatch(tgt), nil
	case "grain", "grain_pcre":
		ok, err := subdictTarget(tgtType, "grain", m.Grains, tgt, delim)
		return ok || err == nil && m.greedy(), err
	case "pillar", "pillar_pcre":
		if !m.HasPillar {
			return false, unsupported("target type " + tgtType)
		}
		ok, err := subdictTarget(tgtType, "pillar", m.Pillar, tgt, delim)
		return ok || err == nil && m.pillarGreedy(), err
	case "ipcidr":
		ok, err := m.ipcidrMatch(tgt)
		return ok || err == nil && m.greedy(), err
	case "compound":
		return m.compoundMatch(tgt)
	case "nodegroup":
		if m.Nodegroups == nil {
			return false, unsupported("target type nodegroup")
		}
		return m.nodegroupMatch(tgt)
	case "pillar_exact", "range", "data":
		return false, unsupported("target type " + tgtType)
	}
	return false, fmt.Errorf("unknown target type %q", tgtType)
}

// subdictTarget follows grain_match and pillar_match (and their _pcre
// forms, which match the value as a regular expression): tgt is a path and
// a value joined by delim, looked up in data with SubdictMatch. What Salt
// logs and answers False for is a soft error.
func subdictTarget(tgtType, what string, data map[string]any, tgt any, delim string) (bool, error) {
	s, ok := tgt.(string)
	if !ok {
		return false, soft("%s target must be a string, got %s", tgtType, py.Repr(tgt))
	}
	if !strings.Contains(s, delim) {
		return false, soft("%s target %q has no %q between the %s and the value", what, s, delim, what)
	}
	ok, err := SubdictMatch(data, s, delim, strings.HasSuffix(tgtType, "_pcre"))
	if err != nil {
		return false, soft("%v", err)
	}
	return ok, nil
}

// listMatch follows list_match: a comma-separated string holds the id as one
// of its elements, or a list holds it as a member.
func (m Matcher) listMatch(tgt any) bool {
	switch t := tgt.(type) {
	case string:
		if strings.Contains(t, ","+m.ID+",") || strings.HasPrefix(t, m.ID+",") || strings.HasSuffix(t, ","+m.ID) {
			return true
		}
		return t == m.ID
	}
	list, ok := py.ListItems(tgt)
	if !ok {
		return false
	}
	for _, member := range list {
		if s, ok := member.(string); ok && s == m.ID {
			return true
		}
	}
	return false
}

// ipcidrMatch follows ipcidr_match: an address must be one of the minion's
// ipv4/ipv6 grains; a network (Python's strict ip_network: no host bits set)
// must contain one of them.
func (m Matcher) ipcidrMatch(tgt any) (bool, error) {
	s, ok := tgt.(string)
	if !ok {
		return false, soft("invalid IP/CIDR target: %s", py.Repr(tgt))
	}
	s = strings.TrimSpace(s)
	var (
		addr   netip.Addr
		prefix netip.Prefix
		isNet  bool
	)
	if a, err := netip.ParseAddr(s); err == nil && a.Zone() == "" {
		addr = a
	} else if p, err := parseNetwork(s); err == nil {
		prefix, isNet = p, true
		addr = p.Addr()
	} else {
		return false, soft("invalid IP/CIDR target %q: %v", s, err)
	}
	proto := "ipv4"
	if addr.Is6() {
		proto = "ipv6"
	}
	list, ok := py.ListItems(m.Grains[proto])
	if !ok {
		return false, nil
	}
	for _, member := range list {
		ms, ok := member.(string)
		if !ok {
			continue
		}
		a, err := netip.ParseAddr(ms)
		if err != nil {
			continue
		}
		a = a.WithZone("")
		if isNet && prefix.Contains(a) || !isNet && a == addr {
			return true, nil
		}
	}
	return false, nil
}

// parseNetwork reads a network as ipaddress.ip_network does: an address
// alone is a /32 or /128, and host bits may not be set.
func parseNetwork(s string) (netip.Prefix, error) {
	if !strings.Contains(s, "/") {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return netip.Prefix{}, err
		}
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	if addr, mask, ok := strings.Cut(s, "/"); ok && strings.Contains(mask, ".") {
		// A dotted netmask, as ip_network also accepts: 10.0.0.0/255.0.0.0.
		m, err := netip.ParseAddr(mask)
		if err != nil || !m.Is4() {
			return netip.Prefix{}, fmt.Errorf("invalid netmask %q", mask)
		}
		b := m.As4()
		v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
		ones := bits.LeadingZeros32(^v)
		if v<<ones != 0 {
			return netip.Prefix{}, fmt.Errorf("invalid netmask %q", mask)
		}
		s = addr + "/" + strconv.Itoa(ones)
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	if p.Masked() != p {
		return netip.Prefix{}, fmt.Errorf("%s has host bits set", s)
	}
	return p, nil
}
