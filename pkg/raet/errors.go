package raet

import (
	"errors"
	"fmt"
)

// Code names why a packet, page or key was refused. Codes are stable and short
// so that stacks can count dropped datagrams by them ("every dropped datagram
// is counted by reason").
type Code string

const (
	CodeHead      Code = "head"      // not a RAET or JSON head, or a head field that cannot be read
	CodeLength    Code = "length"    // pl or hl disagrees with what arrived, or a part does not fit
	CodeVersion   Code = "version"   // vn other than 0
	CodeKind      Code = "kind"      // a body, coat or foot kind that is unknown or not implemented
	CodeFoot      Code = "foot"      // a foot whose size does not fit its kind
	CodeSignature Code = "signature" // the Ed25519 signature does not verify
	CodeCoat      Code = "coat"      // a nacl coat that does not open
	CodeBody      Code = "body"      // a body that cannot be serialised or parsed, or is not a mapping
	CodeOversize  Code = "oversize"  // more than a head, packet, page or message may hold
	CodeSegment   Code = "segment"   // a segment that does not belong to its tray, or a tray that does not add up
	CodePage      Code = "page"      // a lane page or book that cannot be read or joined
	CodeKey       Code = "key"       // key material of the wrong size or encoding
)

// Error is the error every RAET codec returns. Match it by code with
// errors.Is(err, raet.ErrSignature) and friends, or read Code with errors.As.
type Error struct {
	Code Code
	Msg  string
}

func (e *Error) Error() string {
	if e.Msg == "" {
		return "raet: " + string(e.Code)
	}
	return "raet: " + e.Msg
}

// Is makes every Error match the sentinel of its code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Msg == "" && t.Code == e.Code
}

// Errorf returns an *Error with the given code.
func Errorf(code Code, format string, args ...any) error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, args...)}
}

// Sentinels for errors.Is.
var (
	ErrHead      = &Error{Code: CodeHead}
	ErrLength    = &Error{Code: CodeLength}
	ErrVersion   = &Error{Code: CodeVersion}
	ErrKind      = &Error{Code: CodeKind}
	ErrFoot      = &Error{Code: CodeFoot}
	ErrSignature = &Error{Code: CodeSignature}
	ErrCoat      = &Error{Code: CodeCoat}
	ErrBody      = &Error{Code: CodeBody}
	ErrOversize  = &Error{Code: CodeOversize}
	ErrSegment   = &Error{Code: CodeSegment}
	ErrPage      = &Error{Code: CodePage}
	ErrKey       = &Error{Code: CodeKey}
)

// CodeOf returns the code of a RAET error, or "" for any other error.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
