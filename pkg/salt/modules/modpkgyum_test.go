package modules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/saltraet/saltraet/pkg/salt/config"
)

// redhatGrains are those of a Rocky Linux 9 minion: yumpkg with dnf, whose
// versionlock plugin is python3-dnf-plugin-versionlock.
var redhatGrains = map[string]any{"os_family": "RedHat", "os": "Rocky", "osarch": "x86_64", "osrelease": "9.3", "osmajorrelease": 9}

// testYumHold holds and unholds demo (installed) through the fake dnf's
// versionlock plugin, as yumpkg.hold and unhold do, checking the lock
// file it keeps in tmp.
func testYumHold(t *testing.T, e *Executor, tmp string) {
	locks := func() string { b, _ := os.ReadFile(filepath.Join(tmp, "versionlock.list")); return string(b) }
	wantError(t, run(e, "pkg.hold", "demo"), "ERROR executing 'pkg.hold': Cannot proceed, python3-dnf-plugin-versionlock is not installed.")
	wantError(t, run(e, "pkg.unhold", "demo"), "ERROR executing 'pkg.unhold': Cannot proceed, python3-dnf-plugin-versionlock is not installed.")
	pkgtestWant(t, run(e, "pkg.install", "python3-dnf-plugin-versionlock"), `{"python3-dnf-plugin-versionlock":{"old":"","new":"4.3.0-1"}}`)
	wantError(t, run(e, "pkg.hold"), "ERROR executing 'pkg.hold': One of name, pkgs, or sources must be specified.")

	pkgtestWant(t, run(e, "pkg.hold", "demo"), `{"demo":{"name":"demo","changes":{"new":"hold","old":""},"result":true,"comment":"Package demo is now being held."}}`)
	if !strings.Contains(locks(), "\ndemo-0:2.0-1.*\n") {
		t.Fatalf("versionlock.list after hold:\n%s", locks())
	}
	// dnf versionlock exits 0 when no package has the name, so Salt says
	// nope is held; the next list shows it is not.
	pkgtestWant(t, run(e, "pkg.hold", kw("pkgs", []any{"demo", map[string]any{"nope": "1.0"}})),
		`{"demo":{"name":"demo","changes":{},"result":true,"comment":"Package demo is already set to be held."},`+
			`"nope":{"name":"nope","changes":{"new":"hold","old":""},"result":true,"comment":"Package nope is now being held."}}`)

	// With the minion's test option, nothing changes.
	cfg := &config.Minion{Common: config.Common{Raw: map[string]any{"test": true}}}
	et := New(Options{Grains: func() map[string]any { return redhatGrains }, Config: cfg})
	pkgtestWant(t, run(et, "pkg.unhold", "demo"), `{"demo":{"name":"demo","changes":{},"result":null,"comment":"Package demo is set to be unheld."}}`)
	pkgtestWant(t, run(et, "pkg.hold", "other"), `{"other":{"name":"other","changes":{},"result":null,"comment":"Package other is set to be held."}}`)

	pkgtestWant(t, run(e, "pkg.unhold", kw("pkgs", []any{"demo", "nope"})),
		`{"demo":{"name":"demo","changes":{"new":"","old":"hold"},"result":true,"comment":"Package demo is no longer held."},`+
			`"nope":{"name":"nope","changes":{},"result":true,"comment":"Package nope is not being held."}}`)
	if strings.Contains(locks(), "demo") {
		t.Fatalf("versionlock.list after unhold:\n%s", locks())
	}
	pkgtestWant(t, run(e, "pkg.unhold", "demo"), `{"demo":{"name":"demo","changes":{},"result":true,"comment":"Package demo is not being held."}}`)

	// _versionlock_pkg's int() of a missing osmajorrelease grain.
	bare := New(Options{Grains: func() map[string]any { return map[string]any{"os_family": "RedHat", "os": "Rocky"} }})
	wantError(t, run(bare, "pkg.hold", "demo"), "The minion function caused an exception: TypeError: int() argument must be")
}

// testRpmInfoInstalled asks rpm_lowpkg.info's query of the fake rpm
// (which expands the query format as rpm does) for demo 2.0-1, and for
// two versions of kern written into the fake's database.
func testRpmInfoInstalled(t *testing.T, e *Executor, tmp string) {
	pkgtestWant(t, run(e, "pkg.info_installed", "demo", "nope"), `{"demo":{"relocations":"(not relocatable)","version":"2.0",`+
		`"vendor":"Salt RAET tests","release":"1","epoch":"0","build_date_time_t":1690000000,"build_date":"2023-07-22T04:26:40Z",`+
		`"install_date_time_t":1700000000,"install_date":"2023-11-14T22:13:20Z","build_host":"build.example.invalid","group":"Unspecified",`+
		`"source":"demo-2.0-1.src.rpm","size":"6","arch":"noarch","license":"MIT","signature":"(none)","url":"https://example.invalid/demo",`+
		`"summary":"demo, a package of the tests","description":"A package of the Salt RAET tests.\nIt owns one file."}}`)
	pkgtestWant(t, run(e, "pkg.info_installed", "nope"), `{}`)
	wantError(t, run(e, "pkg.info_installed", "demo", kw("attr", "bogus")), "ERROR: No valid attributes found.")

	f, err := os.OpenFile(filepath.Join(tmp, "installed"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("kern (none) 5.10 1 x86_64\nkern (none) 5.9 2 x86_64\ngpg-pubkey (none) 1 1 (none)\n")
	f.Close()
	pkgtestWant(t, run(e, "pkg.info_installed", "kern", kw("attr", "version,description")),
		`{"kern":{"version":"5.10","description":"A package of the Salt RAET tests.\nIt owns one file."}}`)
	pkgtestWant(t, run(e, "pkg.info_installed", "kern", kw("attr", "version,source_rpm", "all_versions", true)),
		`{"kern":[{"version":"5.10","source":"kern-5.10-1.src.rpm","edition":"5.10-1"},{"version":"5.9","source":"kern-5.9-2.src.rpm","edition":"5.9-2"}]}`)
	// Every package, newest edition first, gpg-pubkey left out.
	r := run(e, "pkg.info_installed", kw("attr", "arch"))
	pkgtestWant(t, r, `{"kern":{"arch":"x86_64"},"python3-dnf-plugin-versionlock":{"arch":"noarch"},"demo":{"arch":"noarch"}}`)
}
