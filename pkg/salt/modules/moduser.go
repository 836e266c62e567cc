package modules

// userFuncs is Salt's user, group and shadow modules.
func userFuncs(opts Options) []Func {
	return nil
}
