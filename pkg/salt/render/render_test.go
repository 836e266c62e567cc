package render

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// testRenderer loads templates from testdata/roots and answers salt[...]
// calls with their name and arguments.
func testRenderer() *Renderer {
	return &Renderer{
		Caller: func(fun string, args []any, kwargs map[string]any) (any, error) {
			switch fun {
			case "test.echo":
				return args[0], nil
			case "test.kw":
				return kwargs, nil
			case "grains.filter_by":
				v, _ := args[0].(body.Map).Get(kwargs["grain"].(string))
				return v, nil
			}
			return nil, fmt.Errorf("no function %s", fun)
		},
		Loader: func(env, p string) ([]byte, string, error) {
			f := filepath.Join("testdata", "roots", env, p)
			b, err := os.ReadFile(f)
			return b, f, err
		},
	}
}

var testCtx = Context{
	Grains:  map[string]any{"id": "web01", "os_family": "Debian", "roles": []any{"web", "db"}},
	Opts:    map[string]any{"renderer": "jinja|yaml"},
	Saltenv: "base",
	SLS:     "apache.ssl",
}

func TestRender(t *testing.T) {
	cases := []struct {
		name, src string
		want      any
	}{
		{"yaml 1.1 scalars", "a: yes\nb: 010\nc: 1.5\nd: ~\ne: '5'\nf: 2024-01-02\n",
			map[string]any{"a": true, "b": int64(10), "c": 1.5, "d": nil, "e": "5", "f": "2024-01-02"}},
		{"jinja then yaml", "id: {{ grains.id }}\nfirst: {{ grains['roles'][0] }}\n", map[string]any{"id": "web01", "first": "web"}},
		{"empty file", "", map[string]any{}},
		{"only a comment", "# nothing\n", map[string]any{}},
		{"false yaml is empty", "false\n", map[string]any{}},
		{"#!yaml leaves jinja alone", "#!yaml\na: '{{ x }}'\n", map[string]any{"a": "{{ x }}"}},
		{"#!json", "#!json\n{\"a\": [1, 2.5, \"x\"]}\n", map[string]any{"a": []any{int64(1), 2.5, "x"}}},
		{"#!jinja|json", "#!jinja|json\n{\"id\": \"{{ grains.id }}\"}\n", map[string]any{"id": "web01"}},
		{"#!jinja text", "#!jinja\nhello {{ grains.id }}", "#!jinja\nhello web01"},
		{"old style name", "#!yaml_jinja\na: {{ 1 + 1 }}\n", map[string]any{"a": int64(2)}},
		{"sls variables", "- {{ sls }}\n- {{ slspath }}\n- {{ tplfile }}\n- {{ tpldir }}\n- {{ saltenv }}\n",
			[]any{"apache.ssl", "apache", "apache/ssl.sls", "apache", "base"}},
		{"salt item call", "a: {{ salt['test.echo']('x') }}\n", map[string]any{"a": "x"}},
		{"salt attribute call", "a: {{ salt.test.kw(k=3)|json }}\n", map[string]any{"a": map[string]any{"k": int64(3)}}},
		{"dict argument keeps its order", "a: {{ salt.test.echo({'z': 1, 'a': {'y': 2}})|json }}\n", map[string]any{"a": map[string]any{"z": int64(1), "a": map[string]any{"y": int64(2)}}}},
		{"opts", "r: {{ opts.renderer }}\n", map[string]any{"r": "jinja|yaml"}},
		{"extra defaults", "v: {{ extra_var }}\n", map[string]any{"v": "from-include"}},
		{"trailing commas", "{% set d = {'a': 1, 'b': [1, 2,],} %}v: {{ d|json }}\n", map[string]any{"v": map[string]any{"a": int64(1), "b": []any{int64(1), int64(2)}}}},
		{"defined test", "{% if grains.nope is defined %}a: 1{% else %}a: 2{% endif %}\n", map[string]any{"a": int64(2)}},
		{"dict get", "a: {{ grains.get('nope', 'dflt') }}\n", map[string]any{"a": "dflt"}},
	}
	r := testRenderer()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := testCtx
			if c.name == "extra defaults" {
				ctx.Extra = map[string]any{"extra_var": "from-include"}
			}
			got, err := r.Render("/srv/pillar/apache/ssl.sls", []byte(c.src), ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %#v, want %#v", got, c.want)
			}
		})
	}
}

