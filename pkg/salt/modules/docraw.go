package modules

// Docstring is fun's __doc__ as Python has it, reStructuredText and all:
// what salt-call -d prints (sys.doc strips the markup). False for a
// function that is not built in or has no docstring.
func (e *Executor) Docstring(fun string) (string, bool) {
	e.mu.RLock()
	f := e.funcs[fun]
	e.mu.RUnlock()
	if f == nil || f.Doc == "" {
		return "", false
	}
	return funcDocstring(f), true
}
