package app

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/notalone/notalone/content"
	"github.com/notalone/notalone/internal/api"
	"github.com/notalone/notalone/internal/broker"
	contentpack "github.com/notalone/notalone/internal/content"
	"github.com/notalone/notalone/internal/event"
	"github.com/notalone/notalone/internal/help"
	"github.com/notalone/notalone/internal/i18n"
	"github.com/notalone/notalone/internal/jobs"
	"github.com/notalone/notalone/internal/media"
	"github.com/notalone/notalone/internal/metrics"
	"github.com/notalone/notalone/internal/quiz"
	"github.com/notalone/notalone/internal/ratelimit"
	"github.com/notalone/notalone/internal/server"
	"github.com/notalone/notalone/internal/souvenir"
	"github.com/notalone/notalone/internal/staff"
	"github.com/notalone/notalone/internal/store"
	"github.com/notalone/notalone/internal/web"
)

// Instance is one running server.
type Instance struct {
	ID       string
	Settings Settings
	DB       *store.DB
	Broker   broker.Broker
	Server   *server.Server
	// URL is where this instance actually listens (useful with port 0).
	URL string
	// MetricsURL is the separate metrics listener, when configured.
	MetricsURL string
	// Fingerprint is the SHA-256 of a self-signed certificate, for staff
	// to compare with what the browser shows.
	Fingerprint string

	log     *slog.Logger
	play    *quiz.Play
	pledges *web.Pledges
	web     *web.Handlers
	reports *web.Reports
	httpSrv *http.Server
	metrics *http.Server
	lock    *dirLock
	stop    context.CancelFunc
	errc    chan error
	bg      chan struct{}
}

