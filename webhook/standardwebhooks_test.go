package webhook

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// verifierEnv names the independent verifier script
// (e2e/standardwebhooks/verify.mjs, with its node_modules installed). The
// test command sets it.
const verifierEnv = "LATCHKEY_STANDARDWEBHOOKS_VERIFIER"

// TestStandardWebhooksNPMVerifies has the npm standardwebhooks library, an
// implementation independent of ours, verify our headers across a secret
// rotation, and refuse a tampered body, a foreign secret and a stale
// timestamp.
func TestStandardWebhooksNPMVerifies(t *testing.T) {
	script := os.Getenv(verifierEnv)
	if script == "" {
		t.Skipf("%s is not set (the test command sets it after installing e2e/standardwebhooks)", verifierEnv)
	}
	if !filepath.IsAbs(script) {
		t.Fatalf("%s must be an absolute path, got %q", verifierEnv, script)
	}
	oldSecret, newSecret := NewSecret(), NewSecret()
	body := []byte(`{"object":"event","id":"evt_1","type":"user.created","data":{"id":"user_1","name":"Zoë \u2603"}}`)
	now := time.Now()
	h, err := Headers("evt_1", now, body, newSecret, oldSecret)
	if err != nil {
		t.Fatal(err)
	}
	for name, secret := range map[string]string{"new secret": newSecret, "old secret": oldSecret} {
		if out, err := runVerifier(t, script, secret, h, body); err != nil {
			t.Errorf("%s: standardwebhooks refused our signature: %v (%s)", name, err, out)
		}
	}
	tampered := bytes.Replace(body, []byte("user_1"), []byte("user_2"), 1)
	if out, err := runVerifier(t, script, newSecret, h, tampered); err == nil {
		t.Errorf("standardwebhooks accepted a tampered body: %s", out)
	}
	if out, err := runVerifier(t, script, NewSecret(), h, body); err == nil {
		t.Errorf("standardwebhooks accepted our signature under another secret: %s", out)
	}
	stale, _ := Headers("evt_1", now.Add(-Tolerance-time.Minute), body, newSecret)
	if out, err := runVerifier(t, script, newSecret, stale, body); err == nil {
		t.Errorf("standardwebhooks accepted a stale timestamp: %s", out)
	}
}

func runVerifier(t *testing.T, script, secret string, h map[string][]string, body []byte) ([]byte, error) {
	t.Helper()
	headers := map[string]string{}
	for k, v := range h {
		headers[k] = v[0]
	}
	in, _ := json.Marshal(map[string]any{"secret": secret, "headers": headers, "body": string(body)})
	cmd := exec.Command("node", script)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if stderr.Len() > 0 {
		t.Logf("node stderr: %s", stderr.String())
	}
	return out, err
}
