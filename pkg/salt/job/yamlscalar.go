package job

import (
	"encoding/base64"
	"errors"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// The scalars of a command-line argument: a plain scalar resolved as
// PyYAML's YAML 1.1 resolvers resolve it, then constructed as Salt's
// loader constructs it (big integers, sexagesimal numbers, floats as
// Python reads them). yamlarg.go holds the loader around them.

// YAML 1.1 implicit resolvers of PyYAML (yaml/resolver.py), in the order
// they are tried. They only apply to plain scalars.
var (
	reBool  = regexp.MustCompile(`^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$`)
	reFloat = regexp.MustCompile(`^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$`)
	reInt   = regexp.MustCompile(`^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$`)
	reNull  = regexp.MustCompile(`^(?:~|null|Null|NULL|)$`)
)

func resolvePlain(v string) string {
	switch {
	case reBool.MatchString(v):
		return "!!bool"
	case reFloat.MatchString(v):
		return "!!float"
	case reInt.MatchString(v):
		return "!!int"
	case v == "<<":
		return "!!merge"
	case reNull.MatchString(v):
		return "!!null"
	case v == "=":
		return "!!value"
	}
	return "!!str"
}

func (c *constructor) scalar(n *yaml.Node) (any, error) {
	tag := explicitTag(n)
	switch {
	case tag == "!":
		tag = "!!str"
	case tag == "":
		if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
			tag = "!!str"
		} else {
			tag = resolvePlain(n.Value)
		}
	}
	v := n.Value
	switch tag {
	case "!!str", "!!timestamp":
		return v, nil
	case "!!null":
		return nil, nil
	case "!!bool":
		switch strings.ToLower(v) {
		case "yes", "true", "on":
			return true, nil
		case "no", "false", "off":
			return false, nil
		}
		return nil, yamlErrorf("not a bool: %q", v)
	case "!!int":
		return constructInt(v)
	case "!!float":
		return constructFloat(v)
	case "!!binary":
		b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(v), ""))
		if err != nil {
			return nil, yamlErrorf("failed to decode base64 data: %v", err)
		}
		return b, nil
	}
	return nil, yamlErrorf("could not determine a constructor for the tag %s", tag)
}

// constructInt is SaltYamlSafeLoader.construct_scalar (leading zeros
// stripped, so "010" is decimal) followed by PyYAML's construct_yaml_int.
func constructInt(v string) (any, error) {
	if v != "0" && strings.HasPrefix(v, "0") && !strings.HasPrefix(v, "0b") && !strings.HasPrefix(v, "0x") {
		if v = strings.TrimLeft(v, "0"); v == "" {
			v = "0"
		}
	}
	v = strings.ReplaceAll(v, "_", "")
	if v == "" {
		return nil, yamlErrorf("empty int")
	}
	neg := v[0] == '-'
	if v[0] == '-' || v[0] == '+' {
		v = v[1:]
	}
	n := new(big.Int)
	ok := true
	switch {
	case v == "0":
	case strings.HasPrefix(v, "0b"):
		_, ok = n.SetString(v[2:], 2)
	case strings.HasPrefix(v, "0x"):
		_, ok = n.SetString(v[2:], 16)
	case strings.HasPrefix(v, "0"):
		_, ok = n.SetString(v, 8)
	case strings.Contains(v, ":"):
		sixty := big.NewInt(60)
		for _, part := range strings.Split(v, ":") {
			d, dok := new(big.Int).SetString(part, 10)
			if !dok {
				ok = false
				break
			}
			n.Mul(n, sixty).Add(n, d)
		}
	default:
		_, ok = n.SetString(v, 10)
	}
	if !ok || v == "" {
		return nil, yamlErrorf("invalid int %q", v)
	}
	if neg {
		n.Neg(n)
	}
	return fitInt(n)
}

// fitInt gives a YAML integer the Go type the body encoders write as the
// smallest msgpack integer: int64, or uint64 above MaxInt64. Python keeps
// larger ones, and salt.payload.dumps then writes any int of 2**64 or more
// as its decimal string (that is how a jid typed as a number survives), so
// that is what they become here. A negative one below -2**63 cannot be
// written at all (Salt fails); the argument stays the original string.
func fitInt(n *big.Int) (any, error) {
	if n.IsInt64() {
		return n.Int64(), nil
	}
	if n.IsUint64() {
		return n.Uint64(), nil
	}
	if n.Sign() > 0 {
		return n.String(), nil
	}
	return nil, yamlErrorf("integer %s is too small for msgpack", n)
}

// constructFloat is PyYAML's construct_yaml_float.
func constructFloat(v string) (any, error) {
	v = strings.ToLower(strings.ReplaceAll(v, "_", ""))
	if v == "" {
		return nil, yamlErrorf("empty float")
	}
	sign := 1.0
	if v[0] == '-' {
		sign = -1
	}
	if v[0] == '-' || v[0] == '+' {
		v = v[1:]
	}
	switch {
	case v == ".inf":
		return sign * math.Inf(1), nil
	case v == ".nan":
		return math.NaN(), nil
	case strings.Contains(v, ":"):
		// Summed from the last part up, as PyYAML does, so that rounding
		// matches too.
		parts := strings.Split(v, ":")
		f, base := 0.0, 1.0
		for i := len(parts) - 1; i >= 0; i-- {
			d, err := pyFloat(parts[i])
			if err != nil {
				return nil, err
			}
			f += d * base
			base *= 60
		}
		return sign * f, nil
	}
	f, err := pyFloat(v)
	if err != nil {
		return nil, err
	}
	return sign * f, nil
}

// pyFloat is Python's float() on the digits the resolver let through: an
// overflow is infinity, not an error.
func pyFloat(s string) (float64, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && errors.Is(ne.Err, strconv.ErrRange) {
			return f, nil
		}
		return 0, yamlErrorf("invalid float %q", s)
	}
	return f, nil
}
