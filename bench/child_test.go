package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// binary builds cmd/latchkey once per test process, without -race, into a
// directory removed when the process ends (see TestMain).
// LATCHKEY_BENCH_BINARY names a binary to measure instead, such as a release
// build or a copy built from a quiet checkout.
var binary = sync.OnceValues(func() (string, error) {
	if path := os.Getenv("LATCHKEY_BENCH_BINARY"); path != "" {
		return filepath.Abs(path)
	}
	dir, err := os.MkdirTemp("", "latchkey-bench-bin-")
	if err != nil {
		return "", err
	}
	buildDir = dir
	path := filepath.Join(dir, "latchkey")
	cmd := exec.Command("go", "build", "-o", path, "github.com/latchkeyhq/latchkey/cmd/latchkey")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return path, nil
})

var buildDir string

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// child is one running `latchkey dev` process on 127.0.0.1:0.
type child struct {
	cmd       *exec.Cmd
	addr      string // host:port it listens on
	readyLine string // the "latchkey ready" log line
	log       *lockedBuffer
	done      chan struct{} // closed when the process has been waited for
	waitErr   error
}

// readyRE finds the listen address in the text log line runServer writes
// once the listener is open.
var readyRE = regexp.MustCompile(`msg="latchkey ready".* addr=(\S+)`)

// startChild execs the binary on dataDir and returns once it has logged its
// listen address (it then accepts connections). The caller stops it; a
// cleanup on tb kills it in any case.
func startChild(tb testing.TB, dataDir string) *child {
	tb.Helper()
	bin, err := binary()
	if err != nil {
		tb.Fatal(err)
	}
	c := &child{log: &lockedBuffer{}, done: make(chan struct{})}
	c.cmd = exec.Command(bin, "dev", "--addr", "127.0.0.1:0", "--data-dir", dataDir)
	c.cmd.Env = childEnv()
	stderr, err := c.cmd.StderrPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := c.cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.kill() })
	ready := make(chan string, 1)
	go func() {
		// Read every line, so the child never blocks on a full pipe.
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			c.log.appendLine(line)
			if m := readyRE.FindStringSubmatch(line); m != nil {
				select {
				case ready <- line:
				default:
				}
			}
		}
		io.Copy(io.Discard, stderr)
		c.waitErr = c.cmd.Wait()
		close(c.done)
	}()
	select {
	case line := <-ready:
		c.readyLine = line
		c.addr = readyRE.FindStringSubmatch(line)[1]
	case <-c.done:
		tb.Fatalf("latchkey exited before it was ready: %v\n%s", c.waitErr, c.log.tail())
	case <-time.After(20 * time.Second):
		tb.Fatalf("latchkey not ready after 20s\n%s", c.log.tail())
	}
	return c
}

// childEnv is the environment without any LATCHKEY_ variable of the
// caller's, so flags alone configure the child.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "LATCHKEY_") {
			env = append(env, kv)
		}
	}
	return env
}

// url returns the base URL of the child.
func (c *child) url() string { return "http://" + c.addr }

// startupMS returns the start-up time the child logged itself, or -1.
func (c *child) startupMS() float64 {
	m := regexp.MustCompile(`startup_ms=(\d+)`).FindStringSubmatch(c.readyLine)
	if m == nil {
		return -1
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	return v
}

// stop asks the child to shut down (SIGTERM) and waits up to 15 s, then
// kills it.
func (c *child) stop(tb testing.TB) {
	tb.Helper()
	c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(15 * time.Second):
		c.kill()
		tb.Fatalf("latchkey did not stop within 15s of SIGTERM\n%s", c.log.tail())
	}
	if c.waitErr != nil {
		tb.Fatalf("latchkey exited with %v\n%s", c.waitErr, c.log.tail())
	}
}

// kill ends the child at once if it still runs.
func (c *child) kill() {
	select {
	case <-c.done:
	default:
		c.cmd.Process.Kill()
		<-c.done
	}
}

// memory reads the child's current and peak resident set size in bytes
// from /proc/<pid>/status (VmRSS and VmHWM).
func (c *child) memory(tb testing.TB) (rss, hwm int64) {
	tb.Helper()
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", c.cmd.Process.Pid))
	if err != nil {
		tb.Fatalf("read child memory: %v", err)
	}
	rss, hwm, err = parseStatusMemory(raw)
	if err != nil {
		tb.Fatal(err)
	}
	return rss, hwm
}

// parseStatusMemory returns VmRSS and VmHWM, in bytes, from the text of a
// /proc/<pid>/status file.
func parseStatusMemory(status []byte) (rss, hwm int64, err error) {
	rss, hwm = -1, -1
	for line := range bytes.Lines(status) {
		name, value, ok := strings.Cut(string(line), ":")
		if !ok || (name != "VmRSS" && name != "VmHWM") {
			continue
		}
		f := strings.Fields(value)
		if len(f) != 2 || f[1] != "kB" {
			return 0, 0, fmt.Errorf("unexpected %s line %q", name, line)
		}
		kb, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("%s: %w", name, err)
		}
		if name == "VmRSS" {
			rss = kb << 10
		} else {
			hwm = kb << 10
		}
	}
	if rss < 0 || hwm < 0 {
		return 0, 0, errors.New("no VmRSS or VmHWM in /proc status (not Linux?)")
	}
	return rss, hwm, nil
}

// devKeys reads the keys `latchkey dev` wrote for scripts.
func devKeys(tb testing.TB, dataDir string) (secretKey string) {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join(dataDir, "dev-keys.json"))
	if err != nil {
		tb.Fatal(err)
	}
	var keys struct {
		SecretKey string `json:"secret_key"`
	}
	if err := json.Unmarshal(raw, &keys); err != nil || keys.SecretKey == "" {
		tb.Fatalf("dev-keys.json has no secret_key (%v): %s", err, raw)
	}
	return keys.SecretKey
}

// get sends GET url and returns the status.
func get(ctx context.Context, client *http.Client, url string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	return do(client, req)
}

// do sends req and returns the status, reading the whole body so the
// connection can be reused.
func do(client *http.Client, req *http.Request) (int, error) {
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return 0, err
	}
	return resp.StatusCode, nil
}

// lockedBuffer keeps the last lines of the child's log for error messages.
type lockedBuffer struct {
	mu    sync.Mutex
	lines []string
}

func (b *lockedBuffer) appendLine(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.lines) == 200 {
		b.lines = append(b.lines[:0], b.lines[100:]...)
	}
	b.lines = append(b.lines, s)
}

func (b *lockedBuffer) tail() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := max(0, len(b.lines)-30)
	return strings.Join(b.lines[n:], "\n")
}