// Start prepares everything (data dir, database, migrations, content,
// templates) and starts listening. Any failure returns an error whose
// message is one line, suitable to print as is.
func Start(ctx context.Context, s Settings, log *slog.Logger) (_ *Instance, err error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	in := &Instance{ID: newInstanceID(), Settings: s, log: log, errc: make(chan error, 2), bg: make(chan struct{})}
	defer func() {
		if err != nil {
			in.closeResources()
		}
	}()
	if s.usesSQLite() {
		if in.lock, err = lockDataDir(s.DataDir); err != nil {
			return nil, err
		}
	}
	if in.DB, err = store.Open(ctx, s.DB); err != nil {
		return nil, err
	}
	if _, err = in.DB.Migrate(ctx); err != nil {
		return nil, err
	}
	if err = in.DB.EnsureDefaultEvent(ctx); err != nil {
		return nil, err
	}
	key, err := in.DB.Secret(ctx, "station-binding", 32)
	if err != nil {
		return nil, err
	}
	bundle, err := contentpack.Load(content.FS)
	if err != nil {
		return nil, fmt.Errorf("content packs: %s", strings.ReplaceAll(err.Error(), "\n", "; "))
	}
	// The Get help guides may only offer the hotlines pack's numbers.
	numbers := make([]string, len(bundle.Hotlines.Hotlines))
	for i := range bundle.Hotlines.Hotlines {
		numbers[i] = bundle.Hotlines.Hotlines[i].Number
	}
	guides, err := help.LoadGuides(content.FS, numbers)
	if err != nil {
		return nil, fmt.Errorf("help guides: %s", strings.ReplaceAll(err.Error(), "\n", "; "))
	}
	rep, err := in.DB.LoadPacks(ctx, bundle.Items, bundle.Quizzes, bundle.PledgeOptions)
	if err != nil {
		return nil, err
	}
	helpRep, err := in.DB.LoadHelpPacks(ctx, guides)
	if err != nil {
		return nil, err
	}
	rep.Conflicts = append(rep.Conflicts, helpRep.Conflicts...)
	// The library's files live under the data dir, named by content hash;
	// the shipped items are stored there at start (unchanged files are
	// found by their hash and not written again).
	mediaFiles := &media.Store{Dir: filepath.Join(s.DataDir, "media")}
	items, err := media.LoadPack(content.FS, mediaFiles)
	if err != nil {
		return nil, err
	}
	mediaRep, err := in.DB.LoadMediaPacks(ctx, items)
	if err != nil {
		return nil, err
	}
	rep.Conflicts = append(rep.Conflicts, mediaRep.Conflicts...)
	for _, c := range rep.Conflicts {
		log.Warn("content pack change kept out: an editor changed this in the console", "object", c)
	}
	log.Info("content packs loaded", "inserted", rep.Inserted, "updated", rep.Updated, "unchanged", rep.Unchanged, "conflicts", len(rep.Conflicts))
	bank, err := in.DB.Bank(ctx)
	if err != nil {
		return nil, err
	}
	tokenKey, err := in.DB.Secret(ctx, "segment-tokens", 32)
	if err != nil {
		return nil, err
	}
	play := quiz.NewPlay(in.DB, bank, quiz.NewSegmentTokens(tokenKey))
	cat, err := i18n.Load()
	if err != nil {
		return nil, err
	}
	assets, err := web.LoadAssets()
	if err != nil {
		return nil, err
	}
	devices := &event.Devices{Signer: event.NewSigner(key), Store: in.DB}
	hasher := s.PasswordHasher
	if hasher == nil {
		hasher = staff.DefaultArgon2
	}
	auth := staff.NewAuth(in.DB, hasher)
	if store.IsPostgres(s.DB) {
		if in.Broker, err = broker.NewPostgres(ctx, s.DB, log); err != nil {
			return nil, err
		}
	} else {
		in.Broker = broker.NewMemory()
	}
	// Live overviews follow activity at events (at most a few messages a
	// second per event leave this instance, however busy play is).
	activity := &web.ActivityNotifier{Publish: in.Broker.Publish, Every: 250 * time.Millisecond, Log: log}
	play.Notify = activity.Notify
	in.play = play
	signer, err := badgeSigner(ctx, s, in.DB)
	if err != nil {
		return nil, err
	}
	in.pledges = &web.Pledges{Store: in.DB, Publish: in.Broker.Publish, Catalog: cat, PublicURL: s.PublicURL,
		Signer: souvenir.Signer{Key: signer}, KeyID: keyID(&signer.PublicKey), IssuerEmail: s.IssuerEmail, Log: log, Notify: activity.Notify}
	if err := in.reloadBank(ctx); err != nil {
		return nil, err
	}
	if in.reports, err = newReports(s, in.DB, log); err != nil {
		return nil, err
	}
	webH, err := web.New(&web.Handlers{Catalog: cat, Play: play, PublicURL: s.PublicURL, BaseURL: s.BaseURL, Auth: auth, Console: in.DB, Users: in.DB,
		Editor: in.DB, ContentPublished: in.contentPublished,
		Content: bundle, Devices: devices, Assets: assets, Log: log,
		Moderation: in.DB, Overview: in.DB, Live: in.Broker, Pledges: in.pledges, Vouchers: in.DB, LeaveURL: web.DefaultLeaveURL,
		Reports: in.reports, AskAvailable: in.reports.Available, Library: in.DB, MediaFiles: mediaFiles})
	if err != nil {
		return nil, err
	}
	in.web = webH
	if err := in.reloadBank(ctx); err != nil {
		return nil, err
	}
	reg := metrics.New()
	reg.Gauges(dbGauges(in.DB))
	in.Server = server.New(server.Deps{
		Web: webH,
		API: &api.Handlers{Catalog: cat, Play: play, Devices: devices, Admin: in.DB, Content: in.DB, Accounts: in.DB, Live: in.DB, Packs: in.DB, Hotlines: bundle.Hotlines, BaseURL: s.BaseURL, Hasher: hasher, ContentPublished: in.contentPublished, Metrics: reg, Log: log,
			Pledges: in.pledges, Vouchers: in.DB, Reports: in.reports, Partners: in.DB, Library: in.DB, PublicURL: s.PublicURL},
		Metrics:       reg,
		Log:           log,
		Proxies:       s.proxies,
		PublicWrites:  ratelimit.New(5, 100, nil), // a class behind one school address starts 100 games at once
		Logins:        ratelimit.New(0.2, 10, nil),
		Redemptions:   ratelimit.New(2, 30, nil),
		Reports:       ratelimit.New(0.1, 5, nil),  // a few requests per client, then one every 10 s
		AllReports:    ratelimit.New(20, 200, nil), // the whole instance: a flood cannot bury the responders
		StatusChecks:  ratelimit.New(0.2, 10, nil), // guessing a secret is hopeless at this pace
		Auth:          auth,
		Ready:         in.DB.Ping,
		MetricsOnMain: s.MetricsAddr == "",
	})
	if err = in.listen(s); err != nil {
		return nil, err
	}
	runCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	in.stop = stop
	go in.background(runCtx)
	log.Info("serving", "url", in.URL, "base_url", s.BaseURL, "public_url", s.PublicURL,
		"db", in.DB.Engine(), "instance", in.ID)
	return in, nil
}

