package web

import (
	"bytes"
	"html/template"
	"net/http"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/mail"
)

// The dev inbox (dev mode only): every message the instance would have
// mailed, newest first, so people and tests can finish flows without a mail
// server. It shows codes and links in the clear, which is why it must never
// be routed outside dev mode.

// devMessageJSON is one message in GET /dev/inbox.json.
type devMessageJSON struct {
	ID        string            `json:"id"`
	To        string            `json:"to"`
	Subject   string            `json:"subject"`
	Kind      string            `json:"kind"`
	Text      string            `json:"text"`
	HTML      string            `json:"html"`
	Codes     []string          `json:"codes"`
	Links     []string          `json:"links"`
	Data      map[string]string `json:"data"`
	CreatedAt int64             `json:"created_at"`
}

// devInboxMessages returns the inbox's messages, newest first, filtered by
// the optional ?to= (compared without case or display name). Other query
// parameters are refused so a typo does not silently show everything.
func devInboxMessages(inbox *mail.Inbox, r *http.Request) ([]mail.Message, error) {
	if err := checkTextParams(r); err != nil {
		return nil, err
	}
	q := r.URL.Query()
	for k := range q {
		if k != "to" {
			return nil, latchkey.Errorf(latchkey.CodeFormParamUnknown, k, "%q is not a query parameter of this endpoint.", truncate(k, 100))
		}
	}
	msgs := inbox.Messages()
	if to := q.Get("to"); to != "" {
		kept := msgs[:0]
		for _, m := range msgs {
			if mail.SameAddress(m.To, to) {
				kept = append(kept, m)
			}
		}
		msgs = kept
	}
	return msgs, nil
}

// devInboxJSON is GET /dev/inbox.json.
func devInboxJSON(inbox *mail.Inbox) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		msgs, err := devInboxMessages(inbox, r)
		if err != nil {
			return err
		}
		out := listJSON[devMessageJSON]{Data: make([]devMessageJSON, 0, len(msgs)), TotalCount: len(msgs)}
		for _, m := range msgs {
			j := devMessageJSON{ID: m.ID, To: m.To, Subject: m.Subject, Kind: m.Kind, Text: m.Text, HTML: m.HTML,
				Codes: m.Codes, Links: m.Links, Data: m.Data, CreatedAt: m.CreatedAt.UnixMilli()}
			// Always arrays and an object, never null, so clients can
			// index without checking.
			if j.Codes == nil {
				j.Codes = []string{}
			}
			if j.Links == nil {
				j.Links = []string{}
			}
			if j.Data == nil {
				j.Data = map[string]string{}
			}
			out.Data = append(out.Data, j)
		}
		writeJSON(w, http.StatusOK, out)
		return nil
	}
}

// devInboxHTML is GET /dev/inbox: the same messages as a page a person can
// read. It refreshes itself every few seconds and needs no script.
func devInboxHTML(inbox *mail.Inbox) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		msgs, err := devInboxMessages(inbox, r)
		if err != nil {
			return err
		}
		type item struct {
			mail.Message
			When string
		}
		page := struct {
			To       string
			Messages []item
		}{To: r.URL.Query().Get("to")}
		for _, m := range msgs {
			page.Messages = append(page.Messages, item{m, m.CreatedAt.UTC().Format(time.DateTime + " UTC")})
		}
		var buf bytes.Buffer
		if err := devInboxPage.Execute(&buf, page); err != nil {
			return err
		}
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		// The page has inline styles and nothing else: no script, no
		// images, no frames, no forms posting anywhere.
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
		w.WriteHeader(http.StatusOK)
		w.Write(buf.Bytes())
		return nil
	}
}

var devInboxPage = template.Must(template.New("inbox").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="5">
<title>Dev inbox · Latchkey</title>
<style>
body{margin:0;padding:24px;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f4f4f5;color:#18181b}
main{max-width:860px;margin:0 auto}
h1{font-size:22px;margin:0 0 4px}
.note{color:#52525b;margin:0 0 24px}
article{background:#fff;border:1px solid #e4e4e7;border-radius:8px;padding:16px 20px;margin:0 0 16px}
h2{font-size:17px;margin:0 0 4px}
.meta{color:#52525b;font-size:13px;margin:0 0 12px}
.kind{display:inline-block;background:#f4f4f5;border-radius:4px;padding:0 6px;font-family:ui-monospace,monospace}
.code{display:inline-block;font:700 22px/1.4 ui-monospace,Menlo,monospace;letter-spacing:3px;background:#f4f4f5;border-left:4px solid #18181b;padding:4px 12px;margin:0 8px 8px 0}
ul{margin:0 0 12px;padding-left:20px}
a{color:#1d4ed8;word-break:break-all}
pre{white-space:pre-wrap;word-break:break-word;background:#fafafa;border:1px solid #e4e4e7;border-radius:6px;padding:12px;margin:0;font:13px/1.5 ui-monospace,Menlo,monospace}
</style>
</head>
<body>
<main>
<h1>Dev inbox</h1>
<p class="note">{{len .Messages}} message{{if ne (len .Messages) 1}}s{{end}}{{with .To}} to {{.}}{{end}}, newest first. Mail is kept in memory and not sent. This page refreshes every 5 seconds; <a href="inbox.json{{with .To}}?to={{.}}{{end}}">JSON</a>.</p>
{{range .Messages}}
<article id="{{.ID}}">
<h2>{{.Subject}}</h2>
<p class="meta">To {{.To}} · <time datetime="{{.CreatedAt.UTC.Format "2006-01-02T15:04:05Z07:00"}}">{{.When}}</time>{{with .Kind}} · <span class="kind">{{.}}</span>{{end}}</p>
{{range .Codes}}<span class="code">{{.}}</span>{{end}}
{{with .Links}}<ul>{{range .}}<li><a href="{{.}}" rel="noreferrer">{{.}}</a></li>{{end}}</ul>{{end}}
<pre>{{.Text}}</pre>
</article>
{{else}}
<p>No mail yet. Sign up or ask for a code, and it appears here.</p>
{{end}}
</main>
</body>
</html>
`))
