package modules

func psFuncs() []Func { return nil }
