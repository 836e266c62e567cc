package master

import (
	"fmt"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/wheel"
)

// The wheel functions a reaction may call: those of pkg/salt/wheel, shared
// with salt-api-raet.

// runWheel runs a wheel reaction (WheelClient.low), firing
// salt/wheel/<jid>/new and .../ret under the user Reactor.
func (r *reactor) runWheel(fun string, arg []any, kwarg body.Map) error {
	jid := r.m.opts.jids.Next()
	tag := "salt/wheel/" + jid
	data := body.Map{{Key: "fun", Value: "wheel." + fun}, {Key: "fun_args", Value: funArgs(arg, kwarg)},
		{Key: "jid", Value: jid}, {Key: "user", Value: ReactorUser}}
	r.m.ev.fire(tag+"/new", data)
	ret, err := r.m.wheel(fun, arg, kwarg)
	var result any = ret
	if err != nil {
		result = fmt.Sprintf("Exception occurred in wheel %s: %v", fun, err)
	}
	r.m.ev.fire(tag+"/ret", append(data[:len(data):len(data)],
		body.Item{Key: "return", Value: result}, body.Item{Key: "success", Value: err == nil}))
	return err
}

// wheel calls the wheel function fun (pkg/salt/wheel) on the master's
// key store, its salt/key events fired on the master's bus.
func (m *Master) wheel(fun string, arg []any, kwarg body.Map) (any, error) {
	m.wheelOnce.Do(func() {
		m.wheels = wheel.New(m.cfg, m.store, func(tag string, data body.Map) { m.ev.fire(tag, data) }, m.log)
	})
	return m.wheels.Call(fun, arg, kwarg)
}
