package broker

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver for publishing
)

// channel is the one PostgreSQL notification channel; the topic travels in
// the payload.
const channel = "notalone_events"

// maxPayload is PostgreSQL's NOTIFY payload limit (8000 bytes) less room
// for the topic. Live events are small; big data is fetched by id.
const maxPayload = 7900

// Postgres fans messages out through LISTEN/NOTIFY so every instance on the
// database receives every message, its own included.
type Postgres struct {
	dsn    string
	pub    *sql.DB
	hub    *hub
	log    *slog.Logger
	cancel context.CancelFunc
	done   chan struct{}

	mu        sync.Mutex
	listening chan struct{} // closed once the first LISTEN is in place
}

// NewPostgres connects a listener to dsn and returns once it is listening,
// so a message published right after is not missed.
func NewPostgres(ctx context.Context, dsn string, log *slog.Logger) (*Postgres, error) {
	pub, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("broker: %w", err)
	}
	pub.SetMaxOpenConns(4)
	runCtx, cancel := context.WithCancel(context.Background())
	p := &Postgres{dsn: dsn, pub: pub, hub: newHub(), log: log, cancel: cancel,
		done: make(chan struct{}), listening: make(chan struct{})}
	go p.listen(runCtx)
	select {
	case <-p.listening:
		return p, nil
	case <-ctx.Done():
		p.Close()
		return nil, fmt.Errorf("broker: listen: %w", ctx.Err())
	}
}

// listen keeps one connection LISTENing, reconnecting with back-off.
func (p *Postgres) listen(ctx context.Context) {
	defer close(p.done)
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := p.listenOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		p.log.Warn("broker listener lost, reconnecting", "err", err, "in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 5*time.Second)
	}
}

func (p *Postgres) listenOnce(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, p.dsn)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+channel); err != nil {
		return err
	}
	p.mu.Lock()
	reconnected := false
	select {
	case <-p.listening:
		reconnected = true
	default:
		close(p.listening)
	}
	p.mu.Unlock()
	if reconnected {
		// Messages sent while we were away are lost: say so.
		p.hub.deliverAll(Resync)
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		topic, data, ok := strings.Cut(n.Payload, "\n")
		if !ok {
			continue
		}
		p.hub.deliver(topic, []byte(data))
	}
}

// Publish sends data to every instance's subscribers of topic. data must be
// UTF-8 text (JSON) under about 7.9 KB.
func (p *Postgres) Publish(ctx context.Context, topic string, data []byte) error {
	if strings.ContainsRune(topic, '\n') || len(topic)+len(data) > maxPayload || !utf8.Valid(data) {
		return errors.New("broker: message too large, or not UTF-8 text")
	}
	if _, err := p.pub.ExecContext(ctx, "SELECT pg_notify($1, $2)", channel, topic+"\n"+string(data)); err != nil {
		return fmt.Errorf("broker: publish: %w", err)
	}
	return nil
}

// Subscribe starts receiving topic from every instance.
func (p *Postgres) Subscribe(topic string) *Subscription { return p.hub.subscribe(topic) }

// Close stops listening and ends every subscription.
func (p *Postgres) Close() error {
	p.cancel()
	<-p.done
	p.hub.close()
	return p.pub.Close()
}
