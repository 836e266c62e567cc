package render

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/nikolalohinski/gonja/v2/builtins"
	"github.com/nikolalohinski/gonja/v2/config"
	"github.com/nikolalohinski/gonja/v2/exec"
	"github.com/nikolalohinski/gonja/v2/loaders"
	"github.com/nikolalohinski/gonja/v2/parser"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// The Jinja side: one gonja environment for the package (its filters,
// tests, control structures and methods never change after init), and per
// render a context with Salt's variables and a loader on Renderer.Loader.

var (
	envOnce sync.Once
	baseEnv *exec.Environment
)

// environment is gonja's builtins with Salt's filters added and import and
// from replaced by ones that also take the variables a template sets
// (Jinja2 does; gonja 2.9 takes only macros, and map.jinja files are
// all `{% set %}`).
func environment() *exec.Environment {
	envOnce.Do(func() {
		filters := exec.NewFilterSet(map[string]exec.FilterFunction{})
		filters.Update(builtins.Filters)
		for name, fn := range saltFilters {
			if filters.Exists(name) {
				_ = filters.Replace(name, fn)
			} else {
				_ = filters.Register(name, fn)
			}
		}
		cs := exec.NewControlStructureSet(map[string]parser.ControlStructureParser{})
		cs.Update(builtins.ControlStructures)
		_ = cs.Replace("import", importParser)
		_ = cs.Replace("from", fromParser)
		for _, kind := range []string{"yaml", "json", "text"} {
			_ = cs.Register("import_"+kind, importDataParser(kind))
		}
		baseEnv = &exec.Environment{
			Context:           exec.EmptyContext().Update(builtins.GlobalFunctions).Update(builtins.GlobalVariables),
			Filters:           filters,
			Tests:             builtins.Tests,
			ControlStructures: cs,
			Methods:           builtins.Methods,
		}
	})
	return baseEnv
}

// jinjaConfig is Salt's Jinja environment: undefined names are errors
// (StrictUndefined, Salt's default without allow_undefined), blocks are not
// trimmed (jinja_trim_blocks, jinja_lstrip_blocks off) and the text keeps
// its last newline (Salt adds it back).
func jinjaConfig() *config.Config {
	c := config.New()
	c.StrictUndefined = true
	c.KeepTrailingNewline = true
	return c
}

// jinja renders text as the file's Jinja template.
func (r *Renderer) jinja(file, text string, ctx Context) (string, error) {
	if !strings.Contains(text, "{{") && !strings.Contains(text, "{%") && !strings.Contains(text, "{#") {
		return text, nil // nothing for Jinja to do: the text is its output
	}
	env := environment()
	ld := &loader{r: r, saltenv: ctx.Saltenv, root: file, text: text, dir: templateDir(file, ctx.SLS), read: map[string]loaded{}}
	tpl, err := exec.NewTemplate(file, jinjaConfig(), ld, env)
	if err != nil {
		return "", jinjaError(file, text, err)
	}
	var out bytes.Buffer
	if err := tpl.Execute(&out, exec.NewContext(r.variables(file, ctx))); err != nil {
		return "", jinjaError(file, text, err)
	}
	return out.String(), nil
}

