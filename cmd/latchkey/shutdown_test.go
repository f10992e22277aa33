package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestShutdownDrainsRequests cancels run's context while a user creation is
// in flight (its body half sent) and checks the shutdown order: the listener
// closes at once, the request still completes against a live database (HTTP
// drains before the store closes), and only then does run return nil.
func TestShutdownDrainsRequests(t *testing.T) {
	t.Parallel()
	dev := startDev(t, t.TempDir())
	addr := strings.TrimPrefix(dev.base, "http://")

	body, _ := json.Marshal(map[string]any{"email_address": []string{"late@example.com"}, "password": testPassword})
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	half := len(body) / 2
	fmt.Fprintf(conn, "POST /api/v1/users HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", addr, dev.keys.SecretKey, len(body), body[:half])

	// The server accepts connections in order, so once a later connection
	// has been answered, the slow one is tracked by the server and Shutdown
	// must wait for it.
	probe := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := probe.Get(dev.base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	dev.cancel()
	waitFor(t, 10*time.Second, "the listener to close", func() bool {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return true
		}
		c.Close()
		return false
	})
	select {
	case <-dev.done:
		t.Fatalf("run returned (%v) with a request still in flight", dev.err)
	default:
	}

	if _, err := conn.Write(body[half:]); err != nil {
		t.Fatalf("send the rest of the body: %v", err)
	}
	resp, err = http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("the in-flight request got no response during shutdown: %v", err)
	}
	defer resp.Body.Close()
	var u apiUser
	if err := json.NewDecoder(resp.Body).Decode(&u); err != nil || resp.StatusCode != http.StatusOK || u.email() != "late@example.com" {
		t.Fatalf("in-flight request during shutdown: status %d, user %+v, decode err %v; want 200 and the user",
			resp.StatusCode, u, err)
	}
	if err := dev.stop(); err != nil {
		t.Fatalf("run returned %v, want nil", err)
	}

	// The user created during shutdown was committed.
	dev2 := startDev(t, dev.dataDir)
	var got apiUser
	if st := call(t, "GET", dev2.keys.BackendAPIURL+"/users/"+u.ID, dev2.keys.SecretKey, nil, &got); st != http.StatusOK {
		t.Errorf("user created during shutdown is missing after restart: status %d", st)
	}
}
