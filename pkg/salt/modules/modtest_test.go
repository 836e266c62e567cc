package modules

import (
	"reflect"
	"sort"
	"testing"
)

// TestTestModuleFunctions: the test module's functions, grouped by what
// they do, are Salt's set, each once.
func TestTestModuleFunctions(t *testing.T) {
	var names []string
	for _, f := range testFuncs() {
		names = append(names, f.Name)
	}
	sort.Strings(names)
	want := []string{"test.arg", "test.arg_clean", "test.arg_repr", "test.arg_type", "test.echo",
		"test.exception", "test.false", "test.fib", "test.kwarg", "test.outputter", "test.ping",
		"test.retcode", "test.sleep", "test.true", "test.version"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("test module functions %q, want %q", names, want)
	}
}
