package app

import (
	"errors"
	"fmt"

	"github.com/notalone/notalone/internal/errs"
	"github.com/notalone/notalone/internal/i18n"
)

// describe turns a domain error into a one-line English message for the
// command line, using the same catalogue as the web.
func describe(err error) error {
	var e *errs.Error
	if !errors.As(err, &e) || e.Code == errs.Internal {
		return err
	}
	cat, lerr := i18n.Load()
	if lerr != nil {
		return err
	}
	msg := cat.For(i18n.EN).T(e.MessageKey())
	if e.Field != "" {
		return fmt.Errorf("%s: %s", e.Field, msg)
	}
	return errors.New(msg)
}
