package app

import (
	"crypto/rsa"
	"flag"
	"fmt"
	"net/mail"
	"net/url"
	"path/filepath"
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

	// PasswordHasher hashes staff passwords; nil means argon2id with the
	// production parameters. Tests set cheap ones.
	PasswordHasher staff.Hasher
	// BadgeSigner signs souvenir badges; nil means the --badge-key file,
	// or the key kept in the database. Tests share one key (making an
	// RSA key takes a while).
	BadgeSigner *rsa.PrivateKey

	proxies client.Proxies
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
