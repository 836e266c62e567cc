package modules

func cronFuncs() []Func { return nil }
