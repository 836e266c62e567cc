package saltlog

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLevelsAndFormat(t *testing.T) {
	var buf bytes.Buffer
	l, err := New("info", &buf, "")
	if err != nil {
		t.Fatal(err)
	}
	l.Debug("hidden")
	l.WithField("id", "web1").Warn("key pending")
	l.Info("started")
	if got := buf.String(); got != "[WARNING ] key pending id=web1\n[INFO    ] started\n" {
		t.Errorf("got %q", got)
	}
	for _, lv := range Levels {
		if _, err := ParseLevel(lv); err != nil {
			t.Errorf("%s: %v", lv, err)
		}
	}
	if _, err := ParseLevel("loud"); err == nil || !strings.Contains(err.Error(), "garbage, trace") {
		t.Errorf("bad level: %v", err)
	}
	q, _ := New("quiet", &buf, "")
	buf.Reset()
	q.Error("nothing")
	if buf.Len() != 0 {
		t.Errorf("quiet logged %q", buf.String())
	}
}

func TestLogFile(t *testing.T) {
	f := filepath.Join(t.TempDir(), "master.log")
	l, err := New("warning", nil, f)
	if err != nil {
		t.Fatal(err)
	}
	l.Error("boom")
	b, _ := os.ReadFile(f)
	fi, _ := os.Stat(f)
	if string(b) != "[ERROR   ] boom\n" || fi.Mode().Perm() != 0o600 {
		t.Errorf("file %q mode %v", b, fi.Mode())
	}
}
