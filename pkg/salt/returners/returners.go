package returners

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// Returner is one returner: Returner is its returner(ret) function.
type Returner interface {
	Name() string
	Returner(env *Env, ret body.Map) error
}

// Env is what returners read besides the return: the options and the
// host's facilities, injectable for tests.
type Env struct {
	// Option is config.option: a key of the minion's config, else of its
	// pillar; false when neither has it. Nil has no options.
	Option func(key string) (any, bool)
	Log    logrus.FieldLogger
	// SyslogPath is the syslog socket; "" is /dev/log, as syslog(3) uses.
	SyslogPath string
	// Ident is the syslog tag when none is configured; "" is the
	// program's name, as Python's syslog takes it from sys.argv[0].
	Ident string
	Now   func() time.Time // nil is time.Now
	Pid   func() int       // nil is os.Getpid
}

// All are the returners a minion has, by name.
var All = map[string]Returner{
	"syslog":       syslogReturner{},
	"rawfile_json": rawfileJSON{},
	"local_cache":  localCache{},
}

// Run runs the returners named in names (comma separated, each once, as
// Salt's set(data["ret"].split(","))) on ret. Failures are logged, as the
// minion does: they never reach the return sent to the master.
func Run(env *Env, names string, ret body.Map) {
	log := env.logger()
	var seen []string
	for _, name := range strings.Split(names, ",") {
		if slices.Contains(seen, name) {
			continue
		}
		seen = append(seen, name)
		r, ok := All[name]
		if !ok {
			fn := name + ".returner"
			log.Errorf("Returner %s could not be loaded: '%s' is not available.", fn, fn)
			continue
		}
		if err := r.Returner(env, ret); err != nil {
			jid, _ := ret.Get("jid")
			log.Errorf("The return failed for job %v: %v", jid, err)
		}
	}
}

func (e *Env) logger() logrus.FieldLogger {
	if e.Log == nil {
		l := logrus.New()
		l.SetLevel(logrus.PanicLevel)
		return l
	}
	return e.Log
}

func (e *Env) now() time.Time {
	if e.Now == nil {
		return time.Now()
	}
	return e.Now()
}

func (e *Env) pid() int {
	if e.Pid == nil {
		return os.Getpid()
	}
	return e.Pid()
}

func (e *Env) ident() string {
	if e.Ident != "" {
		return e.Ident
	}
	return filepath.Base(os.Args[0])
}

// localCache is the local_cache returner on a minion: Salt's writes the
// job cache under the minion's cachedir, which nothing reads there; the
// master's job cache already holds this return.
type localCache struct{}

func (localCache) Name() string                  { return "local_cache" }
func (localCache) Returner(*Env, body.Map) error { return nil }
