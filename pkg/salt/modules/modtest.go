package modules

import (
	"math"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// testFuncs is Salt's test module (salt/modules/test.py in 3006): the
// functions used to check that a minion answers and that arguments arrive
// as sent.
func testFuncs() []Func {
	return slices.Concat(testAnswerFuncs(), testArgFuncs(), testJobFuncs(), testExtraFuncs())
}

// testAnswerFuncs answer with a constant or what they were given.
func testAnswerFuncs() []Func {
	return []Func{
		{
			Name: "test.ping",
			Doc:  "Used to make sure the minion is up and responding. Not an ICMP ping.\n\nReturns ``True``.\n\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' test.ping",
			Call: func(*Call) (any, error) { return true, nil },
		},
		{
			Name:   "test.echo",
			Params: []Param{{Name: "text", Required: true}},
			Doc:    "Return a string - used for testing the connection\n\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' test.echo 'foo bar baz quo qux'",
			Call:   func(c *Call) (any, error) { return c.Arg("text"), nil },
		},
		{
			Name:   "test.outputter",
			Params: []Param{{Name: "data", Required: true}},
			Doc:    "Test the outputter, pass in data to return\n\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' test.outputter foobar",
			Call:   func(c *Call) (any, error) { return c.Arg("data"), nil },
		},
		{
			Name: "test.version",
			Doc:  "Return the version of salt on the minion\n\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' test.version",
			Call: func(c *Call) (any, error) {
				if c.exec.opts.Version != "" {
					return c.exec.opts.Version, nil
				}
				return DefaultVersion, nil
			},
		},
		{
			Name:   "test.true",
			PyName: "true_",
			Doc:    "Always return ``True``\n\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' test.true",
			Call:   func(*Call) (any, error) { return true, nil },
		},
		{
			Name:   "test.false",
			PyName: "false_",
			Doc:    "Always return ``False``\n\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' test.false",
			Call:   func(*Call) (any, error) { return false, nil },
		},
	}
}

// testArgFuncs show the arguments as they arrived: values, types, reprs.
func testArgFuncs() []Func {
	return []Func{
		{
			Name:    "test.arg",
			VarArgs: true, VarKwargs: true,
			Doc: "Print out the data passed into the function ``*args`` and ``kwargs``, this\nis used to both test the publication data and CLI argument passing, but\nalso to display the information available within the publication data.\n\n:return: ``{\"args\": args, \"kwargs\": kwargs}``\n:rtype: dict\n\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' test.arg 1 \"two\" 3.1 txt=\"hello\" wow='{a: 1, b: \"hello\"}'",
			Call: func(c *Call) (any, error) {
				return body.Map{{Key: "args", Value: c.Args}, {Key: "kwargs", Value: c.Kwargs}}, nil
			},
		},
		{
			Name:    "test.arg_clean",
			VarArgs: true, VarKwargs: true,
			Doc: "Like :mod:`test.arg <salt.modules.test.arg>` but cleans ``kwargs`` of the ``__pub*`` items\n\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' test.arg_clean 1 \"two\" 3.1 txt=\"hello\" wow='{a: 1, b: \"hello\"}'",
			Call: func(c *Call) (any, error) {
				return body.Map{{Key: "args", Value: c.Args}, {Key: "kwargs", Value: cleanKwargs(c.Kwargs)}}, nil
			},
		},
		{
			Name:    "test.arg_type",
			VarArgs: true, VarKwargs: true,
			Doc:  "Print out the types of the ``args`` and ``kwargs``. This is used to test the types\nof the ``args`` and ``kwargs`` passed down to the Minion\n\n:rtype: dict\n\nCLI Example:\n\n.. code-block:: bash\n\n       salt '*' test.arg_type 1 'int'",
			Call: testArgType,
		},
		{
			Name:    "test.arg_repr",
			VarArgs: true, VarKwargs: true,
			Doc: "Print out the data passed into the function ``*args`` and ``kwargs``, this\nis used to both test the publication data and CLI argument passing, but\nalso to display the information available within the publication data.\n\n:return: ``{\"args\": repr(args), \"kwargs\": repr(kwargs)}``\n\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' test.arg_repr 1 \"two\" 3.1 txt=\"hello\" wow='{a: 1, b: \"hello\"}'",
			Call: func(c *Call) (any, error) {
				return body.Map{{Key: "args", Value: py.Tuple(c.Args)}, {Key: "kwargs", Value: py.Repr(c.Kwargs)}}, nil
			},
		},
		{
			Name:      "test.kwarg",
			VarKwargs: true,
			Doc:       "Print out the data passed into the function ``**kwargs``, this is used to\nboth test the publication data and CLI ``kwarg`` passing, but also to display\nthe information available within the publication data.\n\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' test.kwarg num=1 txt=\"two\" env='{a: 1, b: \"hello\"}'",
			Call:      func(c *Call) (any, error) { return c.Kwargs, nil },
		},
	}
}

// testJobFuncs make a job behave in a given way: take time, set a
// retcode, fail.
func testJobFuncs() []Func {
	return []Func{
		{
			Name:   "test.sleep",
			Params: []Param{{Name: "length", Required: true}},
			Doc:    "Instruct the minion to initiate a process that will sleep for a given\nperiod of time.\n\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' test.sleep 20",
			Call:   testSleep,
		},
		{
			Name:   "test.retcode",
			Params: []Param{{Name: "code", Default: int64(42)}},
			Doc:    "Test that the returncode system is functioning correctly\n\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' test.retcode 42",
			Call:   testRetcode,
		},
		{
			Name:   "test.exception",
			Params: []Param{{Name: "message", Default: "Test Exception"}},
			Doc:    "Raise an exception\n\nOptionally provide an error message or output the full stack.\n\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' test.exception 'Oh noes!'",
			Call: func(c *Call) (any, error) {
				return nil, &Exception{Type: "Exception", Msg: py.Str(c.Arg("message"))}
			},
		},
		{
			Name:   "test.fib",
			Params: []Param{{Name: "num", Required: true}},
			Doc:    "Return the ``num``-th Fibonacci number, and the time it took to compute in\nseconds. Used for performance tests.\n\nThis function is designed to have terrible performance.\n\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' test.fib 3",
			Call:   testFib,
		},
	}
}

// testArgType is test.arg_type: "<class 'int'>" for each argument.
func testArgType(c *Call) (any, error) {
	args := make([]any, len(c.Args))
	for i, a := range c.Args {
		args[i] = "<class '" + pyTypeName(a) + "'>"
	}
	kw := body.Map{}
	for _, it := range c.Kwargs {
		kw = append(kw, body.Item{Key: it.Key, Value: "<class '" + pyTypeName(it.Value) + "'>"})
	}
	return body.Map{{Key: "args", Value: args}, {Key: "kwargs", Value: kw}}, nil
}

// testRetcode is test.retcode: a bool counts as 0 or 1, as in Python; a
// code outside a C int is refused rather than wrapped.
func testRetcode(c *Call) (any, error) {
	code, ok := body.AsInt64(c.Arg("code"))
	if b, isBool := c.Arg("code").(bool); isBool {
		code, ok = map[bool]int64{false: 0, true: 1}[b], true
	}
	if !ok || code < math.MinInt32 || code > math.MaxInt32 {
		return nil, invocationErr("code must be an integer, got %s", py.Repr(c.Arg("code")))
	}
	c.SetRetcode(int(code))
	return true, nil
}

// cleanKwargs is salt.utils.args.clean_kwargs: drop the keys starting
// with "__".
func cleanKwargs(kw body.Map) body.Map {
	out := body.Map{}
	for _, it := range kw {
		if !strings.HasPrefix(it.Key, "__") {
			out = append(out, it)
		}
	}
	return out
}

// testSleep is test.sleep. Salt sleeps int(length) seconds; fractions of a
// second are honoured here rather than truncated. The sleep ends early,
// as a cancelled job, when the job's context ends.
func testSleep(c *Call) (any, error) {
	length := c.Arg("length")
	var secs float64
	if f, ok := length.(float64); ok {
		secs = f
	} else if s, ok := length.(string); ok {
		n, err := pyInt(s)
		if err != nil {
			f, ferr := pyFloat(s)
			if ferr != nil {
				return nil, err
			}
			secs = f
		} else {
			secs = float64(n)
		}
	} else {
		n, err := pyInt(length)
		if err != nil {
			return nil, err
		}
		secs = float64(n)
	}
	if secs < 0 || math.IsNaN(secs) {
		return nil, &Exception{Type: "ValueError", Msg: "sleep length must be non-negative"}
	}
	if secs > math.MaxInt64/float64(time.Second) {
		secs = math.MaxInt64 / float64(time.Second)
	}
	return sleepFor(c, secs)
}

// testFib is test.fib as in Salt 3006: [the num-th Fibonacci number, the
// seconds it took]. (2018.3 returned the sequence below num instead.)
// A number too large for msgpack, which Salt could not send either, is an
// OverflowError.
func testFib(c *Call) (any, error) {
	num, err := pyInt(c.Arg("num"))
	if err != nil {
		return nil, err
	}
	if num < 0 {
		return nil, &Exception{Type: "ValueError", Msg: "Negative number is not allowed!"}
	}
	start := time.Now()
	if num < 2 {
		return []any{num, time.Since(start).Seconds()}, nil
	}
	if num > 10000 {
		return nil, &Exception{Type: "OverflowError", Msg: "Integer value out of range"}
	}
	prev, curr := big.NewInt(0), big.NewInt(1)
	for i := int64(1); i < num; i++ {
		if err := c.Ctx.Err(); err != nil {
			return cancelled{}, nil
		}
		prev.Add(prev, curr)
		prev, curr = curr, prev
	}
	elapsed := time.Since(start).Seconds()
	switch {
	case curr.IsInt64():
		return []any{curr.Int64(), elapsed}, nil
	case curr.IsUint64():
		return []any{curr.Uint64(), elapsed}, nil
	}
	return nil, &Exception{Type: "OverflowError", Msg: "Integer value out of range"}
}
