// Package app is the notalone command: its subcommands, settings and the
// wiring of one server instance.
package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	iofs "io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/notalone/notalone/content"
	contentpack "github.com/notalone/notalone/internal/content"
	"github.com/notalone/notalone/internal/event"
	"github.com/notalone/notalone/internal/store"
)

// Version is set at build time with -ldflags "-X …/internal/app.Version=…".
var Version = "dev"

// ErrUsage marks a command-line mistake (exit status 2).
var ErrUsage = errors.New("usage")

// Env is what a command gets from the outside world.
type Env struct {
	Getenv func(string) string
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

const usage = `notalone — the "Không Một Mình / Not Alone" online-safety campaign platform

Usage:
  notalone [serve] [settings]        run the server (the default)
  notalone migrate [settings]        apply database migrations and exit
  notalone backup --out FILE         copy the live SQLite database consistently
  notalone restore --from FILE       replace the SQLite database with a backup (server stopped)
  notalone content check [--dir D]   validate content packs (default: the built-in ones)
  notalone event create --id ID --name NAME [--place P] [--starts YYYY-MM-DD] [--ends YYYY-MM-DD] [--timezone TZ] [--kiosk-idle SECONDS]
  notalone event list
  notalone station add --event ID --kind kiosk|wall|desk --name NAME
  notalone station list [--event ID]  list stations with their setup links
  notalone station revoke STATION-ID
  notalone user add --email E --role admin[,editor…] [--name N]   (password from stdin, or a prompt)
  notalone user list | disable --email E | enable --email E | reset --email E [--second-factor]
  notalone audit verify              check that nobody changed or removed audit entries
  notalone responder-key init --out FILE      make the responders' key pair (private key to FILE, off the data dir)
  notalone responder-key rotate --key OLD --out NEW   new key pair; re-seal every case to it
  notalone partner add --name NAME            issue a partner platform's help-request intake token
  notalone case-export open FILE --out ZIP (--passphrase-file F | --key F)   open an exported case
  notalone version

Every command takes the settings; "notalone serve --help" lists them.
`

// Main runs one command line (without the program name).
func Main(ctx context.Context, args []string, env Env) error {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serveCmd(ctx, args, env)
	case "migrate":
		return migrateCmd(ctx, args, env)
	case "backup":
		return backupCmd(ctx, args, env)
	case "restore":
		return restoreCmd(ctx, args, env)
	case "content":
		return contentCmd(args, env)
	case "event":
		return eventCmd(ctx, args, env)
	case "station":
		return stationCmd(ctx, args, env)
	case "user":
		return userCmd(ctx, args, env)
	case "audit":
		return auditCmd(ctx, args, env)
	case "responder-key":
		return responderKeyCmd(ctx, args, env)
	case "partner":
		return partnerCmd(ctx, args, env)
	case "case-export":
		return caseExportCmd(args, env)
	case "version":
		fmt.Fprintln(env.Stdout, "notalone", versionString())
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(env.Stdout, usage)
		return nil
	}
	fmt.Fprint(env.Stderr, usage)
	return fmt.Errorf("%w: unknown command %q", ErrUsage, cmd)
}

func versionString() string {
	v := Version
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += " (" + s.Value[:12] + ")"
			}
		}
	}
	return v
}

// flags builds a flag set with the settings registered; extra adds the
// command's own flags.
func flags(name string, env Env, s *Settings, extra func(*flag.FlagSet)) (*flag.FlagSet, error) {
	fs := flag.NewFlagSet("notalone "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	if err := s.register(fs, env.Getenv); err != nil {
		return nil, err
	}
	if extra != nil {
		extra(fs)
	}
	return fs, nil
}

// parse parses args and resolves the settings. --help prints the flags and
// ends the command successfully.
func parse(fs *flag.FlagSet, s *Settings, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelp
		}
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	if err := s.Resolve(); err != nil {
		return err
	}
	return nil
}

// errHelp ends a command after --help; Main's caller treats it as success.
var errHelp = errors.New("help shown")

// IsHelp reports whether err only says that help was shown.
func IsHelp(err error) bool { return errors.Is(err, errHelp) }

