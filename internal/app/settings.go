package app

import (
	"crypto/rsa"
	"flag"
	"fmt"
	"net/mail"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/notalone/notalone/internal/client"
	"github.com/notalone/notalone/internal/staff"
	"github.com/notalone/notalone/internal/store"
)

// Settings configure an instance. Every one is a flag with an environment
// variable beside it; a flag given on the command line wins.
type Settings struct {
	Addr           string
	DataDir        string
	DB             string
	BaseURL        string
	PublicURL      string
	TrustedProxies string
	MetricsAddr    string
	TLSCert        string
	TLSKey         string
	TLSSelfSigned  bool
	LogFormat      string
	LogLevel       string
	BadgeKey       string
	IssuerEmail    string
	// Help requests.
	ResponderKey       string
	HelpReplyHours     string
	HelpRetentionDays  string
	HelpReviewDays     string
	EvidenceCapMB      string
	AlertWebhook       string
	AlertSMTP          string
	AlertFrom, AlertTo string
	AlertSMTPUser      string
	AlertSMTPPassword  string

	// PasswordHasher hashes staff passwords; nil means argon2id with the
	// production parameters. Tests set cheap ones.
	PasswordHasher staff.Hasher
	// BadgeSigner signs souvenir badges; nil means the --badge-key file,
	// or the key kept in the database. Tests share one key (making an
	// RSA key takes a while).
	BadgeSigner *rsa.PrivateKey

	proxies client.Proxies
	help    helpSettings
}

// helpSettings are the help-request settings, parsed.
type helpSettings struct {
	replyHours, retentionDays, reviewDays int
	evidenceCap                           int64
	alertTo                               []string
}

// setting describes one setting for flags, the environment and --help.
type setting struct {
	flag, env, def, help string
	str                  *string
	boolean              *bool
}

