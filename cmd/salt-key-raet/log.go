package main

import (
	"fmt"
	"io"
)

// logLevelValues are the numbers of Salt's log levels (cli.LogLevels, as
// --log-level takes them), in increasing order of severity.
var logLevelValues = map[string]int{
	"all": 0, "garbage": 1, "trace": 5, "debug": 10, "profile": 15,
	"info": 20, "warning": 30, "error": 40, "critical": 50, "quiet": 1000,
}

// logger is the console log of Salt's command-line tools: messages at or
// above the level go to stderr as "[LEVEL   ] message" (Salt's default
// log_fmt_console). salt-key-raet logs little: what it read at debug, and
// at warning what it could not tidy up after deleting a key.
type logger struct {
	w     io.Writer
	level int
}

func newLogger(w io.Writer, level string) *logger {
	v, ok := logLevelValues[level]
	if !ok {
		v = logLevelValues["warning"]
	}
	return &logger{w: w, level: v}
}

func (l *logger) logf(level int, name, format string, args ...any) {
	if level < l.level {
		return
	}
	fmt.Fprintf(l.w, "[%-8s] %s\n", name, fmt.Sprintf(format, args...))
}

func (l *logger) debugf(format string, args ...any) { l.logf(10, "DEBUG", format, args...) }
func (l *logger) infof(format string, args ...any)  { l.logf(20, "INFO", format, args...) }

func (l *logger) warnf(format string, args ...any) { l.logf(30, "WARNING", format, args...) }

func (l *logger) errorf(format string, args ...any) { l.logf(40, "ERROR", format, args...) }
