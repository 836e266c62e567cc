package modules

import (
	"errors"
	"testing"
)

// A Python exception from py reaches the job reply as the error kind that
// names it: TypeError as *TypeError, any other as *Exception.
func TestPyErrKinds(t *testing.T) {
	_, err := pyInt(nil)
	var te *TypeError
	if !errors.As(err, &te) || te.Msg != "int() argument must be a string, a bytes-like object or a real number, not 'NoneType'" {
		t.Errorf("pyInt(None) = %#v, want a *TypeError", err)
	}
	_, err = pyFloat("x")
	var ex *Exception
	if !errors.As(err, &ex) || ex.Type != "ValueError" || ex.Msg != "could not convert string to float: 'x'" {
		t.Errorf("pyFloat('x') = %#v, want an *Exception ValueError", err)
	}
	if n, err := pyInt("12"); n != 12 || err != nil {
		t.Errorf("pyInt('12') = %d, %v", n, err)
	}
}
