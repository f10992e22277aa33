package webhook

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

// FuzzVerify feeds arbitrary header values and bodies to Verify. It must
// never panic, must accept only what it can prove (a request it accepts
// carries a v1 signature equal to ours over the same id, timestamp and body),
// and must always accept the request it signed itself.
func FuzzVerify(f *testing.F) {
	f.Add(vectorMsgID, strconv.Itoa(vectorTimestamp), vectorSignature, []byte(vectorPayload))
	f.Add("evt_1", "1700000000", "v1a,abc v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v2", []byte("{}"))
	f.Add("", "", "", []byte(nil))
	f.Add("a.b", "-1", "v1, v1,,", []byte("x"))
	f.Add("id", "99999999999999999999", "v1,"+vectorSignature[3:], []byte{0xff})
	f.Fuzz(func(t *testing.T, msgID, ts, sig string, body []byte) {
		secrets := []string{vectorSecret}
		now := time.Unix(vectorTimestamp, 0)
		h := http.Header{}
		h.Set(HeaderID, msgID)
		h.Set(HeaderTimestamp, ts)
		h.Set(HeaderSignature, sig)
		if err := Verify(secrets, h, body, now); err == nil {
			// Accepted: the id, timestamp and body must be the signed ones.
			id, n, sigs, perr := parseHeaders(h)
			if perr != nil {
				t.Fatalf("accepted headers that do not parse: %v", perr)
			}
			want, _ := Sign(vectorSecret, id, time.Unix(n, 0), body)
			found := false
			for _, s := range sigs {
				found = found || "v1,"+s == want
			}
			if !found {
				t.Fatalf("accepted %q without a matching signature", sig)
			}
		}
		if msgID == "" {
			return
		}
		good, err := Headers(msgID, now, body, secrets...)
		if err != nil {
			t.Fatal(err)
		}
		if err := Verify(secrets, good, body, now); err != nil {
			t.Fatalf("refused our own signature for id %q: %v", msgID, err)
		}
	})
}
