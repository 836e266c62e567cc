package modules

// Docstring is fun's docstring as Salt shows it (its __doc__ through
// salt.utils.doc.strip_rst), for the tools that list another registry's
// functions (salt-run -d); ok is false for a function without one.
func (e *Executor) Docstring(fun string) (doc string, ok bool) {
	doc, ok = e.docstring(fun).(string)
	return doc, ok
}
