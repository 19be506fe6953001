package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/onboard/onboard/internal/config"
)

// The webhook's headers.
const (
	// SignatureHeader carries "sha256=" and the hex HMAC-SHA256 of the body
	// keyed with the configured secret.
	SignatureHeader = "X-Onboard-Signature"
	// EventHeader names the event, "run.finished".
	EventHeader = "X-Onboard-Event"
)

// Sign returns the signature header's value for body: "sha256=<hex>".
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Verify reports whether header is the signature of body under secret,
// comparing in constant time. Receivers written in Go can use it.
func Verify(secret string, body []byte, header string) bool {
	return hmac.Equal([]byte(header), []byte(Sign(secret, body)))
}

// postWebhook posts the summary, retrying on network errors, 408, 425,
// 429 and 5xx answers.
func (n *Notifier) postWebhook(ctx context.Context, s *Summary) (int, error) {
	w := n.Config.Webhook
	body, err := json.Marshal(s)
	if err != nil {
		return 0, fmt.Errorf("webhook: cannot write the summary: %w", err)
	}
	client := n.HTTP
	if client == nil {
		client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	tries, err := n.retry(ctx, func(ctx context.Context) (bool, error) {
		return post(ctx, client, w, body)
	})
	if err != nil {
		err = redact(fmt.Errorf("webhook %s: %w (tried %d times)", w.RedactedURL(), deadlineWords(err, attemptTimeout), tries), w.URL, w.Secret, urlPath(w.URL))
	}
	return tries, err
}

// post sends one request; the bool says whether trying again may help.
func post(ctx context.Context, client *http.Client, w *config.Webhook, body []byte) (bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return false, errors.New("the URL cannot be used")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "onboard")
	req.Header.Set(EventHeader, "run.finished")
	if w.Secret != "" {
		req.Header.Set(SignatureHeader, Sign(w.Secret, body))
	}
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error quotes the whole URL, token and all
		}
		return true, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch c := resp.StatusCode; {
	case c >= 200 && c < 300:
		return false, nil
	case c == http.StatusRequestTimeout || c == http.StatusTooEarly || c == http.StatusTooManyRequests || c >= 500:
		return true, fmt.Errorf("the receiver answered %s", resp.Status)
	case c >= 300 && c < 400:
		return false, fmt.Errorf("the receiver answered %s (a redirect, which is not followed); give the final address as url:", resp.Status)
	default:
		return false, fmt.Errorf("the receiver refused the summary: %s; check url: and secret: under notify.webhook", resp.Status)
	}
}

// urlPath is the path and query of a URL, which may hold its token.
func urlPath(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	p := u.EscapedPath()
	if u.RawQuery != "" {
		p += "?" + u.RawQuery
	}
	if p == "/" {
		return ""
	}
	return p
}
