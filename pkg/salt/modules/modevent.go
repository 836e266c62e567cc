package modules

// eventFuncs is Salt's event and mine modules: events and mine data sent to the master.
func eventFuncs(opts Options) []Func {
	return nil
}
