// Package errs is the one error type the domain and stores return. A code
// decides the HTTP status in one place; a message key decides what the
// visitor reads (translated); the wrapped cause goes to the log only.
package errs

import (
	"errors"
	"fmt"
)

// Code classifies an error for the caller.
type Code string

// The codes every layer understands.
const (
	Invalid      Code = "invalid"
	NotFound     Code = "not_found"
	Conflict     Code = "conflict"
	Unauthorized Code = "unauthorized"
	Forbidden    Code = "forbidden"
	TooLarge     Code = "too_large"
	RateLimited  Code = "rate_limited"
	Internal     Code = "internal"
)

// Error carries a code, the catalogue key of a message safe to show, an
// optional form or JSON field, and the internal cause.
type Error struct {
	Code  Code
	Key   string // i18n catalogue key; empty means the generic message for Code
	Field string
	Err   error
}

func (e *Error) Error() string {
	msg := string(e.Code)
	if e.Key != "" {
		msg += " " + e.Key
	}
	if e.Field != "" {
		msg += " (field " + e.Field + ")"
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// E builds an Error with a message key.
func E(code Code, key string) *Error { return &Error{Code: code, Key: key} }

// Field builds an Invalid error about one field.
func Field(field, key string) *Error { return &Error{Code: Invalid, Key: key, Field: field} }

// Wrap keeps cause for the log and shows the generic message for code.
func Wrap(code Code, cause error, format string, args ...any) *Error {
	return &Error{Code: code, Err: fmt.Errorf(format+": %w", append(args, cause)...)}
}

// CodeOf returns the code of err, Internal for anything that is not an *Error.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// As returns the *Error inside err, or an Internal one wrapping it.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: Internal, Err: err}
}

// Is reports whether err carries code.
func Is(err error, code Code) bool { return err != nil && CodeOf(err) == code }

// Status maps a code to its HTTP status: the one place that does.
func Status(code Code) int {
	switch code {
	case Invalid:
		return 400
	case Unauthorized:
		return 401
	case Forbidden:
		return 403
	case NotFound:
		return 404
	case Conflict:
		return 409
	case TooLarge:
		return 413
	case RateLimited:
		return 429
	}
	return 500
}

// MessageKey is the catalogue key of the message to show for e: its own
// key, or the generic one for its code.
func (e *Error) MessageKey() string {
	if e.Key != "" {
		return e.Key
	}
	return "error." + string(e.Code)
}
