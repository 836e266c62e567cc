package modules

// systemFuncs is the modules that read and change the host: network, disk, status, ps, cron, hosts, archive, timezone, locale, environ.
func systemFuncs(opts Options) []Func {
	return nil
}
