package modules

// SysDoc is fun's docstring as sys.doc and salt-run -d show it (its
// __doc__ through salt.utils.doc.strip_rst), for the tools that list
// another registry's functions (salt-run's runners); ok is false for a
// function without one.
func (e *Executor) SysDoc(fun string) (doc string, ok bool) {
	doc, ok = e.docstring(fun).(string)
	return doc, ok
}
