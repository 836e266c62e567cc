package pillar

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/sirupsen/logrus"
)

// TestErrorsMatchSalt compiles errtree, whose files are broken in five
// ways, and compares with Salt 3006.3: the pillar the good files give and
// the _errors, in Salt's words and order. The top file's YAML error is
// compared up to the parser's own text.
func TestErrorsMatchSalt(t *testing.T) {
	c := New(Options{Roots: map[string][]string{
		"base":  {filepath.Join("testdata", "errtree", "base")},
		"other": {filepath.Join("testdata", "errtree", "other")},
	}})
	got := asJSON(t, c.Compile("m1", map[string]any{"id": "m1"}, "", "", nil)).(map[string]any)
	b, err := os.ReadFile(filepath.Join("testdata", "salt-3006.3-errors-m1.json"))
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]any
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	gotErrs, wantErrs := got["_errors"].([]any), want["_errors"].([]any)
	delete(got, "_errors")
	delete(want, "_errors")
	if !reflect.DeepEqual(got, want) {
		t.Errorf("pillar %v, want %v", got, want)
	}
	if len(gotErrs) != len(wantErrs) {
		t.Fatalf("_errors %q, want %q", gotErrs, wantErrs)
	}
	for i := range wantErrs {
		g, w := gotErrs[i].(string), wantErrs[i].(string)
		if strings.HasPrefix(w, "Rendering Primary Top file failed") {
			g, _, _ = strings.Cut(g, "\n")
			w, _, _ = strings.Cut(w, "\n")
		}
		if g != w {
			t.Errorf("_errors[%d] = %q, want %q", i, g, w)
		}
	}
}

// writeTree makes a pillar_roots tree of one environment per top-level
// key of files ("base/top.sls": text).
func writeTree(t *testing.T, files map[string]string) map[string][]string {
	t.Helper()
	dir := t.TempDir()
	roots := map[string][]string{}
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		env, _, _ := strings.Cut(name, "/")
		roots[env] = []string{filepath.Join(dir, env)}
	}
	return roots
}

// TestRenderErrorNamesFileAndLine: with pillar_safe_render_error off, the
// _errors entry carries the cause with the file and line; on (the
// default), the log does, at error level.
func TestRenderErrorNamesFileAndLine(t *testing.T) {
	roots := writeTree(t, map[string]string{
		"base/top.sls":    "base:\n  '*':\n    - broken\n",
		"base/broken.sls": "a: 1\nb: {{ nope.attr }}\n",
	})
	c := New(Options{Roots: roots, Opts: map[string]any{"pillar_safe_render_error": false}})
	errs := c.Compile("m1", nil, "", "", nil)["_errors"].([]any)
	msg := errs[0].(string)
	if !strings.HasPrefix(msg, "Rendering SLS 'broken' failed, render error:\n") ||
		!strings.Contains(msg, "broken.sls, line 2:") {
		t.Errorf("error %q, want Salt's prefix and the file and line", msg)
	}

	var buf bytes.Buffer
	log := logrus.New()
	log.SetOutput(&buf)
	c = New(Options{Roots: roots, Log: log})
	errs = c.Compile("m1", nil, "", "", nil)["_errors"].([]any)
	if errs[0] != "Rendering SLS 'broken' failed. Please see master log for details." {
		t.Errorf("safe error %q", errs[0])
	}
	if !strings.Contains(buf.String(), "level=error") || !strings.Contains(buf.String(), "line=2") ||
		!strings.Contains(buf.String(), "broken.sls") {
		t.Errorf("log %q does not name the file and line at error level", buf.String())
	}
}

// TestNoValuesInLog: a compile that renders secrets and fails on another
// file logs nothing of the values at info or above.
func TestNoValuesInLog(t *testing.T) {
	roots := writeTree(t, map[string]string{
		"base/top.sls":    "base:\n  '*':\n    - secret\n    - broken\n    - absent\n",
		"base/secret.sls": "db_password: s3cret-value\n",
		"base/broken.sls": "a: [1\n",
	})
	var buf bytes.Buffer
	log := logrus.New()
	log.SetOutput(&buf)
	log.SetLevel(logrus.InfoLevel)
	p := New(Options{Roots: roots, Log: log}).Compile("m1", nil, "", "", map[string]any{"override": "s3cret-override"})
	if p["db_password"] != "s3cret-value" || p["override"] != "s3cret-override" {
		t.Fatalf("pillar %v", p)
	}
	if buf.Len() == 0 {
		t.Fatal("nothing logged; want the errors")
	}
	if strings.Contains(buf.String(), "s3cret") {
		t.Errorf("log holds a pillar value:\n%s", buf.String())
	}
}
