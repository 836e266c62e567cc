package pkgmgr

import (
	"context"
	"slices"
	"strings"
	"unicode"
)

// What dnf would install or upgrade (yumpkg.latest_version,
// list_upgrades, upgrade), read from `dnf list` as _yum_pkginfo does.

// dnfHeaders are the lines _strip_headers drops.
var dnfHeaders = []string{"installed packages", "available packages", "available upgrades", "updated packages", "upgraded packages"}

// dnfPkg is one package dnf lists.
type dnfPkg struct{ name, version string }

// dnfList is _yum_pkginfo of `dnf --quiet list <what> [names]`: its
// words taken three at a time (name.arch, version, repo).
func (d Dnf) dnfList(ctx context.Context, what string, names ...string) ([]dnfPkg, error) {
	out, _, _, err := d.Call(ctx, append([]string{"--quiet", "list", what}, names...)...)
	if err != nil {
		return nil, err
	}
	var words []string
	for _, line := range strings.Split(out, "\n") {
		if !slices.Contains(dnfHeaders, strings.ToLower(line)) {
			words = append(words, strings.Fields(line)...)
		}
	}
	var pkgs []dnfPkg
	for i := 0; i+2 < len(words); i += 3 {
		name, arch := words[i], d.Arch()
		if at := strings.LastIndex(name, "."); at >= 0 {
			name, arch = name[:at], name[at+1:]
		}
		if !(slices.Contains(rpmArches32, arch) && slices.Contains(rpmArches32, d.Arch())) && arch != d.Arch() && arch != "noarch" {
			name += "." + arch
		}
		pkgs = append(pkgs, dnfPkg{name: name, version: strings.TrimRight(words[i+1], "-")})
	}
	return pkgs, nil
}

// LatestVersion is yumpkg.latest_version of one name.
func (d Dnf) LatestVersion(ctx context.Context, name string) (string, error) {
	v, err := d.LatestVersions(ctx, []string{name})
	return v[name], err
}

// LatestVersions is yumpkg.latest_version: for each name, the highest
// version `dnf list available` shows that is newer than every installed
// one ("" when none is).
func (d Dnf) LatestVersions(ctx context.Context, names []string) (map[string]string, error) {
	cur, err := d.ListPkgs(ctx, false)
	if err != nil {
		return nil, err
	}
	avail, err := d.dnfList(ctx, "available", names...)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(names))
	for _, name := range names {
		best := ""
		for _, p := range avail {
			if p.name == name && (best == "" || RpmVerCmp(p.version, best) > 0) {
				best = p.version
			}
		}
		for _, v := range strings.Split(cur[name], ",") {
			if best != "" && v != "" && RpmVerCmp(v, best) >= 0 {
				best = ""
			}
		}
		out[name] = best
	}
	return out, nil
}

// Upgradable is yumpkg.list_upgrades: dnf --quiet list upgrades.
func (d Dnf) Upgradable(ctx context.Context, _ bool) (map[string]string, error) {
	pkgs, err := d.dnfList(ctx, "upgrades")
	if err != nil {
		return nil, err
	}
	ups := map[string]string{}
	for _, p := range pkgs {
		ups[p.name] = p.version
	}
	return ups, nil
}

// Upgrade is yumpkg.upgrade: dnf --quiet -y upgrade [pkgs].
func (d Dnf) Upgrade(ctx context.Context, _ bool, only []string) error {
	_, _, _, err := d.Call(ctx, append([]string{"--quiet", "-y", "upgrade"}, only...)...)
	return err
}

// RpmVerCmp compares two [epoch:]version[-release] strings as rpm's
// rpmvercmp does, epoch first.
func RpmVerCmp(a, b string) int {
	ea, ra := splitEpoch(a)
	eb, rb := splitEpoch(b)
	if c := segCmp(ea, eb); c != 0 {
		return c
	}
	return segCmp(ra, rb)
}

func splitEpoch(v string) (string, string) {
	if e, rest, ok := strings.Cut(v, ":"); ok {
		return e, rest
	}
	return "0", v
}

// segCmp is rpmvercmp: runs of digits compare as numbers, runs of
// letters as strings, a numeric run beats a letter one, ~ sorts first.
func segCmp(a, b string) int {
	for a != "" || b != "" {
		a = strings.TrimLeftFunc(a, func(r rune) bool { return !isAlnum(r) && r != '~' })
		b = strings.TrimLeftFunc(b, func(r rune) bool { return !isAlnum(r) && r != '~' })
		if strings.HasPrefix(a, "~") || strings.HasPrefix(b, "~") {
			if !strings.HasPrefix(a, "~") {
				return 1
			}
			if !strings.HasPrefix(b, "~") {
				return -1
			}
			a, b = a[1:], b[1:]
			continue
		}
		if a == "" || b == "" {
			return cmpInt(len(a), len(b))
		}
		digits := unicode.IsDigit(rune(a[0]))
		sa, ra := takeRun(a, digits)
		sb, rb := takeRun(b, digits)
		if sb == "" {
			if digits {
				return 1
			}
			return -1
		}
		if digits {
			sa, sb = strings.TrimLeft(sa, "0"), strings.TrimLeft(sb, "0")
			if c := cmpInt(len(sa), len(sb)); c != 0 {
				return c
			}
		}
		if c := strings.Compare(sa, sb); c != 0 {
			return c
		}
		a, b = ra, rb
	}
	return 0
}

func isAlnum(r rune) bool { return r < 128 && (unicode.IsDigit(r) || unicode.IsLetter(r)) }

func takeRun(s string, digits bool) (string, string) {
	i := 0
	for i < len(s) && isAlnum(rune(s[i])) && unicode.IsDigit(rune(s[i])) == digits {
		i++
	}
	return s[:i], s[i:]
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
