package netapi

import (
	"io"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/job"
	"github.com/saltraet/saltraet/pkg/salt/output"
)

// Media types rest_cherrypy answers in (ct_out_map), in its order of
// preference.
const (
	ctJSON = "application/json"
	ctYAML = "application/x-yaml"
)

// yamlMaxNodes bounds what aliases may expand a YAML body to.
const yamlMaxNodes = 100000

// request is one request's body as hypermedia_in read it: the data
// (unserialized_data) and the body as text (raw_body, for webhooks).
type request struct {
	data any
	raw  string
}

// readBody reads and decodes the body by its Content-Type as
// hypermedia_in's processors do: form fields (arg repeated, arg and kwarg
// typed as YAML), JSON, YAML, or text (JSON if it parses). An empty POST
// has no data; a body over limit is 413; a type not listed is 406.
func readBody(r *http.Request, limit int64) (request, error) {
	if r.ContentLength == 0 || r.Body == nil || r.Body == http.NoBody {
		return request{}, nil
	}
	if limit > 0 && r.ContentLength > limit {
		return request{}, httpErr(413, "The entity sent with the request exceeds the maximum allowed bytes.")
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "" {
		ct = "application/x-www-form-urlencoded" // what CherryPy assumes of a body without a type
	}
	proc, ok := map[string]func(string) (any, error){
		"application/x-www-form-urlencoded": decodeForm,
		"application/json":                  decodeJSON,
		"application/x-yaml":                decodeYAML,
		"text/yaml":                         decodeYAML,
		"text/plain":                        decodeText,
	}[ct]
	if !ok {
		return request{}, httpErr(406, "Content type not supported")
	}
	var rd io.Reader = r.Body
	if limit > 0 {
		rd = io.LimitReader(r.Body, limit+1)
	}
	b, err := io.ReadAll(rd)
	if err != nil {
		return request{}, httpErr(400, "Could not read the request body")
	}
	if limit > 0 && int64(len(b)) > limit {
		return request{}, httpErr(413, "The entity sent with the request exceeds the maximum allowed bytes.")
	}
	data, err := proc(string(b))
	if err != nil {
		return request{}, err
	}
	return request{data: data, raw: string(b)}, nil
}

func decodeJSON(s string) (any, error) {
	v, err := body.DecodeJSON([]byte(s))
	if err != nil {
		return nil, httpErr(400, "Invalid JSON document")
	}
	return v, nil
}

func decodeYAML(s string) (any, error) {
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(s), &root); err != nil {
		return nil, httpErr(400, "Invalid YAML document")
	}
	if len(root.Content) == 0 {
		return nil, nil
	}
	v, err := job.YAMLValue(root.Content[0], yamlMaxNodes)
	if err != nil {
		return nil, httpErr(400, "Invalid YAML document")
	}
	return v, nil
}

func decodeText(s string) (any, error) {
	if v, err := body.DecodeJSON([]byte(s)); err == nil {
		return v, nil
	}
	return s, nil
}

// decodeForm is urlencoded_processor: a key given once is a string, given
// again a list; kwarg and each arg are typed as yamlify_arg types them, and
// arg is always a list.
func decodeForm(s string) (any, error) {
	vals, err := url.ParseQuery(s)
	if err != nil {
		return nil, httpErr(400, "Invalid form data")
	}
	m := body.Map{}
	for _, k := range formOrder(s, vals) {
		v := vals[k]
		switch {
		case k == "arg":
			args := make([]any, len(v))
			for i, a := range v {
				args[i] = job.YAMLArg(a)
			}
			m.Set(k, args)
		case k == "kwarg":
			m.Set(k, job.YAMLArg(v[0]))
		case len(v) == 1:
			m.Set(k, v[0])
		default:
			list := make([]any, len(v))
			for i, a := range v {
				list[i] = a
			}
			m.Set(k, list)
		}
	}
	return m, nil
}

// formOrder is the keys in the order the body first names them (parse_qsl
// keeps it; url.Values does not).
func formOrder(s string, vals url.Values) []string {
	pos := map[string]int{}
	for i, pair := range strings.Split(s, "&") {
		k, _, _ := strings.Cut(pair, "=")
		if uk, err := url.QueryUnescape(k); err == nil {
			if _, ok := pos[uk]; !ok {
				pos[uk] = i
			}
		}
	}
	keys := make([]string, 0, len(vals))
	for k := range vals {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return pos[keys[i]] < pos[keys[j]] })
	return keys
}

// lowstate is lowdata_fmt: a mapping becomes a list of one, its arg a
// list; anything else is the lowstate as it came.
func lowstate(data any) any {
	if m, ok := data.(body.Map); ok && len(m) > 0 {
		if a, ok := m.Get("arg"); ok {
			if _, isList := a.([]any); !isList {
				m.Set("arg", []any{a})
			}
		}
		return []any{m}
	}
	return data
}

// accept picks the response's media type from the Accept header as
// cherrypy.lib.cptools.accept does over [json, yaml]: the best quality,
// the server's order among equals, json when there is no header; nothing
// acceptable is 406 with CherryPy's message.
func accept(h string) (string, error) {
	if strings.TrimSpace(h) == "" {
		return ctJSON, nil
	}
	best, bestQ := "", 0.0
	for _, offer := range []string{ctJSON, ctYAML} {
		if q := quality(h, offer); q > bestQ {
			best, bestQ = offer, q
		}
	}
	if best == "" {
		return "", httpErr(406, "Your client sent this Accept header: "+h+
			". But this resource only emits these media types: application/json, application/x-yaml.")
	}
	return best, nil
}

// quality is the q the Accept header h gives the media type offer, the
// most specific range that matches it deciding.
func quality(h, offer string) float64 {
	typ, _, _ := strings.Cut(offer, "/")
	q, spec := 0.0, -1
	for _, part := range strings.Split(h, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		s := -1
		switch {
		case mt == offer:
			s = 2
		case mt == typ+"/*":
			s = 1
		case mt == "*/*":
			s = 0
		}
		if s < spec || s < 0 {
			continue
		}
		pq := 1.0
		if v, ok := params["q"]; ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				pq = f
			}
		}
		q, spec = pq, s
	}
	return q
}

// encode serializes a response as ct_out_map does: json.dumps (one line,
// Python's separators) or yaml.safe_dump(default_flow_style=False).
func encode(ct string, v any) ([]byte, error) {
	if ct == ctYAML {
		s, err := output.YAML(v)
		return []byte(s), err
	}
	return py.AppendJSONLayout(nil, v, -1, true)
}
