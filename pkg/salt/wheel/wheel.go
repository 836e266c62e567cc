// Package wheel holds Salt's wheel functions, the master's own controls
// (salt/wheel/key.py, salt/wheel/config.py), run where they are asked for:
// in the master's reactor and in salt-api-raet, as Salt's WheelClient runs
// them in the master. They read and change the master's key store under
// pki_dir directly; each key moved fires salt/key as salt.key.Key does.
package wheel

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sirupsen/logrus"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/config"
	"github.com/saltraet/saltraet/pkg/salt/pki"
)

// FireFunc fires an event on the master's bus.
type FireFunc func(tag string, data body.Map)

// Wheel is the wheel functions of one master.
type Wheel struct {
	opts  *config.Master
	store *pki.Store
	fire  FireFunc
	log   logrus.FieldLogger
	funcs map[string]fn
}

// fn is one wheel function: its parameters in order (for positional
// arguments), and its body over the bound arguments.
type fn struct {
	params []string
	call   func(a args) (any, error)
}

// args are a call's arguments bound to the parameter names.
type args map[string]any

func (a args) str(name string) string {
	s, _ := a[name].(string)
	return s
}

// flag reads a boolean parameter as Salt's truthiness would: true, or a
// "True"/"true" given as text by a form.
func (a args) flag(name string) bool {
	switch v := a[name].(type) {
	case bool:
		return v
	case string:
		return strings.EqualFold(v, "true")
	}
	return false
}

// New returns the wheel of the master configured by opts, over its key
// store. fire may be nil (no events); log may be nil.
func New(opts *config.Master, store *pki.Store, fire FireFunc, log logrus.FieldLogger) *Wheel {
	if fire == nil {
		fire = func(string, body.Map) {}
	}
	if log == nil {
		l := logrus.New()
		l.SetLevel(logrus.PanicLevel)
		log = l
	}
	w := &Wheel{opts: opts, store: store, fire: fire, log: log}
	w.funcs = map[string]fn{
		"key.list_all":   {nil, func(args) (any, error) { return w.listAll() }},
		"key.list":       {[]string{"match"}, func(a args) (any, error) { return w.listStatus(a.str("match")) }},
		"key.accept":     {[]string{"match", "include_rejected", "include_denied"}, w.accept},
		"key.reject":     {[]string{"match", "include_accepted", "include_denied"}, w.reject},
		"key.delete":     {[]string{"match"}, w.delete},
		"key.finger":     {[]string{"match", "hash_type"}, w.finger},
		"key.gen":        {[]string{"id_", "keysize"}, w.gen},
		"key.gen_accept": {[]string{"id_", "keysize", "force"}, w.genAccept},
		"config.values":  {nil, func(args) (any, error) { return w.configValues(), nil }},
	}
	return w
}

// Has says whether fun is a wheel function.
func (w *Wheel) Has(fun string) bool { _, ok := w.funcs[fun]; return ok }

// Functions lists the wheel functions, sorted.
func (w *Wheel) Functions() []string {
	out := make([]string, 0, len(w.funcs))
	for name := range w.funcs {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

// Call runs the wheel function fun with positional arguments arg and
// keyword arguments kwarg. As Salt's format_call, a keyword the function
// does not take is ignored (a lowstate brings client, timeout ...), and a
// missing required argument is an error naming it.
func (w *Wheel) Call(fun string, arg []any, kwarg body.Map) (any, error) {
	f, ok := w.funcs[fun]
	if !ok {
		return nil, fmt.Errorf("'%s' is not available", fun)
	}
	if len(arg) > len(f.params) {
		return nil, fmt.Errorf("%s takes at most %d positional arguments (%d given)", fun, len(f.params), len(arg))
	}
	a := args{}
	for i, v := range arg {
		a[f.params[i]] = v
	}
	for _, it := range kwarg {
		if slices.Contains(f.params, it.Key) {
			if _, dup := a[it.Key]; dup {
				return nil, fmt.Errorf("%s got multiple values for argument '%s'", fun, it.Key)
			}
			a[it.Key] = it.Value
		}
	}
	return f.call(a)
}
