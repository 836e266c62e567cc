package render

import (
	"fmt"
	"strings"

	"github.com/nikolalohinski/gonja/v2/exec"
	"github.com/nikolalohinski/gonja/v2/nodes"
	"github.com/nikolalohinski/gonja/v2/parser"
	"github.com/nikolalohinski/gonja/v2/tokens"
)

// Salt's SerializerExtension tags {% import_yaml 'defaults.yaml' as d %},
// import_json and import_text: the file is rendered as a template (with
// the importer's variables, as Salt's include does) and its text loaded.

// importDataCS is one import_yaml, import_json or import_text statement.
type importDataCS struct {
	location *tokens.Token
	kind     string
	file     nodes.Expression
	as       string
}

func (c *importDataCS) Position() *tokens.Token { return c.location }
func (c *importDataCS) String() string {
	return fmt.Sprintf("Import%sControlStructure(Line=%d Col=%d)", c.kind, c.location.Line, c.location.Col)
}

func (c *importDataCS) Execute(r *exec.Renderer, _ *nodes.ControlStructureBlock) error {
	text, file, err := renderImported(r, c.file)
	if err != nil {
		return err
	}
	var v any = text
	switch c.kind {
	case "yaml":
		v, err = loadYAML(file, text, false)
	case "json":
		v, err = loadJSON(file, text, false)
	}
	if err != nil {
		return err
	}
	r.Environment.Context.Set(c.as, v)
	return nil
}

// renderImported renders the named template in a context inheriting the
// importer's and returns its text.
func renderImported(r *exec.Renderer, expr nodes.Expression) (text, file string, err error) {
	tpl, ld, file, err := openTemplate(r, expr)
	if err != nil {
		return "", "", err
	}
	var out strings.Builder
	if err := subRenderer(r, ld, tpl, &out).Execute(); err != nil {
		return "", file, failedIn(r, file, err)
	}
	return out.String(), file, nil
}

// importDataParser parses `<expr> as <name>` for the import_<kind> tag.
func importDataParser(kind string) parser.ControlStructureParser {
	return func(p *parser.Parser, args *parser.Parser) (nodes.ControlStructure, error) {
		c := &importDataCS{location: p.Current(), kind: kind}
		var err error
		if c.file, c.as, err = parseAs(args, false); err != nil {
			return nil, err
		}
		return c, nil
	}
}