func newInstanceID() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// listen opens the listeners before returning, so the instance is ready
// when Start returns.
func (in *Instance) listen(s Settings) error {
	ln, err := net.Listen("tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", s.Addr, err)
	}
	scheme := "http"
	var tlsConf *tls.Config
	switch {
	case s.TLSSelfSigned:
		cert, fp, err := selfSignedCert(filepath.Join(s.DataDir, "tls"), s.BaseURL)
		if err != nil {
			ln.Close()
			return err
		}
		in.Fingerprint = fp
		tlsConf = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	case s.TLSCert != "":
		cert, err := tls.LoadX509KeyPair(s.TLSCert, s.TLSKey)
		if err != nil {
			ln.Close()
			return fmt.Errorf("TLS certificate: %w", err)
		}
		tlsConf = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	if tlsConf != nil {
		scheme = "https"
		ln = tls.NewListener(ln, tlsConf)
	}
	in.URL = scheme + "://" + ln.Addr().String()
	in.httpSrv = newHTTPServer(in.Server.Handler(), in.log)
	in.httpSrv.RegisterOnShutdown(in.Server.Web.EndStreams) // Shutdown waits for handlers: end the live streams
	go func() { in.errc <- serveUntilClosed(in.httpSrv, ln) }()
	if s.MetricsAddr != "" {
		mln, err := net.Listen("tcp", s.MetricsAddr)
		if err != nil {
			return fmt.Errorf("listen on metrics address %s: %w", s.MetricsAddr, err)
		}
		in.MetricsURL = "http://" + mln.Addr().String()
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", in.Server.MetricsHandler())
		in.metrics = newHTTPServer(mux, in.log)
		go func() { in.errc <- serveUntilClosed(in.metrics, mln) }()
	}
	return nil
}

// newHTTPServer sets timeouts so slow or idle clients cannot hold
// connections forever. Long-lived streams (live feeds) extend their own
// write deadline through http.ResponseController.
func newHTTPServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

func serveUntilClosed(srv *http.Server, ln net.Listener) error {
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// background runs the heartbeat and the cluster's scheduled jobs.
func (in *Instance) background(ctx context.Context) {
	defer close(in.bg)
	started := time.Now()
	beat := func() {
		if err := in.DB.Heartbeat(ctx, in.ID, Version, started); err != nil && ctx.Err() == nil {
			in.log.Warn("heartbeat failed", "err", err)
		}
	}
	beat()
	sched := &jobs.Scheduler{Store: in.DB, Log: in.log, Jobs: []jobs.Job{{
		Name:     "prune-instances",
		Interval: 10 * time.Minute,
		Run: func(ctx context.Context) error {
			_, err := in.DB.PruneInstances(ctx, time.Now().Add(-instanceTTL))
			return err
		},
	}, {
		Name:     "purge-help-cases",
		Interval: time.Hour,
		Run: func(ctx context.Context) error {
			now := time.Now()
			purged, flagged, err := in.DB.PurgeCases(ctx, now.AddDate(0, 0, -in.Settings.help.retentionDays), now.AddDate(0, 0, -in.Settings.help.reviewDays))
			if purged > 0 || flagged > 0 {
				in.log.Info("help cases purged", "purged", purged, "due_for_review", flagged)
			}
			return err
		},
	}}}
	go sched.Run(ctx)
	go in.followContent(ctx)
	t := time.NewTicker(heartbeatEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			beat()
		}
	}
}

