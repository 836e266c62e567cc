package pyworker

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/modules"
)

// Call runs fun through Salt's loader with Salt's own argument loading
// (load_args_and_kwargs over args, the publish as its data). false means
// the worker has no such function, or there is no worker to ask. A worker
// that dies during the call fails it with an error and is started again
// at the next call; a call whose ctx ends has its process group killed.
func (w *Worker) Call(ctx context.Context, fun string, args []any, pub modules.Pub) (modules.Result, bool) {
	p, err := w.get(ctx)
	if err != nil {
		return modules.Result{}, false
	}
	items := []item{}
	for _, kv := range []body.Item{{Key: "op", Value: "call"}, {Key: "fun", Value: fun}, {Key: "arg", Value: args},
		{Key: "data", Value: pubData(pub)}} {
		b, err := packed(kv.Value)
		if err != nil {
			return failed(fmt.Sprintf("ERROR: %s: the arguments cannot go to the Python worker: %v", fun, err)), true
		}
		items = append(items, item{kv.Key, b})
	}
	m, err := w.request(ctx, p, items, true)
	switch {
	case ctx.Err() != nil:
		return failed(fmt.Sprintf("ERROR: %s was cancelled: %v", fun, context.Cause(ctx))), true
	case err != nil:
		return failed(fmt.Sprintf("ERROR: the Python worker running %s stopped: %v", fun, err)), true
	}
	if msg, ok := m.String("error"); ok {
		return failed(fmt.Sprintf("ERROR: %s: %s", fun, msg)), true
	}
	if found, _ := m.Bool("found"); !found {
		return modules.Result{}, false
	}
	return result(m), true
}

func failed(msg string) modules.Result {
	return modules.Result{Return: msg, Retcode: 1, Out: "nested", Raised: true}
}

// result reads a call's answer as the job's Result.
func result(m body.Map) modules.Result {
	ret, _ := m.Get("return")
	rc, _ := m.Int("retcode")
	ok, _ := m.Bool("success")
	out, _ := m.String("out")
	raised, _ := m.Bool("raised")
	return modules.Result{Return: ret, Retcode: int(rc), Success: ok, Out: out, Raised: raised}
}

// pubData is the publish as Minion._thread_return's data: the pub load's
// fields, arg without its __kwarg__ markers as load_args_and_kwargs leaves
// it (the order of modules' __pub_* keys). A call with no publish has none.
func pubData(p modules.Pub) body.Map {
	if p.Fun == "" && p.Jid == "" {
		return body.Map{}
	}
	m := body.Map{{Key: "fun", Value: p.Fun}, {Key: "arg", Value: modules.StripKwargMarkers(p.Arg)}, {Key: "tgt", Value: p.Tgt},
		{Key: "jid", Value: p.Jid}, {Key: "ret", Value: p.Ret}, {Key: "tgt_type", Value: p.TgtType}, {Key: "user", Value: p.User}}
	return append(m, p.Extra...)
}

// Functions lists the functions Salt's loader has, sorted: every module
// the worker can load, custom ones synced to the extension modules
// included. Nil when there is no worker.
func (w *Worker) Functions(ctx context.Context) []string {
	p, err := w.get(ctx)
	if err != nil {
		return nil
	}
	ext := w.fingerprint()
	w.mu.Lock()
	if w.funcsProc == p && w.funcsExt == ext {
		l := w.funcs
		w.mu.Unlock()
		return l
	}
	w.mu.Unlock()
	b, _ := packed("functions")
	m, err := w.request(ctx, p, []item{{"op", b}}, false)
	if err != nil {
		w.cfg.log().Warnf("Python worker: cannot list its functions: %v", err)
		return nil
	}
	v, _ := m.Get("functions")
	list, _ := v.([]any)
	names := make([]string, 0, len(list))
	for _, f := range list {
		if s, ok := f.(string); ok {
			names = append(names, s)
		}
	}
	w.mu.Lock()
	w.funcs, w.funcsProc, w.funcsExt = names, p, ext
	w.mu.Unlock()
	return names
}

// request sends one frame with a fresh id and waits for its answer. The
// loader is built again first when the extension modules changed; with
// data, the grains and pillar go along when they changed. When ctx ends,
// the worker is told to kill the call.
func (w *Worker) request(ctx context.Context, p *process, items []item, data bool) (body.Map, error) {
	ext := w.fingerprint()
	var fresh []item
	if data {
		for _, kv := range []struct {
			key string
			f   func() map[string]any
		}{{"grains", w.cfg.Grains}, {"pillar", w.cfg.Pillar}} {
			b, err := packed(orEmpty(kv.f))
			if err != nil {
				return nil, fmt.Errorf("%s: %w", kv.key, err)
			}
			fresh = append(fresh, item{kv.key, b})
		}
	}
	id, ch := p.register()
	if ch == nil {
		return nil, p.stoppedErr()
	}
	idb, _ := packed(id)
	items = append(items, item{"id", idb})
	if err := p.send(items, fresh, ext); err != nil {
		p.forget(id)
		return nil, err
	}
	select {
	case m := <-ch:
		return m, nil
	case <-p.done:
		return nil, p.stoppedErr()
	case <-ctx.Done():
		p.forget(id)
		cancel, _ := frameOf(body.Map{{Key: "op", Value: "cancel"}, {Key: "id", Value: id}})
		p.sendRaw(cancel)
		return nil, context.Cause(ctx)
	}
}

// send writes a call's frame: first a reload when the extension modules
// are not those the loader was built with, and with the call the fresh
// items that differ from what the worker has.
func (p *process) send(items, fresh []item, ext string) error {
	p.wmu.Lock()
	defer p.wmu.Unlock()
	var out []byte
	var err error
	if ext != p.extmods {
		if out, err = appendFrame(out, []item{{"op", mustPack("reload")}}); err != nil {
			return err
		}
		p.extmods = ext
	}
	for _, it := range fresh {
		if !bytes.Equal(p.sent[it.key], it.val) {
			items = append(items, it)
			p.sent[it.key] = it.val
		}
	}
	if out, err = appendFrame(out, items); err != nil {
		return err
	}
	_, err = p.in.Write(out)
	return err
}

func (p *process) sendRaw(b []byte) {
	p.wmu.Lock()
	defer p.wmu.Unlock()
	p.in.Write(b)
}

func (p *process) stoppedErr() error {
	<-p.done
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

func mustPack(v any) []byte {
	b, err := packed(v)
	if err != nil {
		panic(err)
	}
	return b
}

// fingerprint names the extension modules as they are now: every file's
// path, size and modification time. "" when there are none.
func (w *Worker) fingerprint() string {
	dir := w.cfg.ExtensionModules
	if dir == "" {
		return ""
	}
	h := sha256.New()
	n := 0
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if info, err := d.Info(); err == nil {
			fmt.Fprintf(h, "%s\x00%d\x00%d\n", path, info.Size(), info.ModTime().UnixNano())
			n++
		}
		return nil
	})
	if n == 0 {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil))
}
