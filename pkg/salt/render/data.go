package render

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/job"
)

// maxYAMLNodes bounds what one SLS may expand to through aliases.
const maxYAMLNodes = 1 << 20

// loadYAML is salt/renderers/yaml.py: one document read with Salt's
// loader; nothing (or a false value) is an empty mapping. A syntax error
// names the line of the text YAML was given, which after Jinja is the
// rendered text.
func loadYAML(file, text string, ordered bool) (any, error) {
	dec := yaml.NewDecoder(strings.NewReader(text))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return map[string]any{}, nil
		}
		return nil, yamlError(file, err)
	}
	var next yaml.Node
	if err := dec.Decode(&next); !errors.Is(err, io.EOF) {
		if err != nil {
			return nil, yamlError(file, err)
		}
		return nil, &Error{File: file, Line: next.Line, Err: errors.New("expected a single document in the stream, but found another document")}
	}
	if len(doc.Content) == 0 {
		return map[string]any{}, nil
	}
	v, err := job.YAMLValue(doc.Content[0], maxYAMLNodes)
	if err != nil {
		return nil, &Error{File: file, Line: doc.Content[0].Line, Err: err}
	}
	v = shape(v, ordered)
	if !py.Truthy(v) {
		return map[string]any{}, nil
	}
	return v, nil
}

var reYAMLLine = regexp.MustCompile(`^line (\d+): `)

// yamlError gives a yaml.v3 error its line. yaml.v3 (3.0.1) prints parser
// problems ("did not find expected ...") with a 0-based line and scanner
// problems with a 1-based one.
func yamlError(file string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if m := reYAMLLine.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		if strings.Contains(msg, "did not find expected") {
			line++
		}
		msg = msg[len(m[0]):]
	}
	return &Error{File: file, Line: line, Err: fmt.Errorf("YAML: %s", msg)}
}

// loadJSON is salt/renderers/json.py: a "#!" first line is dropped, the
// rest is one JSON value.
func loadJSON(file, text string, ordered bool) (any, error) {
	if strings.HasPrefix(text, "#!") {
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			text = text[i+1:]
		} else {
			text = ""
		}
	}
	v, err := body.DecodeJSON([]byte(text))
	if err != nil {
		return nil, &Error{File: file, Line: jsonLine(text, err), Err: err}
	}
	return shape(v, ordered), nil
}

// shape gives loaded data the mappings the caller wants.
func shape(v any, ordered bool) any {
	if ordered {
		return Ordered(v)
	}
	return Plain(v)
}

var reOffset = regexp.MustCompile(`offset (\d+)`)

// jsonLine is the 1-based line of the offset a JSON error names.
func jsonLine(text string, err error) int {
	m := reOffset.FindStringSubmatch(err.Error())
	if m == nil {
		return 0
	}
	off, _ := strconv.Atoi(m[1])
	if off > len(text) {
		off = len(text)
	}
	return strings.Count(text[:off], "\n") + 1
}

// Plain turns the mappings in v into map[string]any and lists into
// []any, so that templates and merges see one type (py.Plain).
func Plain(v any) any { return py.Plain(v) }

// Ordered is Plain's counterpart for ordered data: body.Map stays, with
// its values made Ordered; a map with non-string keys becomes a body.Map
// of their Python str(), sorted.
func Ordered(v any) any {
	switch x := v.(type) {
	case body.Map:
		m := make(body.Map, len(x))
		for i, it := range x {
			m[i] = body.Item{Key: it.Key, Value: Ordered(it.Value)}
		}
		return m
	case map[string]any:
		return orderedFrom(len(x), func(yield func(string, any)) {
			for k, e := range x {
				yield(k, e)
			}
		})
	case map[any]any:
		return orderedFrom(len(x), func(yield func(string, any)) {
			for k, e := range x {
				yield(py.Str(k), e)
			}
		})
	case []any:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = Ordered(e)
		}
		return l
	}
	return v
}

func orderedFrom(n int, each func(yield func(string, any))) body.Map {
	m := make(body.Map, 0, n)
	each(func(k string, e any) { m = append(m, body.Item{Key: k, Value: Ordered(e)}) })
	slices.SortFunc(m, func(a, b body.Item) int { return strings.Compare(a.Key, b.Key) })
	return m
}
