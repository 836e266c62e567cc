package config

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// decoder reads typed options out of the merged file contents, recording
// every problem with the position of the value at fault. An option that is
// absent, or present with no value (`key:` or `key: ~`), keeps its default:
// Salt would store None there and most of its code then treats the option as
// unset (master_config does exactly this for nodegroups).
type decoder struct {
	opts *value
	errs *errorList
}

func (d *decoder) lookup(key string) *field {
	f := d.opts.get(key)
	if f == nil || f.val.kind == kindNull {
		return nil
	}
	return f
}

// at builds an error positioned on the value at fault: a scalar or a
// nested item where it is written, a whole mapping or list at its key.
func at(f *field, v *value, format string, args ...any) *Error {
	file, line := f.file, f.line
	if v != nil && (v != f.val || (v.kind != kindMap && v.kind != kindSeq)) {
		file, line = v.file, v.line
	}
	return &Error{File: file, Line: line, Key: f.key, Msg: fmt.Sprintf(format, args...)}
}

func (d *decoder) fail(f *field, v *value, format string, args ...any) {
	d.errs.add(at(f, v, format, args...))
}

// str reads a string option. Any scalar is taken as written, since Salt's
// _validate_opts accepts whatever str() accepts; `id: 0123` is the id
// "0123", not Python's str(83).
func (d *decoder) str(key string, dst *string) {
	f := d.lookup(key)
	if f == nil {
		return
	}
	if s, ok := scalarText(f.val); ok {
		*dst = s
		return
	}
	d.fail(f, f.val, "want a string, got %s", f.val.describe())
}

func scalarText(v *value) (string, bool) {
	switch v.kind {
	case kindMap, kindSeq, kindNull:
		return "", false
	}
	return v.text, true
}

// boolean reads a bool option: the YAML 1.1 words in any case, quoted or
// not, and the integers 0 and 1 (Python's bool(1) is what Salt ends up
// testing).
func (d *decoder) boolean(key string, dst *bool) {
	f := d.lookup(key)
	if f == nil {
		return
	}
	v := f.val
	switch v.kind {
	case kindBool:
		*dst = v.b
		return
	case kindString:
		if b, ok := parseBool(v.text); ok {
			*dst = b
			return
		}
	case kindInt:
		if v.i == 0 || v.i == 1 {
			*dst = v.i == 1
			return
		}
	}
	d.fail(f, v, "want true or false, got %s", v.describe())
}

// integer reads an int option. Salt's _validate_opts accepts any value for
// which int(value) succeeds; we take the lossless subset of that: integers,
// floats with no fraction (5.0) and strings of decimal digits ("4506"). A
// fraction or a boolean is refused rather than truncated.
func (d *decoder) integer(key string, dst *int, check func(int) string) {
	number(d, key, dst, (*decoder).wholeNumber, check)
}

// float reads a float option: any number, or a string Python's float()
// accepts.
func (d *decoder) float(key string, dst *float64, check func(float64) string) {
	number(d, key, dst, (*decoder).finiteNumber, check)
}

// number reads a numeric option with parse, which reports why a value is
// not a number of its kind, and stores it unless check refuses it.
func number[T int | float64](d *decoder, key string, dst *T, parse func(*decoder, *field) (T, bool), check func(T) string) {
	f := d.lookup(key)
	if f == nil {
		return
	}
	if x, ok := parse(d, f); ok {
		setChecked(d, f, f.val, dst, x, check)
	}
}

// wholeNumber is the value of f as integer takes it.
func (d *decoder) wholeNumber(f *field) (int, bool) {
	v := f.val
	var n int64
	switch v.kind {
	case kindInt:
		n = v.i
	case kindFloat:
		if v.f != math.Trunc(v.f) || math.IsInf(v.f, 0) || math.Abs(v.f) > 1<<53 {
			d.fail(f, v, "want a whole number, got %s", v.text)
			return 0, false
		}
		n = int64(v.f)
	case kindString:
		i, err := strconv.ParseInt(strings.TrimSpace(v.text), 10, 64)
		if err != nil {
			if errors.Is(err, strconv.ErrRange) {
				d.fail(f, v, "%s is out of range", v.text)
			} else {
				d.fail(f, v, "want a whole number, got %s", v.describe())
			}
			return 0, false
		}
		n = i
	default:
		d.fail(f, v, "want a whole number, got %s", v.describe())
		return 0, false
	}
	if n < math.MinInt32 || n > math.MaxInt32 {
		d.fail(f, v, "%d is out of range", n)
		return 0, false
	}
	return int(n), true
}