func TestRenderImports(t *testing.T) {
	cases := []struct{ name, src, want string }{
		{"from import with context", "{% from 'apache/map.jinja' import apache, colour with context %}{{ apache.server }} {{ colour }}", "apache2 blue"},
		{"from import as", "{% from 'apache/map.jinja' import colour as c %}{{ c }}", "blue"},
		{"import as module", "{% import 'apache/map.jinja' as m %}{{ m.colour }} {{ m.greet('x') }}", "blue hello x"},
		{"relative import", "{% from './map.jinja' import colour %}{{ colour }}", "blue"},
		{"nested import", "{% from 'apache/uses_map.jinja' import server %}{{ server }}", "apache2"},
		{"include", "{% include 'apache/snippet.jinja' %}", "snippet for web01\n"},
		{"import_yaml", "{% import_yaml 'apache/defaults.yaml' as d %}{{ d.port }} {{ d.host }}", "80 web01.example"},
		{"import_json", "{% import_json 'apache/defaults.json' as d %}{{ d.ports[1] }}", "443"},
		{"import_text", "{% import_text 'apache/snippet.jinja' as s %}{{ s|trim }}", "snippet for web01"},
	}
	r := testRenderer()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := r.Template("apache/init.sls", []byte(c.src), Context{Grains: testCtx.Grains, Saltenv: "base"})
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

// TestRenderFilters: each expected text is what Salt 3006.3's
// render_jinja_tmpl gave for the same template, except where a comment
// says otherwise.
func TestRenderFilters(t *testing.T) {
	cases := []struct{ src, want string }{
		{`{{ {'b': [1, 'yes'], 'a': None, 'c': 'x y'}|yaml }}`, `{a: null, b: [1, 'yes'], c: x y}`},
		{`{{ {'b': 1, 'a': 'x'}|yaml(False) }}`, "a: x\nb: 1"},
		{`{{ {'k': 'a, b', 'n': '1.0', 'e': ''}|yaml }}`, `{e: '', k: 'a, b', n: '1.0'}`},
		{`{{ {'b': 1, 'a': [true]}|json }}`, `{"a": [true], "b": 1}`},
		{`{{ 'it"s'|yaml_encode }} {{ 5|yaml_encode }} {{ true|yaml_encode }}`, `"it\"s" 5 true`},
		{`{{ 'a\nb'|yaml_dquote }} {{ "it's"|yaml_squote }}`, `"a\nb" 'it''s'`},
		{`{{ ('a: 1'|load_yaml).a }} {{ ('{"b": [2]}'|load_json).b[0] }}`, `1 2`},
		// Salt: "('b',)|None|b": gonja prints a tuple as a list and None as "".
		{`{{ 'abc'|regex_match('a(b)') }}|{{ 'abc'|regex_match('(b)') }}|{{ ('xAbc'|regex_search('(b)(x)?', ignorecase=True))[0] }}`, `['b']||b`},
		{`{{ 'abcbc'|regex_replace('b(c)', 'X\\1') }}`, `aXcXc`},
		{`{{ ['a', 'A', 'a', 1]|unique|join(',') }}`, `a,A,1`},
		{`{{ 'Yes'|to_bool }} {{ 'no'|to_bool }} {{ 0|to_bool }} {{ [1]|to_bool }}`, `True False False True`},
		{`{{ "a b'c"|quote }} {{ 'plain'|quote }}`, `'a b'"'"'c' plain`},
		{`{{ 'x'|sequence|length }} {{ ['x', 'y']|sequence|length }}`, `1 2`},
		{`{% for k, v in {'b': 1, 'a': 2}|dictsort %}{{ k }}={{ v }};{% endfor %}`, `a=2;b=1;`},
		{`{{ {'a': '<', 'b': [1]}|tojson }}`, `{"a": "\u003c", "b": [1]}`},
	}
	r := testRenderer()
	for _, c := range cases {
		got, err := r.Template("f.jinja", []byte(c.src), testCtx)
		if err != nil {
			t.Errorf("%s: %v", c.src, err)
			continue
		}
		if got != c.want {
			t.Errorf("%s: got %q, want %q", c.src, got, c.want)
		}
	}
}

func TestRenderOrdered(t *testing.T) {
	got, err := testRenderer().RenderOrdered("top.sls", []byte("base:\n  'z*': [a]\n  'a*': [b]\n"), testCtx)
	if err != nil {
		t.Fatal(err)
	}
	m := got.(body.Map)
	targets, _ := m.Map("base")
	if keys := targets.Keys(); !reflect.DeepEqual(keys, []string{"z*", "a*"}) {
		t.Errorf("targets %v, want the file's order", keys)
	}
}

func TestRenderErrors(t *testing.T) {
	cases := []struct {
		name, src string
		line      int
		msg       string
	}{
		{"jinja syntax", "a: 1\nb: {{ 1 +\n}}\n", 2, "Jinja syntax error"},
		{"unclosed block", "a: 1\n{% if x %}\nb: 2\n", 3, "Jinja syntax error"},
		{"undefined name", "a: 1\nb: {{ nope }}\n", 2, `nope`},
		{"undefined call", "a: 1\n\nb: {{ salt['no.such']() }}\n", 3, "no function no.such"},
		{"yaml after jinja", "a: 1\nb: [1\nc: {{ 2 }}\n", 2, "did not find expected ',' or ']'"},
		{"yaml mapping", "a: 1\n b: 2\n", 2, "mapping values are not allowed"},
		{"duplicate key", "a: 1\na: 2\n", 1, "conflicting ID"},
		{"json", "#!json\n{\"a\":\n  [1,}\n", 2, "json"},
		{"unknown renderer", "#!mako|yaml\na: 1\n", 1, `renderer "mako" is not available`},
		{"missing import", "{% from 'nope.jinja' import x %}\n", 1, "nope.jinja"},
		{"yaml then jinja", "#!yaml|jinja\na: 1\n", 0, `renderer "jinja" needs text`},
	}
	r := testRenderer()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := r.Render("/srv/pillar/x.sls", []byte(c.src), testCtx)
			var re *Error
			if !errors.As(err, &re) {
				t.Fatalf("error %v (%T), want a *render.Error", err, err)
			}
			if re.File != "/srv/pillar/x.sls" || (c.line != 0 && re.Line != c.line) {
				t.Errorf("file %q line %d, want line %d: %v", re.File, re.Line, c.line, err)
			}
			if !strings.Contains(err.Error(), c.msg) || !strings.Contains(err.Error(), "/srv/pillar/x.sls") {
				t.Errorf("error %q does not name the file and %q", err, c.msg)
			}
		})
	}
}

