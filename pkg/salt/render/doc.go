// Package render turns an SLS or template file into data, as Salt's
// renderer pipes (salt/template.py, salt/renderers/{jinja,yaml,json}.py)
// do: the file's "#!" first line, or the configured default ("jinja|yaml"),
// names the renderers; Jinja runs through gonja v2 with the variables and
// filters Salt's templates use (salt/utils/jinja.py, salt/utils/templates.py),
// and YAML is read as Salt's loader reads it (YAML 1.1 scalars, through
// pkg/salt/job's loader, so that arguments and SLS agree).
//
// Mappings are map[string]any throughout, in and out: that is the type
// gonja's dict methods (.get, .items, .update) work on, and Salt's pillar
// is a plain dict once merged. The key order Salt's OrderedDict keeps is
// lost; a non-string key (an int, a bool) becomes its Python str(), where
// Salt keeps the int. Every failure is a *Error naming the file and, where
// the engine tells it, the line.
package render
