package render

import (
	"errors"
	"fmt"
	"strings"
)

// Caller runs an execution function for a template's salt['mod.fun'](...).
// Arguments are plain data (mappings map[string]any), except that a dict
// written as an argument in the template itself is a body.Map in the order
// written, as Python keeps it.
type Caller func(fun string, args []any, kwargs map[string]any) (any, error)

// Loader reads a template that another imports, includes or takes names
// from: path is relative to the environment's root ("map.jinja",
// "apache/map.jinja"); file is what errors should call it.
type Loader func(saltenv, path string) (text []byte, file string, err error)

// Context is what a template sees besides salt[...].
type Context struct {
	Grains, Pillar, Opts map[string]any
	Saltenv, SLS         string         // sls: dotted name being rendered ("" for none)
	Extra                map[string]any // more template variables
}

// Renderer renders files. Its zero value renders "jinja|yaml" with no
// salt[...] functions and no imports.
type Renderer struct {
	Default string // renderer pipe when a file has no #! line; "" = "jinja|yaml"
	Caller  Caller // nil: salt[...] calls fail with a clear error
	Loader  Loader
}

// Error is what every render failure is: the file, the line when known
// (0 when not), and the cause.
type Error struct {
	File string
	Line int
	Err  error
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s, line %d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.File, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Render runs the file's pipe (its #! line or Default) and returns the data
// (yaml/json). An empty result is an empty mapping, as Salt's yaml renderer
// gives it; a pipe ending in jinja returns the text.
func (r *Renderer) Render(file string, text []byte, ctx Context) (any, error) {
	return r.render(file, text, ctx, false)
}

// RenderOrdered is Render with the mappings of the result as body.Map in
// the order the file writes them, for what Salt reads in that order (a top
// file's environments and targets decide the order pillar merges in).
func (r *Renderer) RenderOrdered(file string, text []byte, ctx Context) (any, error) {
	return r.render(file, text, ctx, true)
}

func (r *Renderer) render(file string, text []byte, ctx Context, ordered bool) (any, error) {
	pipe, err := r.pipe(text)
	if err != nil {
		return nil, &Error{File: file, Line: 1, Err: err}
	}
	var data any = string(text)
	for _, name := range pipe {
		s, ok := data.(string)
		if !ok {
			return nil, &Error{File: file, Err: fmt.Errorf("renderer %q needs text, and the renderer before it gave data", name)}
		}
		switch name {
		case "jinja":
			data, err = r.jinja(file, s, ctx)
		case "yaml":
			data, err = loadYAML(file, s, ordered)
		case "json":
			data, err = loadJSON(file, s, ordered)
		}
		if err != nil {
			return nil, err
		}
	}
	return data, nil
}

// Template renders Jinja only, returning text (cp.get_template, file.managed).
func (r *Renderer) Template(file string, text []byte, ctx Context) (string, error) {
	return r.jinja(file, string(text), ctx)
}

// oldStyle is salt.template.OLD_STYLE_RENDERERS: the names the renderer
// option took before pipes.
var oldStyle = map[string]string{
	"yaml_jinja": "jinja|yaml", "json_jinja": "jinja|json",
	"yaml": "yaml", "json": "json", "jinja": "jinja",
}

// known is the renderers this package has.
var known = map[string]bool{"jinja": true, "yaml": true, "json": true}

// pipe is the list of renderers for text: its "#!" first line (but not a
// "#!/" interpreter line), as salt.template.template_shebang reads it, else
// the Default.
func (r *Renderer) pipe(text []byte) ([]string, error) {
	spec := r.Default
	if spec == "" {
		spec = "jinja|yaml"
	}
	line, _, _ := strings.Cut(string(text), "\n")
	line = strings.TrimSpace(line)
	if strings.HasPrefix(line, "#!") && !strings.HasPrefix(line, "#!/") {
		spec = line[2:]
	}
	return parsePipe(spec)
}

// parsePipe is salt.template.check_render_pipe_str for the renderers here:
// "jinja|yaml" runs jinja, then yaml. Arguments after a space ("yaml
// --opts") are dropped, as Salt's three renderers here ignore them.
func parsePipe(spec string) ([]string, error) {
	spec = strings.TrimSpace(spec)
	if o, ok := oldStyle[spec]; ok {
		spec = o
	}
	var out []string
	for _, part := range strings.Split(spec, "|") {
		name, _, _ := strings.Cut(strings.TrimSpace(part), " ")
		if !known[name] {
			return nil, fmt.Errorf("the renderer %q is not available", name)
		}
		out = append(out, name)
	}
	if len(out) == 0 {
		return nil, errors.New("no renderer")
	}
	return out, nil
}