// finiteNumber is the value of f as float takes it.
func (d *decoder) finiteNumber(f *field) (float64, bool) {
	v := f.val
	var x float64
	switch v.kind {
	case kindInt:
		x = float64(v.i)
	case kindFloat:
		x = v.f
	case kindString:
		p, err := strconv.ParseFloat(strings.TrimSpace(v.text), 64)
		if err != nil {
			d.fail(f, v, "want a number, got %s", v.describe())
			return 0, false
		}
		x = p
	default:
		d.fail(f, v, "want a number, got %s", v.describe())
		return 0, false
	}
	if math.IsNaN(x) || math.IsInf(x, 0) {
		d.fail(f, v, "want a finite number, got %s", v.text)
		return 0, false
	}
	return x, true
}

// lowerOneOf checks a string option already read into dst, when the
// files set it: in lower case it must be one of allowed, else it is
// refused, saying why. dst is lowered either way.
func (d *decoder) lowerOneOf(key string, dst *string, allowed []string, why string) {
	if f := d.lookup(key); f != nil && !slices.Contains(allowed, strings.ToLower(*dst)) {
		d.fail(f, f.val, "%q %s; want one of %s", *dst, why, strings.Join(allowed, ", "))
	}
	*dst = strings.ToLower(*dst)
}

// strList reads a list-of-strings option. A single string is a list of one,
// as salt.config.include_config does for include.
func (d *decoder) strList(key string, dst *[]string) {
	f := d.lookup(key)
	if f == nil {
		return
	}
	out, ok := d.strings(f, f.val)
	if ok {
		*dst = out
	}
}

func (d *decoder) strings(f *field, v *value) ([]string, bool) {
	if s, ok := scalarText(v); ok {
		return []string{s}, true
	}
	if v.kind != kindSeq {
		d.fail(f, v, "want a list of strings, got %s", v.describe())
		return nil, false
	}
	out := make([]string, 0, len(v.items))
	ok := true
	for i, it := range v.items {
		s, isScalar := scalarText(it)
		if !isScalar {
			d.fail(f, it, "item %d: want a string, got %s", i+1, it.describe())
			ok = false
			continue
		}
		out = append(out, s)
	}
	return out, ok
}

// roots reads file_roots: saltenv → directories. Salt's _normalize_roots
// makes the saltenv a string and expands globs in the directories (a
// non-list silently becomes [] there; here a single string is a list of one
// and anything else is an error).
func (d *decoder) roots(key string, dst *map[string][]string) {
	f := d.lookup(key)
	if f == nil {
		return
	}
	if f.val.kind != kindMap {
		d.fail(f, f.val, "want a mapping of saltenv: [directories], got %s", f.val.describe())
		return
	}
	out := make(map[string][]string, len(f.val.fields))
	ok := true
	for _, env := range f.val.fields {
		sub := &field{key: key + "." + env.key, file: env.file, line: env.line, val: env.val}
		if env.val.kind == kindNull {
			out[env.key] = []string{}
			continue
		}
		dirs, good := d.strings(sub, env.val)
		if !good {
			ok = false
			continue
		}
		out[env.key] = expandGlobs(dirs)
	}
	if ok {
		*dst = out
	}
}

// expandGlobs is salt.config._expand_glob_path: a path with glob
// characters becomes the paths it matches (sorted here, for a stable
// order); a plain path is kept even if it does not exist.
func expandGlobs(paths []string) []string {
	out := make([]string, 0, len(paths))
	for _, p := range paths {
		if !strings.ContainsAny(p, "*?[") {
			out = append(out, p)
			continue
		}
		m, _ := filepath.Glob(p)
		sort.Strings(m)
		out = append(out, m...)
	}
	return out
}

// Checks shared by several options: each returns why a value is refused,
// or "" for a value it takes.
var (
	checkPort             = refuse(func(n int) bool { return n < 1 || n > 65535 }, "port %d is outside 1-65535")
	checkNonNegative      = refuse(func(n int) bool { return n < 0 }, "%d is negative")
	checkAtLeastOne       = refuse(func(n int) bool { return n < 1 }, "want at least 1, got %d")
	checkPositive         = refuse(func(x float64) bool { return x <= 0 }, "want more than 0 seconds, got %v")
	checkNonNegativeFloat = refuse(func(x float64) bool { return x < 0 }, "%v is negative")
)

// refuse makes a check that refuses the values bad reports, saying why
// with format and the value.
func refuse[T int | float64](bad func(T) bool, format string) func(T) string {
	return func(x T) string {
		if bad(x) {
			return fmt.Sprintf(format, x)
		}
		return ""
	}
}

// setChecked stores x in dst unless check refuses it, which is reported
// at the value.
func setChecked[T int | float64](d *decoder, f *field, v *value, dst *T, x T, check func(T) string) {
	if check != nil {
		if msg := check(x); msg != "" {
			d.fail(f, v, "%s", msg)
			return
		}
	}
	*dst = x
}