// NewLogger builds the structured logger the settings ask for.
func NewLogger(s Settings, w io.Writer) *slog.Logger {
	var level slog.Level
	level.UnmarshalText([]byte(s.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if s.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func serveCmd(ctx context.Context, args []string, env Env) error {
	var s Settings
	fs, err := flags("serve", env, &s, nil)
	if err != nil {
		return err
	}
	if err := parse(fs, &s, args); err != nil {
		return err
	}
	log := NewLogger(s, env.Stderr)
	in, err := Start(ctx, s, log)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Not Alone is running: open %s\n", s.BaseURL)
	if in.Fingerprint != "" {
		fmt.Fprintf(env.Stdout, "Self-signed certificate SHA-256: %s\n", in.Fingerprint)
	}
	var serveErr error
	select {
	case <-ctx.Done():
		log.Info("shutting down")
	case serveErr = <-in.Wait():
	}
	shutCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	return errors.Join(serveErr, in.Shutdown(shutCtx))
}

// openCommand parses a command's flags into s and opens its database: the
// start of every command that works on the data.
func openCommand(ctx context.Context, name string, args []string, env Env, s *Settings, extra func(*flag.FlagSet)) (*store.DB, *flag.FlagSet, error) {
	fs, err := flags(name, env, s, extra)
	if err != nil {
		return nil, nil, err
	}
	if err := parse(fs, s, args); err != nil {
		return nil, nil, err
	}
	db, err := openDB(ctx, *s)
	if err != nil {
		return nil, nil, err
	}
	return db, fs, nil
}

// openDB opens and migrates the configured database for a one-off command.
func openDB(ctx context.Context, s Settings) (*store.DB, error) {
	if s.usesSQLite() {
		if err := ensureDir(s.DataDir); err != nil {
			return nil, err
		}
	}
	db, err := store.Open(ctx, s.DB)
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := db.EnsureDefaultEvent(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func migrateCmd(ctx context.Context, args []string, env Env) error {
	var s Settings
	fs, err := flags("migrate", env, &s, nil)
	if err != nil {
		return err
	}
	if err := parse(fs, &s, args); err != nil {
		return err
	}
	if s.usesSQLite() {
		if err := ensureDir(s.DataDir); err != nil {
			return err
		}
	}
	db, err := store.Open(ctx, s.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "applied %d migration(s); schema version %d (%s)\n", n, v, db.Engine())
	return nil
}

func backupCmd(ctx context.Context, args []string, env Env) error {
	var s Settings
	var out string
	fs, err := flags("backup", env, &s, func(fs *flag.FlagSet) {
		fs.StringVar(&out, "out", "", "file to write the backup to (must not exist)")
	})
	if err != nil {
		return err
	}
	if err := parse(fs, &s, args); err != nil {
		return err
	}
	if !s.usesSQLite() {
		return store.ErrBackupPostgres
	}
	if out == "" {
		out = filepath.Join(s.DataDir, "backups", "notalone-"+time.Now().UTC().Format("20060102-150405")+".db")
		if err := ensureDir(filepath.Dir(out)); err != nil {
			return err
		}
	}
	if _, err := os.Stat(s.DB); err != nil {
		return fmt.Errorf("backup: no database at %s", s.DB)
	}
	db, err := store.Open(ctx, s.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Backup(ctx, out); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "backup written to %s\n", out)
	return nil
}

func restoreCmd(ctx context.Context, args []string, env Env) error {
	var s Settings
	var from string
	fs, err := flags("restore", env, &s, func(fs *flag.FlagSet) {
		fs.StringVar(&from, "from", "", "backup file to restore")
	})
	if err != nil {
		return err
	}
	if err := parse(fs, &s, args); err != nil {
		return err
	}
	if !s.usesSQLite() {
		return errors.New("restore: for PostgreSQL use pg_restore (see the README)")
	}
	if from == "" {
		return fmt.Errorf("%w: restore needs --from FILE", ErrUsage)
	}
	if dataDirInUse(s.DataDir) {
		return fmt.Errorf("restore: stop the server using %s first", s.DataDir)
	}
	if _, err := store.CheckBackup(ctx, from); err != nil {
		return err
	}
	kept, err := replaceDatabase(from, s.DB)
	if err != nil {
		return err
	}
	// Open once so migrations newer than the backup are applied now.
	db, err := openDB(ctx, s)
	if err != nil {
		return err
	}
	db.Close()
	fmt.Fprintf(env.Stdout, "restored %s into %s\n", from, s.DB)
	if kept != "" {
		fmt.Fprintf(env.Stdout, "the previous database was kept as %s\n", kept)
	}
	return nil
}

// replaceDatabase copies src next to dst, syncs it and renames it over dst,
// so a crash leaves either the old database or the new one. The old file is
// kept beside it, and its WAL files are removed (they belong to the old
// database).
func replaceDatabase(src, dst string) (kept string, err error) {
	if err := ensureDir(filepath.Dir(dst)); err != nil {
		return "", err
	}
	tmp := dst + ".restoring"
	if err := copyFile(src, tmp); err != nil {
		return "", fmt.Errorf("restore: %s", rootCause(err))
	}
	if _, err := os.Stat(dst); err == nil {
		kept = dst + ".before-restore-" + time.Now().UTC().Format("20060102-150405")
		if err := os.Rename(dst, kept); err != nil {
			os.Remove(tmp)
			return "", fmt.Errorf("restore: %s", rootCause(err))
		}
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if kept != "" {
			os.Rename(dst+suffix, kept+suffix)
		} else {
			os.Remove(dst + suffix)
		}
	}
	if err := os.Rename(tmp, dst); err != nil {
		return kept, fmt.Errorf("restore: %s", rootCause(err))
	}
	return kept, nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o640)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func contentCmd(args []string, env Env) error {
	if len(args) == 0 || args[0] != "check" {
		return fmt.Errorf("%w: notalone content check [--dir DIR]", ErrUsage)
	}
	fs := flag.NewFlagSet("notalone content check", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	dir := fs.String("dir", "", "directory of content packs to check (default: the packs built into this binary)")
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelp
		}
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	var src iofs.FS = content.FS
	name := "built-in packs"
	if *dir != "" {
		src, name = os.DirFS(*dir), *dir
	}
	if _, err := contentpack.Load(src); err != nil {
		if ps, ok := contentpack.AsProblems(err); ok {
			for _, p := range ps {
				fmt.Fprintln(env.Stdout, p.String())
			}
			return fmt.Errorf("content check: %d problem(s) in %s", len(ps), name)
		}
		return fmt.Errorf("content check: %w", err)
	}
	fmt.Fprintf(env.Stdout, "content check: %s are valid\n", name)
	return nil
}

func eventCmd(ctx context.Context, args []string, env Env) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: notalone event create|list", ErrUsage)
	}
	var s Settings
	var e event.Event
	db, _, err := openCommand(ctx, "event "+args[0], args[1:], env, &s, func(fs *flag.FlagSet) {
		if args[0] == "create" {
			fs.StringVar(&e.ID, "id", "", "short id, e.g. hanoi-festival-2026 (lower-case letters, digits, dashes)")
			fs.StringVar(&e.Name, "name", "", "name shown on screens and souvenirs")
			fs.StringVar(&e.Place, "place", "", "where it happens")
			fs.StringVar(&e.StartsOn, "starts", "", "first day, YYYY-MM-DD")
			fs.StringVar(&e.EndsOn, "ends", "", "last day, YYYY-MM-DD")
			fs.StringVar(&e.Timezone, "timezone", "Asia/Ho_Chi_Minh", "IANA time zone")
			fs.IntVar(&e.KioskIdleSeconds, "kiosk-idle", event.DefaultKioskIdle, "seconds without a touch before a kiosk resets for the next visitor (10–3600)")
		}
	})
	if err != nil {
		return err
	}
	defer db.Close()
	switch args[0] {
	case "create":
		created, err := db.CreateEvent(ctx, e)
		if err != nil {
			return describe(err)
		}
		fmt.Fprintf(env.Stdout, "event %s created\n", created.ID)
		return nil
	case "list":
		events, err := db.Events(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tPLACE\tDATES\tTIMEZONE")
		for _, e := range events {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", e.ID, e.Name, e.Place, dates(e), e.Timezone)
		}
		return tw.Flush()
	}
	return fmt.Errorf("%w: notalone event create|list", ErrUsage)
}

func dates(e event.Event) string {
	if e.StartsOn == "" && e.EndsOn == "" {
		return "-"
	}
	return e.StartsOn + " – " + e.EndsOn
}

func stationCmd(ctx context.Context, args []string, env Env) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: notalone station add|list|revoke", ErrUsage)
	}
	var s Settings
	var eventID, kind, name string
	db, fs, err := openCommand(ctx, "station "+args[0], args[1:], env, &s, func(fs *flag.FlagSet) {
		switch args[0] {
		case "add":
			fs.StringVar(&eventID, "event", "", "event id")
			fs.StringVar(&kind, "kind", "kiosk", "kiosk, wall or desk")
			fs.StringVar(&name, "name", "", "name, e.g. \"Kiosk 1\"")
		case "list":
			fs.StringVar(&eventID, "event", "", "event id (default: every event)")
		}
	})
	if err != nil {
		return err
	}
	defer db.Close()
	key, err := db.Secret(ctx, "station-binding", 32)
	if err != nil {
		return err
	}
	signer := event.NewSigner(key)
	link := func(st event.Station) string {
		return signer.SetupLink(s.BaseURL, st.ID)
	}
	switch args[0] {
	case "add":
		k, err := event.ParseKind(kind)
		if err != nil {
			return describe(err)
		}
		st, err := db.CreateStation(ctx, eventID, k, name)
		if err != nil {
			return describe(err)
		}
		fmt.Fprintf(env.Stdout, "station %s (%s %q) added to %s\nsetup link: %s\n", st.ID, st.Kind, st.Name, st.EventID, link(st))
		return nil
	case "list":
		var events []event.Event
		if eventID != "" {
			e, err := db.Event(ctx, eventID)
			if err != nil {
				return describe(err)
			}
			events = []event.Event{e}
		} else if events, err = db.Events(ctx); err != nil {
			return err
		}
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tEVENT\tKIND\tNAME\tSETUP LINK")
		for _, e := range events {
			stations, err := db.Stations(ctx, e.ID)
			if err != nil {
				return err
			}
			for _, st := range stations {
				l := link(st)
				if st.Revoked() {
					l = "revoked " + st.RevokedAt.Format(time.RFC3339)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", st.ID, st.EventID, st.Kind, st.Name, l)
			}
		}
		return tw.Flush()
	case "revoke":
		if fs.NArg() != 1 {
			return fmt.Errorf("%w: notalone station revoke STATION-ID", ErrUsage)
		}
		st, err := db.RevokeStation(ctx, fs.Arg(0))
		if err != nil {
			return describe(err)
		}
		fmt.Fprintf(env.Stdout, "station %s revoked: its setup link and bound devices no longer work\n", st.ID)
		return nil
	}
	return fmt.Errorf("%w: notalone station add|list|revoke", ErrUsage)
}
