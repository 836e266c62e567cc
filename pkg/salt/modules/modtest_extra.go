package modules

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// testExtraFuncs are the rest of Salt's test module that a Go minion can
// answer honestly: random sleeps and hashes, the providers of modules, and
// the helpers that call other functions.
func testExtraFuncs() []Func {
	return slices.Concat(testRandomFuncs(), testLoaderFuncs(), testVersionFuncs(), testOptsFuncs())
}

// testRandomFuncs are rand_sleep, random_hash (rand_str) and collatz.
func testRandomFuncs() []Func {
	hashParams := []Param{{Name: "size", Default: int64(9999999999)}, {Name: "hash_type"}}
	return []Func{
		{
			Name:   "test.rand_sleep",
			Params: []Param{{Name: "max", Default: int64(60)}},
			Doc:    "Sleep for a random number of seconds, used to test long-running commands\nand minions returning at differing intervals\n\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' test.rand_sleep 60",
			Call: func(c *Call) (any, error) {
				n, err := pyInt(c.Arg("max"))
				if err != nil {
					return nil, err
				}
				secs, err := randInt(0, n)
				if err != nil {
					return nil, err
				}
				return sleepFor(c, float64(secs))
			},
		},
		{
			Name: "test.random_hash", Params: hashParams,
			Doc:  ".. versionadded:: 2015.5.2\n.. versionchanged:: 2018.3.0\n    Function has been renamed from ``test.rand_str`` to\n    ``test.random_hash``\n\nGenerates a random number between 1 and ``size``, then returns a hash of\nthat number. If no ``hash_type`` is passed, the ``hash_type`` specified by the\nMinion's :conf_minion:`hash_type` config option is used.\n\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' test.random_hash\n    salt '*' test.random_hash hash_type=sha512",
			Call: testRandomHash,
		},
		{
			Name: "test.rand_str", Params: hashParams,
			Doc:  "This function has been renamed to\n:mod:`test.random_hash <salt.modules.test.random_hash>`. This function will stay to\nensure backwards compatibility, but please switch to using the preferred name\n:mod:`test.random_hash <salt.modules.test.random_hash>`.",
			Call: testRandomHash,
		},
		{
			Name:   "test.collatz",
			Params: []Param{{Name: "start", Required: true}},
			Doc:    "Execute the collatz conjecture from the passed starting number,\nreturns the sequence and the time it took to compute. Used for\nperformance tests.\n\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' test.collatz 3",
			Call:   testCollatz,
		},
	}
}

// randInt is random.SystemRandom().randint(lo, hi).
func randInt(lo, hi int64) (int64, error) {
	if hi < lo {
		return 0, &Exception{Type: "ValueError", Msg: fmt.Sprintf("empty range for randrange() (%d, %d, %d)", lo, hi+1, hi+1-lo)}
	}
	n, err := rand.Int(rand.Reader, new(big.Int).SetUint64(uint64(hi-lo)+1))
	if err != nil {
		return 0, err
	}
	return lo + n.Int64(), nil
}

// testRandomHash is salt.utils.hashutils.random_hash: the hex digest of
// str(randint(0, size)) with hash_type, the minion's hash_type by default
// (Salt's module default is md5 when the option is unset).
func testRandomHash(c *Call) (any, error) {
	size, err := pyInt(c.Arg("size"))
	if err != nil {
		return nil, err
	}
	hashType := py.Str(c.Arg("hash_type"))
	if !py.Truthy(c.Arg("hash_type")) {
		hashType = "md5"
		if cfg := c.exec.opts.Config; cfg != nil && cfg.HashType != "" {
			hashType = cfg.HashType
		}
	}
	h, ok := py.NewHash(hashType)
	if !ok {
		return nil, &Exception{Type: "AttributeError", Msg: fmt.Sprintf("module 'hashlib' has no attribute '%s'", hashType)}
	}
	n, err := randInt(0, size)
	if err != nil {
		return nil, err
	}
	fmt.Fprint(h, n)
	return hex.EncodeToString(h.Sum(nil)), nil
}

// sleepFor sleeps secs seconds, or until the job's context ends.
func sleepFor(c *Call, secs float64) (any, error) {
	t := time.NewTimer(time.Duration(secs * float64(time.Second)))
	defer t.Stop()
	select {
	case <-t.C:
		return true, nil
	case <-c.Ctx.Done():
		return cancelled{}, nil
	}
}

// testCollatz is test.collatz: [steps, seconds]. Python's start / 2 makes
// every step after the first halving a float, which the steps keep. A
// start below 1 never reaches 1 in Salt (the job hangs); here it is a
// ValueError.
func testCollatz(c *Call) (any, error) {
	start, err := pyInt(c.Arg("start"))
	if err != nil {
		return nil, err
	}
	if start < 1 {
		return nil, &Exception{Type: "ValueError", Msg: "collatz start must be a positive integer"}
	}
	begin := time.Now()
	steps := []any{}
	n, halved := float64(start), false
	for n != 1 {
		if halved {
			steps = append(steps, n)
		} else {
			steps = append(steps, int64(n))
		}
		if math.Mod(n, 2) == 0 {
			n, halved = n/2, true
		} else {
			n = n*3 + 1
		}
		if n > 1<<53 {
			return nil, &Exception{Type: "OverflowError", Msg: "integer too large"}
		}
	}
	return []any{steps, time.Since(begin).Seconds()}, nil
}

// providerFiles names Salt's module file for a virtual module whose file
// has another name (salt/modules/<file>.py with __virtualname__).
var providerFiles = map[string]string{
	"cmd": "cmdmod", "sys": "sysmod", "user": "useradd", "group": "groupadd", "locale": "localemod",
	"shadow": "shadow", "service": "debian_service",
}

// provider is test.provider: the Salt module file that would provide
// module on this minion, "" for a module it does not have.
func provider(c *Call, module string) string {
	found := false
	for _, fn := range c.functionNames() {
		if strings.HasPrefix(fn, module+".") {
			found = true
			break
		}
	}
	if !found {
		return ""
	}
	switch module {
	case "pkg":
		if py.Str(c.Grains()["os_family"]) == "RedHat" {
			return "yumpkg"
		}
		return "aptpkg"
	case "service":
		if st, err := os.Stat("/run/systemd/system"); err == nil && st.IsDir() {
			return "systemd_service"
		}
	}
	if f, ok := providerFiles[module]; ok {
		return f
	}
	return module
}

// extmodNames are the modules synced to <cachedir>/extmods/modules, the
// one module directory of a Go minion (Salt's _module_dirs).
func extmodNames(c *Call) []string {
	cfg := c.exec.opts.Config
	if cfg == nil || cfg.Cachedir == "" {
		return nil
	}
	ents, _ := os.ReadDir(filepath.Join(cfg.Cachedir, "extmods", "modules"))
	var names []string
	for _, ent := range ents {
		if !strings.HasPrefix(ent.Name(), "_") {
			names = append(names, strings.SplitN(ent.Name(), ".", 2)[0])
		}
	}
	return names
}
