package modules

import (
	"strconv"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/accounts"
)

// shadowFuncs is the read side of Salt's shadow module
// (salt/modules/linux_shadow.py).
func shadowFuncs() []Func {
	return []Func{{
		Name:   "shadow.info",
		Params: []Param{{Name: "name", Required: true}, {Name: "root"}},
		Doc:    "Return information for the specified user\n\nname\n    User to get the information for\n\nroot\n    Directory to chroot into\n\nCLI Example: salt '*' shadow.info root",
		Call: func(c *Call) (any, error) {
			keys := []string{"name", "passwd", "lstchg", "min", "max", "warn", "inact", "expire"}
			f := accounts.System.ShadowEntry(c.strArg("name"))
			ret := make(body.Map, len(keys))
			for i, k := range keys {
				switch {
				case f == nil: // no such user, or /etc/shadow unreadable: Salt's empty record
					ret[i] = body.Item{Key: k, Value: ""}
				case i < 2:
					ret[i] = body.Item{Key: k, Value: f[i]}
				default: // spwd's numbers; an empty field is -1
					n, err := strconv.ParseInt(f[i], 10, 64)
					if err != nil {
						n = -1
					}
					ret[i] = body.Item{Key: k, Value: n}
				}
			}
			return ret, nil
		},
	}}
}
