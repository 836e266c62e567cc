// Command fakeworker stands in for Python Salt in the integration tests
// (CI has none): given as python_fallback_python, it speaks
// pkg/salt/pyworker's protocol. Its "loader" has, for each
// <extension_modules>/modules/<mod>.py, the functions its "def <name>("
// lines name; each returns "<mod>.<name>(<args>) on <grains id>". It reads
// the modules again at a reload frame, as the real worker builds its loader
// again. Its grains modules are <extension_modules>/grains/<mod>.py, whose
// `"key": "value"` pairs are the grains they return, merged over the core
// grains a grains frame brings.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/pyworker"
)

var (
	def  = regexp.MustCompile(`(?m)^def (\w+)\(`)
	pair = regexp.MustCompile(`"(\w+)": "([^"]*)"`)
)

func main() {
	io.ReadAll(os.NewFile(3, "script")) // the Python script it does not run
	in := bufio.NewReader(os.Stdin)
	init, err := pyworker.ReadFrame(in)
	if err != nil {
		os.Exit(2)
	}
	opts, _ := init.Map("opts")
	ext, _ := opts.String("extension_modules")
	grains, _ := init.Map("grains")
	funcs := scan(ext)
	send(body.Map{{Key: "op", Value: "ready"}, {Key: "version", Value: "fake"}})
	for {
		m, err := pyworker.ReadFrame(in)
		if err != nil {
			return
		}
		id, _ := m.Get("id")
		switch op, _ := m.String("op"); op {
		case "reload":
			funcs = scan(ext)
		case "grains":
			core, _ := m.Map("core")
			g, mods := customGrains(ext, core)
			send(body.Map{{Key: "id", Value: id}, {Key: "grains", Value: g}, {Key: "modules", Value: mods}})
		case "functions":
			send(body.Map{{Key: "id", Value: id}, {Key: "functions", Value: sorted(funcs)}})
		case "call":
			if g, ok := m.Map("grains"); ok {
				grains = g
			}
			fun, _ := m.String("fun")
			if !funcs[fun] {
				send(body.Map{{Key: "id", Value: id}, {Key: "found", Value: false}})
				continue
			}
			args, _ := m.Get("arg")
			gid, _ := grains.Get("id")
			send(body.Map{{Key: "id", Value: id}, {Key: "found", Value: true},
				{Key: "return", Value: fmt.Sprintf("%s(%v) on %v", fun, args, gid)},
				{Key: "retcode", Value: 0}, {Key: "success", Value: true}, {Key: "out", Value: ""}})
		}
	}
}

func send(m body.Map) {
	if err := pyworker.WriteFrame(os.Stdout, m); err != nil {
		os.Exit(4)
	}
}

// scan reads the functions of the modules synced to ext.
func scan(ext string) map[string]bool {
	funcs := map[string]bool{}
	paths, _ := filepath.Glob(filepath.Join(ext, "modules", "*.py"))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		mod := strings.TrimSuffix(filepath.Base(p), ".py")
		for _, m := range def.FindAllStringSubmatch(string(b), -1) {
			funcs[mod+"."+m[1]] = true
		}
	}
	return funcs
}

func sorted(set map[string]bool) []any {
	var names []string
	for n := range set {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]any, len(names))
	for i, n := range names {
		out[i] = n
	}
	return out
}

// customGrains merges the grains of the grains modules synced to ext over
// core.
func customGrains(ext string, core body.Map) (body.Map, []any) {
	g := append(body.Map{}, core...)
	var mods []any
	paths, _ := filepath.Glob(filepath.Join(ext, "grains", "*.py"))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		mods = append(mods, strings.TrimSuffix(filepath.Base(p), ".py"))
		for _, m := range pair.FindAllStringSubmatch(string(b), -1) {
			g.Set(m[1], m[2])
		}
	}
	return g, mods
}
