package main

import (
	"encoding/base64"
	"io"
	"testing"

	"github.com/latchkeyhq/latchkey/netguard"
)

// TestWebhooksAllowSetting: production webhooks reach only public https
// URLs unless LATCHKEY_WEBHOOKS_ALLOW widens that; dev mode allows
// loopback and http; an unknown word is refused at start.
func TestWebhooksAllowSetting(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		mode  mode
		allow string
		want  netguard.Options
		ok    bool
	}{
		{modeServe, "", netguard.Options{}, true},
		{modeServe, "private", netguard.Options{AllowPrivate: true}, true},
		{modeServe, "private, http", netguard.Options{AllowPrivate: true, AllowHTTP: true}, true},
		{modeServe, "loopback,private,http", netguard.Options{AllowPrivate: true, AllowLoopback: true, AllowHTTP: true}, true},
		{modeDev, "", netguard.Options{AllowLoopback: true, AllowHTTP: true}, true},
		{modeDev, "private", netguard.Options{AllowPrivate: true, AllowLoopback: true, AllowHTTP: true}, true},
		{modeServe, "metadata", netguard.Options{}, false},
		{modeServe, "everything", netguard.Options{}, false},
	} {
		env := map[string]string{"LATCHKEY_WEBHOOKS_ALLOW": tt.allow, "LATCHKEY_PUBLIC_URL": "https://auth.example.com",
			"LATCHKEY_MASTER_KEY": base64.StdEncoding.EncodeToString(make([]byte, 32))}
		c, _, err := parseConfig(tt.mode, string(tt.mode), []string{"--data-dir", t.TempDir()}, envFunc(env), io.Discard)
		if (err == nil) != tt.ok {
			t.Errorf("%s %q: err = %v, want ok=%v", tt.mode, tt.allow, err, tt.ok)
			continue
		}
		if err == nil && c.WebhookNet != tt.want {
			t.Errorf("%s %q: options = %+v, want %+v", tt.mode, tt.allow, c.WebhookNet, tt.want)
		}
	}
}