// contentTopic carries "published content changed" between instances.
const contentTopic = "content.published"

// contentPublished reloads the published content here at once (so the
// editor sees it on the next page) and tells every instance to.
//
// The change is committed by then: a failure here is logged, not returned,
// so the editor is not told that a saved change failed. (Other instances
// also reload when their broker reconnects.)
func (in *Instance) contentPublished(ctx context.Context) error {
	if err := in.reloadBank(ctx); err != nil {
		in.log.Error("content reload failed", "err", err)
	}
	if err := in.Broker.Publish(ctx, contentTopic, []byte("{}")); err != nil {
		in.log.Error("content publish message failed", "err", err)
	}
	return nil
}

// reloadBank loads the published quiz bank and pledge options.
func (in *Instance) reloadBank(ctx context.Context) error {
	bank, err := in.DB.Bank(ctx)
	if err != nil {
		return err
	}
	options, err := in.DB.PledgeOptions(ctx)
	if err != nil {
		return err
	}
	in.play.SetBank(bank)
	in.pledges.SetOptions(options)
	if in.web != nil {
		guides, err := in.DB.HelpContent(ctx)
		if err != nil {
			return err
		}
		in.web.SetGuides(guides)
	}
	return nil
}

// badgeSigner is the key that signs souvenir badges: the test's, the
// --badge-key file, or the one kept in the database (made on first start).
func badgeSigner(ctx context.Context, s Settings, db *store.DB) (*rsa.PrivateKey, error) {
	if s.BadgeSigner != nil {
		return s.BadgeSigner, nil
	}
	var der []byte
	if s.BadgeKey != "" {
		b, err := os.ReadFile(s.BadgeKey)
		if err != nil {
			return nil, fmt.Errorf("badge key: %w", err)
		}
		blk, _ := pem.Decode(b)
		if blk == nil {
			return nil, fmt.Errorf("badge key %s: not a PEM file", s.BadgeKey)
		}
		der = blk.Bytes
	} else {
		var err error
		der, err = db.GeneratedSecret(ctx, "badge-signing-key", func() ([]byte, error) {
			k, err := souvenir.NewKey()
			if err != nil {
				return nil, err
			}
			return x509.MarshalPKCS8PrivateKey(k)
		})
		if err != nil {
			return nil, err
		}
	}
	key, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		if k1, err1 := x509.ParsePKCS1PrivateKey(der); err1 == nil {
			return k1, nil
		}
		return nil, fmt.Errorf("badge key: %w", err)
	}
	rk, ok := key.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("badge key: not an RSA key (Open Badges 2.0 signs with RS256)")
	}
	return rk, nil
}

// keyID names a public key in its URL: a hash of it, so a new key gets a
// new URL and badges signed with the old one still find theirs.
func keyID(pub *rsa.PublicKey) string {
	der, _ := x509.MarshalPKIXPublicKey(pub)
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:8])
}

