package app

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/notalone/notalone/internal/help"
	"github.com/notalone/notalone/internal/staff"
)

// responderKeyCmd manages the responders' key pair:
//
//	notalone responder-key init --out FILE     make the first key pair
//	notalone responder-key rotate --key OLD --out NEW
//
// The private key goes to a file (mode 0600) outside the data dir; the
// public key goes into the database, so every instance can seal requests.
// rotate re-seals every case's data key to the new key; until it finishes,
// the old key file still opens every case.
func responderKeyCmd(ctx context.Context, args []string, env Env) error {
	if len(args) == 0 || (args[0] != "init" && args[0] != "rotate") {
		return fmt.Errorf("%w: notalone responder-key init|rotate", ErrUsage)
	}
	var s Settings
	var out, old string
	var settle time.Duration
	db, _, err := openCommand(ctx, "responder-key "+args[0], args[1:], env, &s, func(fs *flag.FlagSet) {
		fs.StringVar(&out, "out", "", "file to write the new private key to (not in the data dir)")
		if args[0] == "rotate" {
			fs.StringVar(&old, "key", "", "the current private key file")
			fs.DurationVar(&settle, "settle", 40*time.Second, "how long running instances get to pick up the new public key before the re-sealing (they re-read it every 30 s)")
		}
	})
	if err != nil {
		return err
	}
	defer db.Close()
	if out == "" {
		return fmt.Errorf("%w: --out is required", ErrUsage)
	}
	s.ResponderKey = out
	if err := s.resolveHelp(); err != nil {
		return err
	}
	if _, err := os.Stat(out); err == nil {
		return fmt.Errorf("%s exists: refusing to overwrite a private key", out)
	}
	_, existsErr := db.ResponderPublicKey(ctx)
	switch {
	case args[0] == "init" && existsErr == nil:
		return errors.New("a responder key is already set up: use rotate")
	case args[0] == "rotate" && existsErr != nil:
		return errors.New("no responder key yet: use init")
	}
	var oldKeys []help.PrivateKey
	if args[0] == "rotate" {
		b, err := os.ReadFile(old)
		if err != nil {
			return fmt.Errorf("old key: %w", err)
		}
		if oldKeys, err = help.DecodePrivateKeys(b); err != nil {
			return fmt.Errorf("old key %s: %w", old, err)
		}
	}
	priv, pub, err := help.NewKeyPair()
	if err != nil {
		return err
	}
	newKey, err := help.DecodePrivateKey(help.EncodePrivateKey(priv))
	if err != nil {
		return err
	}
	// The old key file stays until the re-sealing below has finished and
	// the operator destroys it: an interrupted rotation loses nothing.
	file := help.EncodePrivateKey(priv)
	if err := os.MkdirAll(filepath.Dir(out), 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(out, file, 0o600); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	// The new public key first: new requests are sealed to it while the
	// old cases are re-sealed, and requests that running instances sealed
	// to the old key before they noticed are re-sealed too.
	if err := db.SetResponderPublicKey(ctx, help.EncodePublicKey(pub), "cli"); err != nil {
		return err
	}
	if args[0] == "rotate" {
		if settle > 0 {
			fmt.Fprintf(env.Stdout, "new public key stored; waiting %s for running instances to pick it up\n", settle)
			select {
			case <-time.After(settle):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		newPub := newKey.PublicKey()
		n, err := db.ResealCaseKeys(ctx, newPub.ID, func(id string, sealed []byte) ([]byte, error) {
			return help.Reseal(append(oldKeys, newKey), newPub, help.KeyInfo(id), sealed)
		})
		if err != nil {
			return fmt.Errorf("re-seal cases (the old key still opens them; %s was written; run rotate again with both files combined): %w", out, err)
		}
		fmt.Fprintf(env.Stdout, "re-sealed %d cases to the new key\n", n)
	}
	fmt.Fprintf(env.Stdout, "wrote the responders' private key to %s (key %s)\n", out, newKey.ID)
	fmt.Fprintln(env.Stdout, "start the instances that open cases with --responder-key "+out+"; keep the file off the data dir and out of backups")
	if args[0] == "rotate" {
		fmt.Fprintln(env.Stdout, "restart those instances with the new file, then destroy the old key file "+old)
	}
	return nil
}

// partnerCmd issues an intake token to a partner platform:
//
//	notalone partner add --name tiktok
func partnerCmd(ctx context.Context, args []string, env Env) error {
	if len(args) == 0 || args[0] != "add" {
		return fmt.Errorf("%w: notalone partner add --name NAME", ErrUsage)
	}
	var s Settings
	var name string
	db, _, err := openCommand(ctx, "partner add", args[1:], env, &s, func(fs *flag.FlagSet) {
		fs.StringVar(&name, "name", "", "the partner's name, e.g. a platform's trust and safety team")
	})
	if err != nil {
		return err
	}
	defer db.Close()
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 80 {
		return fmt.Errorf("%w: --name is required (80 characters at most)", ErrUsage)
	}
	b := make([]byte, 32)
	rand.Read(b)
	token := "nap_" + base64.RawURLEncoding.EncodeToString(b)
	if err := db.CreatePartnerToken(ctx, staff.TokenHash(token), name, "cli"); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "partner %q: send help requests to POST /api/v1/partner/reports with\nAuthorization: Bearer %s\n(shown once; only its hash is kept)\n", name, token)
	return nil
}

// caseExportCmd opens an exported case for a partner:
//
//	notalone case-export open FILE --out case.zip (--passphrase-file F | --key F)
func caseExportCmd(args []string, env Env) error {
	if len(args) < 2 || args[0] != "open" {
		return fmt.Errorf("%w: notalone case-export open FILE --out ZIP (--passphrase-file F | --key F)", ErrUsage)
	}
	fs := flag.NewFlagSet("notalone case-export open", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	out := fs.String("out", "", "where to write the opened package (a .zip)")
	passFile := fs.String("passphrase-file", "", "file holding the passphrase")
	keyFile := fs.String("key", "", "the partner's private key file")
	if err := fs.Parse(args[2:]); err != nil {
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	if *out == "" || (*passFile == "") == (*keyFile == "") {
		return fmt.Errorf("%w: --out and one of --passphrase-file or --key", ErrUsage)
	}
	data, err := os.ReadFile(args[1])
	if err != nil {
		return err
	}
	var pass string
	var keys []help.PrivateKey
	if *passFile != "" {
		b, err := os.ReadFile(*passFile)
		if err != nil {
			return err
		}
		pass = strings.TrimRight(string(b), "\r\n")
	} else {
		b, err := os.ReadFile(*keyFile)
		if err != nil {
			return err
		}
		if keys, err = help.DecodePrivateKeys(b); err != nil {
			return err
		}
	}
	pkg, err := help.OpenExport(data, pass, keys)
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, pkg, 0o600); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "wrote %s (case.json, summary.pdf, evidence/)\n", *out)
	return nil
}
