package wire_test

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The codec stands alone: it may import the RAET vocabulary, the body codec
// and the standard library (and x/crypto), never the stack that uses it. A
// codec that reached for the stack could no longer be fuzzed, vector-tested
// or used by `raet decode` on its own.
func TestImportsNothingOfTheStack(t *testing.T) {
	allowed := map[string]bool{
		"github.com/saltraet/saltraet/pkg/raet":                true,
		"github.com/saltraet/saltraet/pkg/raet/body":           true,
		"github.com/saltraet/saltraet/pkg/raet/internal/parts": true, // pure: numbered parts of one message
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var checked int
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			first := strings.Split(path, "/")[0]
			stdlib := !strings.Contains(first, ".")
			if !stdlib && !allowed[path] && !strings.HasPrefix(path, "golang.org/x/crypto/") {
				t.Errorf("%s imports %s: the codec must not depend on it", name, path)
			}
		}
		checked++
	}
	if checked == 0 {
		t.Fatal("no source files found")
	}
}