func (s *Settings) table() []setting {
	return []setting{
		{"addr", "NOTALONE_ADDR", ":8080", "address to listen on", &s.Addr, nil},
		{"data-dir", "NOTALONE_DATA_DIR", "./data", "directory for the SQLite database, media files and generated certificates", &s.DataDir, nil},
		{"db", "NOTALONE_DB", "", "database: empty for the SQLite file in the data dir, or a postgres://… URL for PostgreSQL (several instances)", &s.DB, nil},
		{"base-url", "NOTALONE_BASE_URL", "", "address devices use to reach this server, e.g. http://192.168.1.10:8080 (default: http://localhost and the port of --addr)", &s.BaseURL, nil},
		{"public-url", "NOTALONE_PUBLIC_URL", "", "public address printed in QR codes and links that leave the building (default: the base URL); at an offline event, the central server", &s.PublicURL, nil},
		{"trusted-proxies", "NOTALONE_TRUSTED_PROXIES", "", "comma-separated addresses or CIDR ranges of proxies whose X-Forwarded-For/-Proto headers are believed (decides the client address and whether cookies are Secure)", &s.TrustedProxies, nil},
		{"metrics-addr", "NOTALONE_METRICS_ADDR", "", "separate listener for /metrics, e.g. 127.0.0.1:9090 (default: /metrics on the main address)", &s.MetricsAddr, nil},
		{"tls-cert", "NOTALONE_TLS_CERT", "", "TLS certificate file (PEM); with --tls-key, serve HTTPS", &s.TLSCert, nil},
		{"tls-key", "NOTALONE_TLS_KEY", "", "TLS private key file (PEM)", &s.TLSKey, nil},
		{"tls-self-signed", "NOTALONE_TLS_SELF_SIGNED", "false", "serve HTTPS with a self-signed certificate generated in the data dir (an event LAN without a proxy: browsers allow the camera only over HTTPS)", nil, &s.TLSSelfSigned},
		{"log-format", "NOTALONE_LOG_FORMAT", "text", "log format: text or json", &s.LogFormat, nil},
		{"log-level", "NOTALONE_LOG_LEVEL", "info", "log level: debug, info, warn or error", &s.LogLevel, nil},
		{"issuer-email", "NOTALONE_ISSUER_EMAIL", "", "contact address of the campaign, published as the souvenir badges' issuer (default: badges@ and the host of the public URL)", &s.IssuerEmail, nil},
		{"responder-key", "NOTALONE_RESPONDER_KEY", "", "file with the responders' private key (made by `notalone responder-key init`); keep it off the data dir and out of backups. Without it this instance takes help requests but cannot open them", &s.ResponderKey, nil},
		{"help-reply-hours", "NOTALONE_HELP_REPLY_HOURS", "24", "the promise on the help form: someone reads a request within this many hours", &s.HelpReplyHours, nil},
		{"help-retention-days", "NOTALONE_HELP_RETENTION_DAYS", "180", "closed help cases are purged (keys destroyed, rows and files deleted) this many days after closing", &s.HelpRetentionDays, nil},
		{"help-review-days", "NOTALONE_HELP_REVIEW_DAYS", "365", "cases never closed are marked for review after this many days", &s.HelpReviewDays, nil},
		{"evidence-cap-mb", "NOTALONE_EVIDENCE_CAP_MB", "500", "most evidence (pictures) taken in a day, in MB", &s.EvidenceCapMB, nil},
		{"alert-webhook", "NOTALONE_ALERT_WEBHOOK", "", "URL that gets a JSON POST when an urgent help request arrives (no case content)", &s.AlertWebhook, nil},
		{"alert-smtp", "NOTALONE_ALERT_SMTP", "", "SMTP server host:port for urgent-request alert emails (no case content)", &s.AlertSMTP, nil},
		{"alert-from", "NOTALONE_ALERT_FROM", "", "sender address of alert emails", &s.AlertFrom, nil},
		{"alert-to", "NOTALONE_ALERT_TO", "", "comma-separated addresses of the on-call responders", &s.AlertTo, nil},
		{"alert-smtp-user", "NOTALONE_ALERT_SMTP_USER", "", "SMTP user name (PLAIN auth, over TLS)", &s.AlertSMTPUser, nil},
		{"alert-smtp-password", "NOTALONE_ALERT_SMTP_PASSWORD", "", "SMTP password (prefer the environment variable: flags show in process lists)", &s.AlertSMTPPassword, nil},
		{"badge-key", "NOTALONE_BADGE_KEY", "", "PEM file of the RSA key that signs souvenir badges; give an organisation's event machines and its public server the same file, so badges made offline verify there (default: a key made once and kept in the database)", &s.BadgeKey, nil},
	}
}

// register adds the settings to fs, taking defaults from the environment.
func (s *Settings) register(fs *flag.FlagSet, getenv func(string) string) error {
	for _, st := range s.table() {
		def := st.def
		if v := getenv(st.env); v != "" {
			def = v
		}
		help := fmt.Sprintf("%s (env %s)", st.help, st.env)
		if st.boolean != nil {
			b, err := parseBool(def)
			if err != nil {
				return fmt.Errorf("%s: %w", st.env, err)
			}
			fs.BoolVar(st.boolean, st.flag, b, help)
			continue
		}
		fs.StringVar(st.str, st.flag, def, help)
	}
	return nil
}

func parseBool(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "1", "true", "yes", "on":
		return true, nil
	case "", "0", "false", "no", "off":
		return false, nil
	}
	return false, fmt.Errorf("%q is not true or false", v)
}