// followContent reloads the bank whenever any instance publishes content,
// subscribing again if the broker drops it.
func (in *Instance) followContent(ctx context.Context) {
	for ctx.Err() == nil {
		sub := in.Broker.Subscribe(contentTopic)
		for range sub.C {
			if err := in.reloadBank(ctx); err != nil && ctx.Err() == nil {
				in.log.Warn("content reload failed", "err", err)
			}
		}
		sub.Close()
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

const (
	heartbeatEvery = 30 * time.Second
	instanceTTL    = time.Hour
)

// Wait returns when a listener fails.
func (in *Instance) Wait() <-chan error { return in.errc }

// Shutdown stops accepting requests, lets those in flight finish (until ctx
// ends), and closes everything.
func (in *Instance) Shutdown(ctx context.Context) error {
	var errs []error
	if in.httpSrv != nil {
		errs = append(errs, in.httpSrv.Shutdown(ctx))
	}
	if in.metrics != nil {
		errs = append(errs, in.metrics.Shutdown(ctx))
	}
	if in.stop != nil {
		in.stop()
		<-in.bg
	}
	in.closeResources()
	return errors.Join(errs...)
}

func (in *Instance) closeResources() {
	// A start that failed after the main listener opened stops it too.
	if in.httpSrv != nil {
		in.httpSrv.Close()
	}
	if in.metrics != nil {
		in.metrics.Close()
	}
	if in.Broker != nil {
		in.Broker.Close()
	}
	if in.DB != nil {
		in.DB.Close()
	}
	if in.lock != nil {
		in.lock.release()
	}
}

// dbGauges samples the connection pools at scrape time.
func dbGauges(db *store.DB) func() []metrics.Gauge {
	return func() []metrics.Gauge {
		var out []metrics.Gauge
		for _, p := range db.Stats() {
			l := map[string]string{"pool": p.Pool}
			out = append(out,
				metrics.Gauge{Name: "notalone_db_open_connections", Help: "Open database connections.", Labels: l, Value: float64(p.Stats.OpenConnections)},
				metrics.Gauge{Name: "notalone_db_in_use_connections", Help: "Database connections in use.", Labels: l, Value: float64(p.Stats.InUse)},
				metrics.Gauge{Name: "notalone_db_wait_count", Help: "Waits for a free database connection.", Labels: l, Value: float64(p.Stats.WaitCount)},
				metrics.Gauge{Name: "notalone_db_wait_seconds", Help: "Time spent waiting for a free database connection.", Labels: l, Value: p.Stats.WaitDuration.Seconds()},
			)
		}
		return out
	}
}

// ensureDir creates dir, or says in one line why it cannot be used.
func ensureDir(dir string) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("data dir %s: %s", dir, rootCause(err))
	}
	probe, err := os.CreateTemp(dir, ".write-test-*")
	if err != nil {
		return fmt.Errorf("data dir %s is not writable: %s", dir, rootCause(err))
	}
	probe.Close()
	os.Remove(probe.Name())
	return nil
}

// rootCause is the innermost error's text (e.g. "permission denied").
func rootCause(err error) string {
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return err.Error()
		}
		err = u
	}
}

// newReports sets up help requests: the phrase table for triage, the
// responders' private keys if this instance has them (else it takes
// requests it cannot read, and says so), and the urgent-request alerts.
func newReports(s Settings, db *store.DB, log *slog.Logger) (*web.Reports, error) {
	phrases, err := help.LoadPhrases(content.FS, "help/phrases.yaml")
	if err != nil {
		return nil, fmt.Errorf("help phrases: %s", strings.ReplaceAll(err.Error(), "\n", "; "))
	}
	rs := &web.Reports{Store: db, Phrases: phrases, EvidenceCapDay: s.help.evidenceCap, ReplyHours: s.help.replyHours, Log: log}
	if s.ResponderKey != "" {
		b, err := os.ReadFile(s.ResponderKey)
		if err != nil {
			return nil, fmt.Errorf("responder key: %w", err)
		}
		if rs.PrivateKeys, err = help.DecodePrivateKeys(b); err != nil {
			return nil, fmt.Errorf("responder key %s: %w", s.ResponderKey, err)
		}
		log.Info("responder key loaded: this instance can open help cases", "keys", len(rs.PrivateKeys))
	} else {
		log.Warn("no responder key (--responder-key): this instance takes help requests but cannot open them (intake only)")
	}
	alerter := &help.Alerter{Webhook: s.AlertWebhook, SMTPAddr: s.AlertSMTP, From: s.AlertFrom, To: s.help.alertTo,
		SMTPUser: s.AlertSMTPUser, SMTPPasswd: s.AlertSMTPPassword, ConsoleURL: s.BaseURL + "/console/cases"}
	if alerter.Enabled() {
		rs.Alert = func(ctx context.Context) {
			go func() {
				if err := alerter.Send(ctx, time.Now()); err != nil {
					log.Error("urgent help request alert failed", "err", err)
				}
			}()
		}
	}
	return rs, nil
}
