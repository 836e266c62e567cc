package render

import (
	"errors"
	"fmt"
	"io"

	"github.com/nikolalohinski/gonja/v2/exec"
	"github.com/nikolalohinski/gonja/v2/loaders"
	"github.com/nikolalohinski/gonja/v2/nodes"
	"github.com/nikolalohinski/gonja/v2/parser"
	"github.com/nikolalohinski/gonja/v2/tokens"
)

// Jinja2's {% import 'map.jinja' as m %} and {% from 'map.jinja' import x
// %}: the imported template runs once, and what it sets at its top level
// ({% set %}, macros) is what the importer gets. The imported template
// always sees the importer's variables (grains, salt, ...), with context
// or not: Salt's map.jinja files need them, and in Salt they come as
// template globals for the same reason.

// importCS is one import or from statement.
type importCS struct {
	location *tokens.Token
	file     nodes.Expression
	as       string            // import ... as <as>
	names    map[string]string // from ... import <name> as <alias>: alias -> name
}

func (c *importCS) Position() *tokens.Token { return c.location }
func (c *importCS) String() string {
	return fmt.Sprintf("ImportControlStructure(Line=%d Col=%d)", c.location.Line, c.location.Col)
}

// module is an imported template's top level.
type module struct {
	r   *exec.Renderer
	tpl *exec.Template
}

func (m module) GetAttribute(name string) (*exec.Value, bool) {
	if v, ok := m.r.Environment.Context.Get(name); ok {
		return exec.ToValue(v), true
	}
	if node, ok := m.tpl.Macros()[name]; ok {
		fn, err := exec.MacroNodeToFunc(node, m.r)
		if err != nil {
			return exec.AsValue(err), false
		}
		return exec.AsValue(fn), true
	}
	return exec.AsValue(nil), false
}

func (m module) GetItem(key any) (*exec.Value, bool) {
	if s, ok := key.(string); ok {
		return m.GetAttribute(s)
	}
	return exec.AsValue(nil), false
}

func (c *importCS) Execute(r *exec.Renderer, _ *nodes.ControlStructureBlock) error {
	m, err := runImport(r, c.file)
	if err != nil {
		return err
	}
	if c.as != "" {
		r.Environment.Context.Set(c.as, m)
		return nil
	}
	for alias, name := range c.names {
		v, ok := m.GetAttribute(name)
		if !ok {
			return fmt.Errorf("the template %s does not export the requested name %q", c.file, name)
		}
		r.Environment.Context.Set(alias, v.Interface())
	}
	return nil
}

// runImport renders the named template to nowhere, in a context that
// inherits the importer's, and keeps its renderer for the names it set.
func runImport(r *exec.Renderer, expr nodes.Expression) (module, error) {
	tpl, ld, file, err := openTemplate(r, expr)
	if err != nil {
		return module{}, err
	}
	sub := subRenderer(r, ld, tpl, io.Discard)
	if err := sub.Execute(); err != nil {
		return module{}, failedIn(r, file, err)
	}
	return module{r: sub, tpl: tpl}, nil
}

// openTemplate parses the template expr names, for importing.
func openTemplate(r *exec.Renderer, expr nodes.Expression) (*exec.Template, loaders.Loader, string, error) {
	name := r.Eval(expr)
	if name.IsError() {
		return nil, nil, "", fmt.Errorf("unable to evaluate the template name: %s", name.String())
	}
	file, err := r.Loader.Resolve(name.String())
	if err != nil {
		return nil, nil, "", err
	}
	ld, err := r.Loader.Inherit(file)
	if err != nil {
		return nil, nil, "", err
	}
	tpl, err := exec.NewTemplate(file, r.Config, ld, r.Environment)
	if err != nil {
		var pe *parser.SyntaxError
		if errors.As(err, &pe) {
			return nil, nil, "", failedIn(r, file, err)
		}
		return nil, nil, "", fmt.Errorf("unable to load template %q: %w", file, err)
	}
	return tpl, ld, file, nil
}

// subRenderer renders tpl to out in a context inheriting r's.
func subRenderer(r *exec.Renderer, ld loaders.Loader, tpl *exec.Template, out io.Writer) *exec.Renderer {
	env := *r.Environment
	env.Context = r.Environment.Context.Inherit()
	return exec.NewRenderer(&env, out, r.Config, ld, tpl)
}

// failedIn is the error for a failure of the imported template file.
func failedIn(r *exec.Renderer, file string, err error) error {
	if l, ok := r.Loader.(*loader); ok {
		return l.failed(file, err)
	}
	return fmt.Errorf("%s: %w", file, err)
}

// skipContext takes an optional "with context" or "without context".
func skipContext(args *parser.Parser) {
	if tok := args.MatchName("with", "without"); tok != nil {
		if args.MatchName("context") == nil {
			args.Stream().Backup()
		}
	}
}

func importParser(p *parser.Parser, args *parser.Parser) (nodes.ControlStructure, error) {
	c := &importCS{location: p.Current()}
	var err error
	if c.file, c.as, err = parseAs(args, true); err != nil {
		return nil, err
	}
	return c, nil
}

// parseAs parses "<expr> as <name>", then, if context is true, an
// optional "with context" or "without context".
func parseAs(args *parser.Parser, context bool) (nodes.Expression, string, error) {
	expr, err := args.ParseExpression()
	if err != nil {
		return nil, "", err
	}
	if args.MatchName("as") == nil {
		return nil, "", args.Error(`expected "as"`, args.Current())
	}
	alias := args.Match(tokens.Name)
	if alias == nil {
		return nil, "", args.Error("expected a name after as", args.Current())
	}
	if context {
		skipContext(args)
	}
	if !args.End() {
		return nil, "", args.Error("unexpected text after the import", args.Current())
	}
	return expr, alias.Val, nil
}

func fromParser(p *parser.Parser, args *parser.Parser) (nodes.ControlStructure, error) {
	c := &importCS{location: p.Current(), names: map[string]string{}}
	expr, err := args.ParseExpression()
	if err != nil {
		return nil, err
	}
	c.file = expr
	if args.MatchName("import") == nil {
		return nil, args.Error(`expected "import"`, args.Current())
	}
	for !args.End() {
		if args.MatchName("with", "without") != nil {
			if args.MatchName("context") == nil {
				return nil, args.Error(`expected "context"`, args.Current())
			}
			break
		}
		name := args.Match(tokens.Name)
		if name == nil {
			return nil, args.Error("expected a name to import", args.Current())
		}
		alias := name.Val
		if args.MatchName("as") != nil {
			a := args.Match(tokens.Name)
			if a == nil {
				return nil, args.Error("expected a name after as", args.Current())
			}
			alias = a.Val
		}
		c.names[alias] = name.Val
		if args.Match(tokens.Comma) == nil && !args.End() && args.Current(tokens.Name) == nil {
			return nil, args.Error(`expected ","`, args.Current())
		}
	}
	if len(c.names) == 0 {
		return nil, args.Error("nothing to import", args.Current())
	}
	return c, nil
}
