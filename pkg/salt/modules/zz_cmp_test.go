package modules

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/saltraet/saltraet/pkg/salt/config"
)

func TestZZCompare(t *testing.T) {
	spec := os.Getenv("F14_CALL")
	if spec == "" {
		t.Skip()
	}
	parts := strings.Split(spec, "\x1f")
	var args []any
	for _, a := range parts[1:] {
		args = append(args, a)
	}
	e := New(Options{Config: &config.Minion{Common: config.Common{Cachedir: "/tmp/f14s/root/cache"}}})
	r := run(e, parts[0], args...)
	b, _ := json.MarshalIndent(map[string]any{"local": r.Return}, "", "    ")
	fmt.Println(string(b))
	fmt.Println("retcode", r.Retcode)
}