// variables are what salt/renderers/jinja.py and
// salt.utils.templates.wrap_tmpl_func give a template.
func (r *Renderer) variables(file string, ctx Context) map[string]any {
	v := map[string]any{
		"grains":  orEmpty(ctx.Grains),
		"pillar":  orEmpty(ctx.Pillar),
		"opts":    orEmpty(ctx.Opts),
		"saltenv": ctx.Saltenv,
		"sls":     ctx.SLS,
		"salt":    saltFuncs{call: r.Caller},
	}
	maps.Copy(v, slsContext(file, ctx.SLS))
	maps.Copy(v, ctx.Extra)
	return v
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// slsContext is salt.utils.templates.generate_sls_context: the template's
// path relative to its root (found from the sls name at the end of file)
// and the sls's directory in Salt's several spellings.
func slsContext(file, sls string) map[string]any {
	slsPath := strings.ReplaceAll(sls, ".", "/")
	tplfile := path.Base(file)
	for _, suffix := range []string{slsPath + "/init.sls", slsPath + ".sls"} {
		if sls != "" && (file == suffix || strings.HasSuffix(file, "/"+suffix)) {
			tplfile = suffix
			break
		}
	}
	tpldir := path.Dir(tplfile)
	slspath := tpldir
	if slspath == "." {
		slspath = ""
	}
	tplroot, _, _ := strings.Cut(tplfile, "/")
	if !strings.Contains(tplfile, "/") {
		tplroot = ""
	}
	return map[string]any{
		"tplfile": tplfile, "tpldir": tpldir, "tplpath": file, "tplroot": tplroot,
		"tpldot":  strings.ReplaceAll(tpldir, "/", "."),
		"slspath": slspath, "sls_path": strings.ReplaceAll(slspath, "/", "_"),
		"slsdotpath": strings.ReplaceAll(slspath, "/", "."), "slscolonpath": strings.ReplaceAll(slspath, "/", ":"),
	}
}

// templateDir is the directory of the template being rendered, from its
// environment's root, that "./" imports start from: the directory of the
// sls's file, or of file itself when it is a relative path.
func templateDir(file, sls string) string {
	if sls == "" && !path.IsAbs(file) {
		return path.Dir(file)
	}
	return slsContext(file, sls)["tpldir"].(string)
}

// loader is gonja's view of Renderer.Loader: the root template is the
// text being rendered; any other name is a path from the environment's
// root, or from the importing template's directory when it starts with
// "./" or "../" (as Salt's SaltCacheLoader resolves them).
type loader struct {
	r       *Renderer
	saltenv string
	root    string
	text    string
	dir     string
	read    map[string]loaded // shared by the loaders Inherit makes
}

// loaded is a template the Loader gave: what errors call it, and its text.
type loaded struct{ file, text string }

// failed is the *Error for a failure of the imported template name.
func (l *loader) failed(name string, err error) error {
	f, ok := l.read[name]
	if !ok {
		f = loaded{file: name}
	}
	return jinjaError(f.file, f.text, err)
}

func (l *loader) Read(name string) (io.Reader, error) {
	if name == l.root {
		return strings.NewReader(dropTrailingCommas(l.text)), nil
	}
	if l.r.Loader == nil {
		return nil, fmt.Errorf("template %q not found: this renderer has no loader", name)
	}
	text, file, err := l.r.Loader(l.saltenv, name)
	if err != nil {
		return nil, err
	}
	l.read[name] = loaded{file, string(text)}
	return strings.NewReader(dropTrailingCommas(string(text))), nil
}

func (l *loader) Resolve(name string) (string, error) {
	if name == l.root {
		return name, nil
	}
	if strings.HasPrefix(name, "./") || strings.HasPrefix(name, "../") {
		name = path.Join(l.dir, name)
	}
	name = path.Clean(strings.TrimPrefix(name, "/"))
	if name == ".." || strings.HasPrefix(name, "../") {
		return "", fmt.Errorf("template %q is outside the file roots", name)
	}
	return name, nil
}

func (l *loader) Inherit(from string) (loaders.Loader, error) {
	sub := *l
	if from != l.root {
		sub.dir = path.Dir(from)
	}
	return &sub, nil
}

// saltFuncs is the template's salt: salt['mod.fun'](...) and
// salt.mod.fun(...) both call the Caller.
type saltFuncs struct {
	call   Caller
	prefix string
}

func (s saltFuncs) GetItem(key any) (*exec.Value, bool) {
	name, ok := key.(string)
	if !ok {
		return exec.AsValue(nil), false
	}
	return exec.AsValue(s.function(s.prefix + name)), true
}

func (s saltFuncs) GetAttribute(name string) (*exec.Value, bool) {
	if s.prefix == "" {
		return exec.AsValue(saltFuncs{call: s.call, prefix: name + "."}), true
	}
	return s.GetItem(name)
}

func (s saltFuncs) function(fun string) func(*exec.VarArgs) (any, error) {
	return func(va *exec.VarArgs) (any, error) {
		if s.call == nil {
			return nil, fmt.Errorf("salt[%q] is not available here: no execution functions", fun)
		}
		args := make([]any, len(va.Args))
		for i, a := range va.Args {
			args[i] = argValue(a)
		}
		kwargs := make(map[string]any, len(va.KwArgs))
		for k, a := range va.KwArgs {
			kwargs[k] = argValue(a)
		}
		ret, err := s.call(fun, args, kwargs)
		if err != nil {
			return nil, fmt.Errorf("salt[%q]: %w", fun, err)
		}
		return Plain(ret), nil
	}
}

// goValue is a template value as plain Go data for a Caller.
func goValue(v *exec.Value) any {
	if v == nil || v.IsNil() {
		return nil
	}
	return Plain(v.ToGoSimpleType(true))
}

// argValue is an argument for a Caller: like goValue, except that a dict
// written in the template is a body.Map in the order written (what
// grains.filter_by tries its keys in).
func argValue(v *exec.Value) any {
	var d *exec.Dict
	switch x := v.Interface().(type) {
	case *exec.Dict:
		d = x
	case exec.Dict:
		d = &x
	default:
		return goValue(v)
	}
	m := make(body.Map, 0, len(d.Pairs))
	for _, p := range d.Pairs {
		m = append(m, body.Item{Key: p.Key.String(), Value: goValue(p.Value)})
	}
	return m
}

// jinjaError makes a gonja failure an *Error with the innermost line the
// message names.
func jinjaError(file, text string, err error) error {
	var re *Error
	if errors.As(err, &re) {
		return re // a template it imports failed, and says where
	}
	var pe *parser.SyntaxError
	if errors.As(err, &pe) {
		// Not err itself: gonja's message quotes the whole template.
		line := pe.Line
		if last := strings.Count(strings.TrimSuffix(text, "\n"), "\n") + 1; line == 0 || line > last {
			line = last // the end of the template
		}
		return &Error{File: file, Line: line, Err: fmt.Errorf("Jinja syntax error: %s (near %q)", pe.Message, pe.Raw)}
	}
	line := 0
	if m := reLine.FindAllStringSubmatch(err.Error(), -1); m != nil {
		line, _ = strconv.Atoi(m[len(m)-1][1])
	}
	return &Error{File: file, Line: line, Err: fmt.Errorf("Jinja: %w", err)}
}

var reLine = regexp.MustCompile(`(?i)\bline[: ]+(\d+)`)
