package modules

func hostsFuncs(Options) []Func { return nil }
