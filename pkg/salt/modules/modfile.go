package modules

// fileFuncs is Salt's file module (salt/modules/file.py).
func fileFuncs(opts Options) []Func {
	return nil
}
