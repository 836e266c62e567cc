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
//
// Where gonja is not Jinja2, as far as Salt's templates reach (the filter
// tests compare with Salt 3006.3's render_jinja_tmpl): {{ None }} prints
// "" (Jinja2: "None"), a tuple prints as a list ("['b']", not "('b',)"),
// and Jinja's own filters are gonja's. An imported template sees the
// importer's variables with context or without, as Salt's do (grains,
// salt, ... are globals there). Salt's import_yaml, import_json and
// import_text tags are here. Trailing commas before
// "}" are dropped before gonja parses (it refuses them); import and from
// are this package's, since gonja's take only macros.
package render
