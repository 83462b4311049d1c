package help

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/smtp"
	"strings"
	"time"
)

// Alerter tells the on-call responders that an urgent help request is
// waiting. The alert carries no case content — no topic, no words, no
// receipt — only that something urgent waits and where to look: an email
// or a chat message can be read by anyone near a phone.
type Alerter struct {
	// Webhook, when set, receives a JSON POST.
	Webhook string
	// SMTPAddr (host:port), From and To send an email; SMTPUser and
	// SMTPPassword authenticate (PLAIN, only over TLS or to localhost, as
	// net/smtp enforces).
	SMTPAddr, From       string
	To                   []string
	SMTPUser, SMTPPasswd string
	// ConsoleURL is the inbox's address, put in the alert.
	ConsoleURL string
	Client     *http.Client
}

// alertMessage is the webhook's body.
type alertMessage struct {
	Event   string    `json:"event"`
	At      time.Time `json:"at"`
	Console string    `json:"console"`
	Text    string    `json:"text"`
}

const alertText = "An urgent help request is waiting in the responder console. / Có một yêu cầu giúp đỡ khẩn cấp đang chờ trong trang người trực."

// Enabled reports whether any channel is set.
func (a *Alerter) Enabled() bool { return a != nil && (a.Webhook != "" || a.SMTPAddr != "") }

// Send alerts every configured channel and returns the errors joined.
func (a *Alerter) Send(ctx context.Context, at time.Time) error {
	var errsOut []string
	if a.Webhook != "" {
		if err := a.webhook(ctx, at); err != nil {
			errsOut = append(errsOut, err.Error())
		}
	}
	if a.SMTPAddr != "" && len(a.To) > 0 {
		if err := a.email(at); err != nil {
			errsOut = append(errsOut, err.Error())
		}
	}
	if len(errsOut) > 0 {
		return fmt.Errorf("alert: %s", strings.Join(errsOut, "; "))
	}
	return nil
}

func (a *Alerter) webhook(ctx context.Context, at time.Time) error {
	body, _ := json.Marshal(alertMessage{Event: "urgent_help_request", At: at.UTC(), Console: a.ConsoleURL, Text: alertText})
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "POST", a.Webhook, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	c := a.Client
	if c == nil {
		c = http.DefaultClient
	}
	res, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	res.Body.Close()
	if res.StatusCode >= 300 {
		return fmt.Errorf("webhook: %s", res.Status)
	}
	return nil
}

func (a *Alerter) email(at time.Time) error {
	var msg bytes.Buffer
	fmt.Fprintf(&msg, "From: %s\r\nTo: %s\r\nSubject: Urgent help request waiting / Yêu cầu khẩn cấp đang chờ\r\n", a.From, strings.Join(a.To, ", "))
	fmt.Fprintf(&msg, "Date: %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n", at.UTC().Format(time.RFC1123Z))
	fmt.Fprintf(&msg, "%s\r\n\r\n%s\r\n", alertText, a.ConsoleURL)
	var auth smtp.Auth
	if a.SMTPUser != "" {
		host, _, _ := net.SplitHostPort(a.SMTPAddr)
		auth = smtp.PlainAuth("", a.SMTPUser, a.SMTPPasswd, host)
	}
	if err := smtp.SendMail(a.SMTPAddr, auth, a.From, a.To, msg.Bytes()); err != nil {
		return fmt.Errorf("email: %w", err)
	}
	return nil
}
