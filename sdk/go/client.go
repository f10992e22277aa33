package latchkey

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Client calls the Backend API (<server>/api/v1) with a secret key. It is
// safe for concurrent use. The Backend API is for servers only: never ship
// a secret key to a browser.
type Client struct {
	// Users manages users.
	Users *UsersService
	// Sessions lists and revokes sessions.
	Sessions *SessionsService

	base   string // <server>/api/v1, no trailing slash
	key    string
	client *http.Client
}

// maxResponseBytes bounds what the client reads of one response.
const maxResponseBytes = 16 << 20

// NewClient returns a Backend API client for the server at baseURL
// ("https://auth.example.com"; a URL already ending in /api/v1 is used as
// is) with secretKey ("sk_..."). A nil httpClient means
// http.DefaultClient; pass one with a timeout in production.
func NewClient(baseURL, secretKey string, httpClient *http.Client) *Client {
	if httpClient == nil {
		httpClient = http.DefaultClient
	}
	base := strings.TrimRight(baseURL, "/")
	if !strings.HasSuffix(base, "/api/v1") {
		base += "/api/v1"
	}
	c := &Client{base: base, key: secretKey, client: httpClient}
	c.Users = &UsersService{c: c}
	c.Sessions = &SessionsService{c: c}
	return c
}

// APIError is an error answer of the Backend API. Code, Message,
// LongMessage and Param are those of the first error in the body; Errors
// holds them all.
type APIError struct {
	// Status is the HTTP status code.
	Status int
	// Code is the stable error code, e.g. "resource_not_found"; empty when
	// the body was not the Backend API's (a proxy's error page).
	Code        string
	Message     string
	LongMessage string
	// Param names the offending parameter, if any.
	Param string
	// TraceID identifies the request in the server's logs.
	TraceID string
	// Errors are all the errors of the response.
	Errors []APIErrorItem
}

// APIErrorItem is one entry of an error response.
type APIErrorItem struct {
	Code        string `json:"code"`
	Message     string `json:"message"`
	LongMessage string `json:"long_message"`
	Meta        struct {
		ParamName string `json:"param_name"`
	} `json:"meta"`
}

// Error formats the status, code, message, parameter and trace id; never
// the secret key.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "latchkey: backend api: %d", e.Status)
	if e.Code != "" {
		b.WriteString(" " + e.Code)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.Param != "" {
		b.WriteString(" (param " + e.Param + ")")
	}
	if e.TraceID != "" {
		b.WriteString(" [trace " + e.TraceID + "]")
	}
	return b.String()
}

// IsNotFound reports whether err is an APIError with status 404.
func IsNotFound(err error) bool {
	var e *APIError
	return errors.As(err, &e) && e.Status == http.StatusNotFound
}

// do sends one request and decodes a 2xx JSON answer into out.
func (c *Client) do(ctx context.Context, method, path string, query url.Values, in, out any) error {
	u := c.base + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("latchkey: encode %s %s: %w", method, path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return fmt.Errorf("latchkey: %s %s: %w", method, path, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "latchkey-go")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return fmt.Errorf("latchkey: %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return fmt.Errorf("latchkey: %s %s: read response: %w", method, path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return newAPIError(resp.StatusCode, b)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("latchkey: %s %s: decode response: %w", method, path, err)
	}
	return nil
}

func newAPIError(status int, body []byte) *APIError {
	e := &APIError{Status: status}
	var wire struct {
		Errors  []APIErrorItem `json:"errors"`
		TraceID string         `json:"trace_id"`
	}
	if json.Unmarshal(body, &wire) == nil && len(wire.Errors) > 0 {
		first := wire.Errors[0]
		e.Code, e.Message, e.LongMessage, e.Param = first.Code, first.Message, first.LongMessage, first.Meta.ParamName
		e.TraceID, e.Errors = wire.TraceID, wire.Errors
		return e
	}
	e.Message = http.StatusText(status)
	return e
}

// pathID escapes a resource id for a path, refusing an empty one (which
// would silently address the collection instead).
func pathID(kind, id string) (string, error) {
	if id == "" {
		return "", fmt.Errorf("latchkey: empty %s id", kind)
	}
	return url.PathEscape(id), nil
}
