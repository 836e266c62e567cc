package modules

func archiveFuncs() []Func { return nil }
