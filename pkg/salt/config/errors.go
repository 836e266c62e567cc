package config

import (
	"cmp"
	"errors"
	"slices"
	"strconv"
)

// Error is a configuration problem placed where the operator has to look:
// the file, the line and the option. DESIGN.md "Errors a person can act on":
// a bad config names the file, line and key. Match it with errors.As; a load
// that finds several problems returns them all, joined with errors.Join, so
// one edit-and-restart cycle fixes every one of them.
type Error struct {
	File string // the config file; empty when the problem is not in a file (e.g. no hostname)
	Line int    // 1-based; 0 when unknown
	Key  string // the option; empty when the problem is the file as a whole
	Msg  string
}

// Error renders "file:line: key: msg", dropping the parts that are unknown,
// the way compilers print positions so editors can jump to them.
func (e *Error) Error() string {
	s := ""
	if e.File != "" {
		s = e.File
		if e.Line > 0 {
			s += ":" + strconv.Itoa(e.Line)
		}
		s += ": "
	}
	if e.Key != "" {
		s += e.Key + ": "
	}
	return s + e.Msg
}

// errorList gathers the problems of one load. Problems are sorted by file
// (in the order the files were read) and line, so the report reads like the
// files do.
type errorList struct {
	errs  []*Error
	order map[string]int // file → position in the load order
}

func (l *errorList) add(e *Error) { l.errs = append(l.errs, e) }

func (l *errorList) err() error {
	if len(l.errs) == 0 {
		return nil
	}
	slices.SortStableFunc(l.errs, func(a, b *Error) int {
		oa, oka := l.order[a.File]
		ob, okb := l.order[b.File]
		if !oka {
			oa = len(l.order)
		}
		if !okb {
			ob = len(l.order)
		}
		return cmp.Or(cmp.Compare(oa, ob), cmp.Compare(a.Line, b.Line))
	})
	if len(l.errs) == 1 {
		return l.errs[0]
	}
	errs := make([]error, len(l.errs))
	for i, e := range l.errs {
		errs[i] = e
	}
	return errors.Join(errs...)
}