// Resolve fills in derived defaults and checks the settings.
func (s *Settings) Resolve() error {
	if s.DB == "" {
		s.DB = filepath.Join(s.DataDir, "notalone.db")
	}
	if s.BaseURL == "" {
		scheme := "http"
		if s.TLSSelfSigned || s.TLSCert != "" {
			scheme = "https"
		}
		_, port, _ := strings.Cut(s.Addr, ":")
		if port == "" || port == "0" {
			port = "8080"
		}
		s.BaseURL = scheme + "://localhost:" + port
	}
	if s.PublicURL == "" {
		s.PublicURL = s.BaseURL
	}
	for _, v := range []struct {
		name string
		url  *string
	}{{"base URL", &s.BaseURL}, {"public URL", &s.PublicURL}} {
		u, err := url.Parse(*v.url)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("%s %q: must be an http:// or https:// address", v.name, *v.url)
		}
		*v.url = strings.TrimRight(*v.url, "/")
	}
	if s.IssuerEmail == "" {
		u, _ := url.Parse(s.PublicURL)
		s.IssuerEmail = "badges@" + u.Hostname()
	} else if _, err := mail.ParseAddress(s.IssuerEmail); err != nil || strings.ContainsAny(s.IssuerEmail, "<> ") {
		return fmt.Errorf("issuer email %q: not an email address", s.IssuerEmail)
	}
	if err := s.resolveHelp(); err != nil {
		return err
	}
	if (s.TLSCert == "") != (s.TLSKey == "") {
		return fmt.Errorf("TLS: give both --tls-cert and --tls-key, or neither")
	}
	if s.TLSSelfSigned && s.TLSCert != "" {
		return fmt.Errorf("TLS: --tls-self-signed and --tls-cert exclude each other")
	}
	switch s.LogFormat {
	case "text", "json":
	default:
		return fmt.Errorf("log format %q: must be text or json", s.LogFormat)
	}
	switch s.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("log level %q: must be debug, info, warn or error", s.LogLevel)
	}
	p, err := client.ParseProxies(s.TrustedProxies)
	if err != nil {
		return err
	}
	s.proxies = p
	return nil
}

// usesSQLite reports whether the database is the embedded SQLite file.
func (s *Settings) usesSQLite() bool { return !store.IsPostgres(s.DB) }

// resolveHelp parses the help-request settings and checks that the
// responders' private key is not kept in the data dir (where backups and
// copies of the data would take it along).
func (s *Settings) resolveHelp() error {
	num := func(name, v, def string, lo, hi int) (int, error) {
		if v == "" {
			v = def
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			return 0, fmt.Errorf("%s %q: must be a whole number from %d to %d", name, v, lo, hi)
		}
		return n, nil
	}
	var err error
	if s.help.replyHours, err = num("help reply hours", s.HelpReplyHours, "24", 1, 720); err != nil {
		return err
	}
	if s.help.retentionDays, err = num("help retention days", s.HelpRetentionDays, "180", 1, 3650); err != nil {
		return err
	}
	if s.help.reviewDays, err = num("help review days", s.HelpReviewDays, "365", 1, 3650); err != nil {
		return err
	}
	capMB, err := num("evidence cap", s.EvidenceCapMB, "500", 0, 100000)
	if err != nil {
		return err
	}
	s.help.evidenceCap = int64(capMB) << 20
	for _, a := range strings.Split(s.AlertTo, ",") {
		if a = strings.TrimSpace(a); a != "" {
			if _, err := mail.ParseAddress(a); err != nil {
				return fmt.Errorf("alert to %q: not an email address", a)
			}
			s.help.alertTo = append(s.help.alertTo, a)
		}
	}
	if s.AlertSMTP != "" && (s.AlertFrom == "" || len(s.help.alertTo) == 0) {
		return fmt.Errorf("alert email: --alert-smtp needs --alert-from and --alert-to")
	}
	if s.ResponderKey != "" {
		key, err := filepath.Abs(s.ResponderKey)
		if err != nil {
			return fmt.Errorf("responder key: %w", err)
		}
		dir, err := filepath.Abs(s.DataDir)
		if err != nil {
			return fmt.Errorf("data dir: %w", err)
		}
		if rel, err := filepath.Rel(dir, key); err == nil && !strings.HasPrefix(rel, "..") {
			return fmt.Errorf("responder key %s: it is inside the data dir %s; keep the private key elsewhere, so no backup or copy of the data carries it", s.ResponderKey, s.DataDir)
		}
	}
	return nil
}
