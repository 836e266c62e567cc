package modules

// serviceFuncs is Salt's service module: systemd where it runs, else the sysvinit service command.
func serviceFuncs(opts Options) []Func {
	return nil
}
