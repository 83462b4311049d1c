package app

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"golang.org/x/term"

	"github.com/notalone/notalone/internal/staff"
	"github.com/notalone/notalone/internal/store"
)

// readPassword reads a new password: from stdin when it is not a terminal
// (scripts, CI), else from a prompt that does not echo, asked twice.
func readPassword(env Env) (string, error) {
	if f, ok := env.Stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(env.Stderr, "New password (12 characters or more): ")
		a, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(env.Stderr)
		if err != nil {
			return "", err
		}
		fmt.Fprint(env.Stderr, "Again: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(env.Stderr)
		if err != nil {
			return "", err
		}
		if string(a) != string(b) {
			return "", errors.New("the two passwords differ")
		}
		return string(a), nil
	}
	line, err := bufio.NewReader(io.LimitReader(env.Stdin, 1024)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func userCmd(ctx context.Context, args []string, env Env) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: notalone user add|list|disable|enable|reset", ErrUsage)
	}
	var s Settings
	var email, name, roles string
	var resetTOTP bool
	db, _, err := openCommand(ctx, "user "+args[0], args[1:], env, &s, func(fs *flag.FlagSet) {
		switch args[0] {
		case "add":
			fs.StringVar(&email, "email", "", "the staff member's email")
			fs.StringVar(&name, "name", "", "display name (default: the part of the email before @)")
			fs.StringVar(&roles, "role", "", "roles, comma-separated: admin, editor, desk, responder, analyst")
		case "disable", "enable", "reset":
			fs.StringVar(&email, "email", "", "the staff member's email")
		}
		if args[0] == "reset" {
			fs.BoolVar(&resetTOTP, "second-factor", false, "also remove the second factor (a lost phone); it is set up again at the next sign-in")
		}
	})
	if err != nil {
		return err
	}
	defer db.Close()
	switch args[0] {
	case "add":
		return userAdd(ctx, db, env, email, name, roles)
	case "list":
		list, err := db.StaffList(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "EMAIL\tNAME\tROLES\tSECOND FACTOR\tSTATE")
		for _, a := range list {
			roles := make([]string, len(a.Roles))
			for i, r := range a.Roles {
				roles[i] = string(r)
			}
			state := "active"
			if a.Disabled() {
				state = "disabled"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%v\t%s\n", a.Email, a.DisplayName, strings.Join(roles, ","), a.TOTPEnabled, state)
		}
		return tw.Flush()
	case "disable", "enable", "reset":
		addr, err := staff.NormalizeEmail(email)
		if err != nil {
			return describe(err)
		}
		c, err := db.CredentialsByEmail(ctx, addr)
		if err != nil {
			return describe(err)
		}
		switch args[0] {
		case "disable", "enable":
			if err := db.SetStaffDisabled(ctx, c.ID, args[0] == "disable", "cli"); err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "%s %sd\n", addr, args[0])
			return nil
		}
		pw, err := readPassword(env)
		if err != nil {
			return err
		}
		if err := staff.CheckPassword(pw, addr); err != nil {
			return describe(err)
		}
		hash, err := staff.DefaultArgon2.Hash(pw)
		if err != nil {
			return err
		}
		if err := db.SetPassword(ctx, c.ID, hash, ""); err != nil {
			return err
		}
		detail := "password"
		if resetTOTP {
			if err := db.DisableTOTP(ctx, c.ID, "cli"); err != nil {
				return err
			}
			detail = "password and second factor"
		}
		if err := db.Audit(ctx, "cli", "staff.reset", "staff:"+c.ID, detail); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "%s: %s reset; every session ended\n", addr, detail)
		return nil
	}
	return fmt.Errorf("%w: notalone user add|list|disable|enable|reset", ErrUsage)
}

func userAdd(ctx context.Context, db *store.DB, env Env, email, name, roleList string) error {
	if strings.TrimSpace(roleList) == "" {
		return fmt.Errorf("%w: give at least one --role", ErrUsage)
	}
	pw, err := readPassword(env)
	if err != nil {
		return err
	}
	na, err := staff.PrepareAccount(email, name, strings.Split(roleList, ","), pw)
	if err != nil {
		return describe(err)
	}
	hash, err := staff.DefaultArgon2.Hash(na.Password)
	if err != nil {
		return err
	}
	a, err := db.CreateStaff(ctx, na.Email, na.Name, hash, na.Roles)
	if err != nil {
		return describe(err)
	}
	if err := db.Audit(ctx, "cli", "staff.add", "staff:"+a.ID, roleList); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%s added with roles %s", na.Email, roleList)
	if a.NeedsSecondFactor() {
		fmt.Fprint(env.Stdout, "; they set up their second factor at the first sign-in")
	}
	fmt.Fprintln(env.Stdout)
	return nil
}

func auditCmd(ctx context.Context, args []string, env Env) error {
	if len(args) == 0 || args[0] != "verify" {
		return fmt.Errorf("%w: notalone audit verify", ErrUsage)
	}
	var s Settings
	db, _, err := openCommand(ctx, "audit verify", args[1:], env, &s, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	n, problems, err := db.VerifyAudit(ctx)
	if err != nil {
		return err
	}
	for _, p := range problems {
		fmt.Fprintln(env.Stdout, p)
	}
	if len(problems) > 0 {
		return fmt.Errorf("audit log: %d problem(s) in %d entries: it was changed outside Not Alone", len(problems), n)
	}
	fmt.Fprintf(env.Stdout, "audit log intact: %d entries\n", n)
	return nil
}
