// Package saltlog sets up the daemons' logging at Salt's levels (garbage,
// trace, debug, info, warning, error, critical, quiet) on logrus, with
// Salt's console format: "[WARNING ] message".
package saltlog

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/sirupsen/logrus"
)

// Levels are Salt's, lowest first.
var Levels = []string{"garbage", "trace", "debug", "info", "warning", "error", "critical", "quiet"}

// ParseLevel maps a Salt level to logrus's. garbage and trace are both
// logrus's trace; critical is logged as error with its own label; quiet
// logs nothing.
func ParseLevel(s string) (logrus.Level, error) {
	switch strings.ToLower(s) {
	case "garbage", "trace", "all":
		return logrus.TraceLevel, nil
	case "debug":
		return logrus.DebugLevel, nil
	case "info", "profile":
		return logrus.InfoLevel, nil
	case "warning", "warn", "":
		return logrus.WarnLevel, nil
	case "error":
		return logrus.ErrorLevel, nil
	case "critical":
		return logrus.FatalLevel, nil
	case "quiet":
		return logrus.PanicLevel, nil
	}
	return 0, fmt.Errorf("invalid log level %q: want one of %s", s, strings.Join(Levels, ", "))
}

// New makes a logger at a Salt level writing to w (and, when file is not
// empty, appending to that file too, made 0600).
func New(level string, w io.Writer, file string) (*logrus.Logger, error) {
	lv, err := ParseLevel(level)
	if err != nil {
		return nil, err
	}
	l := logrus.New()
	l.SetLevel(lv)
	l.SetFormatter(saltFormat{})
	out := w
	if file != "" {
		f, err := os.OpenFile(file, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		if err != nil {
			return nil, fmt.Errorf("log file: %w", err)
		}
		if w != nil {
			out = io.MultiWriter(w, f)
		} else {
			out = f
		}
	}
	if out == nil {
		out = io.Discard
	}
	l.SetOutput(out)
	return l, nil
}

// saltFormat writes "[LEVEL   ] message key=value ...", as Salt's console
// handler writes its records.
type saltFormat struct{}

var labels = map[logrus.Level]string{
	logrus.TraceLevel: "TRACE", logrus.DebugLevel: "DEBUG", logrus.InfoLevel: "INFO",
	logrus.WarnLevel: "WARNING", logrus.ErrorLevel: "ERROR", logrus.FatalLevel: "CRITICAL", logrus.PanicLevel: "CRITICAL",
}

func (saltFormat) Format(e *logrus.Entry) ([]byte, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "[%-8s] %s", labels[e.Level], e.Message)
	keys := make([]string, 0, len(e.Data))
	for k := range e.Data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%v", k, e.Data[k])
	}
	b.WriteByte('\n')
	return []byte(b.String()), nil
}