// TestImportErrorNamesImportedFile: a failure inside an imported template
// names that template's file and line, not the importer's.
func TestImportErrorNamesImportedFile(t *testing.T) {
	for src, line := range map[string]int{
		"{% from 'apache/broken.jinja' import x %}\n":      3,
		"{% from 'apache/syntax.jinja' import x %}\n":      2,
		"{% from 'apache/uses_broken.jinja' import x %}\n": 3,
	} {
		_, err := testRenderer().Render("/srv/pillar/top.sls", []byte(src), testCtx)
		var re *Error
		if !errors.As(err, &re) {
			t.Fatalf("%s: error %v, want a *render.Error", src, err)
		}
		want := filepath.Join("testdata", "roots", "base", "apache", "broken.jinja")
		if strings.Contains(src, "syntax") {
			want = filepath.Join("testdata", "roots", "base", "apache", "syntax.jinja")
		}
		if re.File != want || re.Line != line {
			t.Errorf("%s: error at %s line %d, want %s line %d: %v", src, re.File, re.Line, want, line, err)
		}
	}
}

func TestNoCaller(t *testing.T) {
	_, err := (&Renderer{}).Render("x.sls", []byte("a: {{ salt['test.ping']() }}\n"), Context{})
	if err == nil || !strings.Contains(err.Error(), "test.ping") {
		t.Errorf("error %v, want one naming test.ping", err)
	}
}

func TestDropTrailingCommas(t *testing.T) {
	cases := map[string]string{
		"{{ {'a': 1,} }}":                    "{{ {'a': 1} }}",
		"text, {}\n{% set x = {'a': ','} %}": "text, {}\n{% set x = {'a': ','} %}",
		"{% set x = {'a': {'b': 1,},\n} %}":  "{% set x = {'a': {'b': 1}\n} %}",
	}
	for in, want := range cases {
		if got := dropTrailingCommas(in); got != want {
			t.Errorf("dropTrailingCommas(%q) = %q, want %q", in, got, want)
		}
	}
}
