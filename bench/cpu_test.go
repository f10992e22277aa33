package bench

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// userHZ is the unit of the times in /proc/stat and /proc/<pid>/stat. It is
// 100 on every Linux this runs on (sysconf(_SC_CLK_TCK) needs cgo).
const userHZ = 100

// cpuTimes is the CPU time used so far by the whole machine, by this
// process and by the child, read at one moment. On a shared machine the
// difference says how much of the CPU other processes took during a
// measurement, which skews every wall-clock figure.
type cpuTimes struct {
	at                   time.Time
	machine, self, child time.Duration
}

func readCPU(tb testing.TB, childPID int) cpuTimes {
	tb.Helper()
	t := cpuTimes{at: time.Now(), self: processCPU()}
	raw, err := os.ReadFile("/proc/stat")
	if err != nil {
		tb.Fatal(err)
	}
	if t.machine, err = parseMachineBusy(raw); err != nil {
		tb.Fatal(err)
	}
	raw, err = os.ReadFile(fmt.Sprintf("/proc/%d/stat", childPID))
	if err != nil {
		tb.Fatal(err)
	}
	if t.child, err = parseProcessCPU(raw); err != nil {
		tb.Fatal(err)
	}
	return t
}

// othersShare is the share of the machine's CPU capacity between a and b
// that neither this process nor the child used.
func othersShare(a, b cpuTimes) float64 {
	others := (b.machine - a.machine) - (b.self - a.self) - (b.child - a.child)
	capacity := b.at.Sub(a.at) * time.Duration(runtime.NumCPU())
	return max(0, float64(others)/float64(capacity))
}

// parseMachineBusy returns the busy time of all CPUs from the first line of
// /proc/stat: everything but idle and iowait (steal counts as busy: the
// hypervisor gave the time to someone else).
func parseMachineBusy(stat []byte) (time.Duration, error) {
	line, _, _ := strings.Cut(string(stat), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return 0, fmt.Errorf("unexpected /proc/stat line %q", line)
	}
	var busy int64
	for i, name := range []string{"user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"} {
		v, err := strconv.ParseInt(f[i+1], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/stat %s: %w", name, err)
		}
		if name != "idle" && name != "iowait" {
			busy += v
		}
	}
	return time.Duration(busy) * time.Second / userHZ, nil
}

// parseProcessCPU returns utime + stime from a /proc/<pid>/stat line. The
// command name, field 2, may hold spaces, so fields count from its ')'.
func parseProcessCPU(stat []byte) (time.Duration, error) {
	s := string(stat)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, fmt.Errorf("unexpected /proc/<pid>/stat %q", s)
	}
	f := strings.Fields(s[i+1:]) // f[0] is field 3 (state)
	if len(f) < 13 {
		return 0, fmt.Errorf("unexpected /proc/<pid>/stat %q", s)
	}
	var sum int64
	for _, v := range f[11:13] { // fields 14 (utime) and 15 (stime)
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/<pid>/stat: %w", err)
		}
		sum += n
	}
	return time.Duration(sum) * time.Second / userHZ, nil
}

func TestParseCPU(t *testing.T) {
	t.Parallel()
	busy, err := parseMachineBusy([]byte("cpu  100 5 50 1000 20 3 2 10 0 0\ncpu0 1 2 3 4 5 6 7 8 9 10\n"))
	if want := 170 * time.Second / userHZ; err != nil || busy != want {
		t.Errorf("parseMachineBusy = %v, %v; want %v", busy, err, want)
	}
	proc, err := parseProcessCPU([]byte("1234 (lat chkey) S 1 1234 1234 0 -1 4194560 500 0 0 0 70 30 0 0 20 0 7 0 100 0 0"))
	if want := 100 * time.Second / userHZ; err != nil || proc != want {
		t.Errorf("parseProcessCPU = %v, %v; want %v", proc, err, want)
	}
}
