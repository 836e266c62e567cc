package returners

import (
	"fmt"
	"net"
	"strconv"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// DefaultSyslogPath is the socket syslog(3) writes to.
const DefaultSyslogPath = "/dev/log"

// syslogNames are the integer attributes of Python's syslog module: the
// names the syslog returner's level, facility and options may take (it
// checks only that the name is one of them, whichever slot it is in).
var syslogNames = map[string]int{
	"LOG_EMERG": 0, "LOG_ALERT": 1, "LOG_CRIT": 2, "LOG_ERR": 3,
	"LOG_WARNING": 4, "LOG_NOTICE": 5, "LOG_INFO": 6, "LOG_DEBUG": 7,
	"LOG_KERN": 0 << 3, "LOG_USER": 1 << 3, "LOG_MAIL": 2 << 3, "LOG_DAEMON": 3 << 3,
	"LOG_AUTH": 4 << 3, "LOG_SYSLOG": 5 << 3, "LOG_LPR": 6 << 3, "LOG_NEWS": 7 << 3,
	"LOG_UUCP": 8 << 3, "LOG_CRON": 9 << 3, "LOG_AUTHPRIV": 10 << 3,
	"LOG_LOCAL0": 16 << 3, "LOG_LOCAL1": 17 << 3, "LOG_LOCAL2": 18 << 3, "LOG_LOCAL3": 19 << 3,
	"LOG_LOCAL4": 20 << 3, "LOG_LOCAL5": 21 << 3, "LOG_LOCAL6": 22 << 3, "LOG_LOCAL7": 23 << 3,
	"LOG_PID": 0x01, "LOG_CONS": 0x02, "LOG_ODELAY": 0x04, "LOG_NDELAY": 0x08,
	"LOG_NOWAIT": 0x10, "LOG_PERROR": 0x20,
}

// syslogFuncs are attributes of the module that are not integers.
var syslogFuncs = []string{"openlog", "syslog", "closelog", "setlogmask", "LOG_MASK", "LOG_UPTO"}

const logPID = 0x01

// syslogReturner is salt/returners/syslog_return.py: the return as one
// line of JSON sent to the local syslog at syslog.level (LOG_INFO) and
// syslog.facility (LOG_USER), tagged syslog.tag (else the program's
// name), with syslog.options (LOG_PID adds the pid). The datagram is the
// one glibc's syslog(3) sends: "<PRI>Mmm dd hh:mm:ss tag[pid]: message".
type syslogReturner struct{}

func (syslogReturner) Name() string { return "syslog" }

func (syslogReturner) Returner(env *Env, ret body.Map) error {
	opts := options(env, "syslog", ret, []attr{{"level", "level"}, {"facility", "facility"}, {"tag", "tag"}, {"options", "options"}},
		map[string]any{"level": "LOG_INFO", "facility": "LOG_USER", "options": []any{}})
	pri, logopt, ok := verifySyslogOptions(env, opts)
	if !ok {
		return nil // Salt logs why and returns
	}
	ident := env.ident()
	if tag, ok := opts["tag"].(string); ok {
		ident = tag
	}
	msg, err := py.AppendJSONLayout(nil, ret, -1, false)
	if err != nil {
		return fmt.Errorf("the return cannot be written as JSON: %w", err)
	}
	return sendSyslog(env, pri, logopt, ident, string(msg))
}

// verifySyslogOptions is _verify_options, with Salt's errors; it gives the
// priority (facility | level) and the openlog options.
func verifySyslogOptions(env *Env, opts map[string]any) (pri, logopt int, ok bool) {
	log := env.logger()
	value := func(slot string, v any) (int, bool) {
		name, _ := v.(string)
		n, ok := syslogNames[name]
		if ok {
			return n, true
		}
		for _, f := range syslogFuncs {
			if f == name {
				log.Errorf("%s is not a valid syslog %s", name, slot)
				return 0, false
			}
		}
		log.Errorf("syslog has no attribute %s", py.Str(v))
		return 0, false
	}
	level, ok1 := value("level", opts["level"])
	if !ok1 {
		return 0, 0, false
	}
	facility, ok2 := value("facility", opts["facility"])
	if !ok2 {
		return 0, 0, false
	}
	list, _ := py.ListItems(opts["options"])
	for _, o := range list {
		n, ok := value("option", o)
		if !ok {
			return 0, 0, false
		}
		logopt |= n
	}
	if tag, has := opts["tag"]; has {
		s, isStr := tag.(string)
		if !isStr {
			log.Errorf("tag must be a string")
			return 0, 0, false
		}
		if len(s) > 32 {
			log.Errorf("tag size is limited to 32 characters")
			return 0, 0, false
		}
	}
	return facility | level, logopt, true
}

// sendSyslog sends one message as glibc's syslog(3) does: a priority
// without a facility takes openlog's default, LOG_USER; the timestamp is
// local time.
func sendSyslog(env *Env, pri, logopt int, ident, msg string) error {
	if pri&^7 == 0 {
		pri |= syslogNames["LOG_USER"]
	}
	head := "<" + strconv.Itoa(pri) + ">" + env.now().Format("Jan _2 15:04:05") + " " + ident
	if logopt&logPID != 0 {
		head += "[" + strconv.Itoa(env.pid()) + "]"
	}
	path := env.SyslogPath
	if path == "" {
		path = DefaultSyslogPath
	}
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		return fmt.Errorf("cannot send to syslog at %s: %w", path, err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte(head + ": " + msg)); err != nil {
		return fmt.Errorf("cannot send to syslog at %s: %w", path, err)
	}
	return nil
}
