package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/latchkeyhq/latchkey"
)

// handlerFunc is an endpoint. It returns an error instead of writing one, so
// no handler can forget to return after an error: handle renders it.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

func (s *Server) handle(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}

// writeJSON writes v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only a programming error gets here (an unencodable type).
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, `{"errors":[{"code":"internal_error","message":"Something went wrong on our side. The error has been logged."}]}`)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// decodeJSON strictly decodes the request body into v: Content-Type must be
// JSON, the body at most maxBody bytes, one JSON value with no unknown fields.
// An empty body decodes as {} when allowEmpty.
func (s *Server) decodeJSON(r *http.Request, v any, allowEmpty bool) error {
	body, err := s.readBody(r)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		if allowEmpty {
			return nil
		}
		return latchkey.Errorf(latchkey.CodeRequestBodyInvalid, "", "The request body is empty; send a JSON object.")
	}
	return decodeStrict(body, v)
}

// readBody reads the bounded body and, if there is one, requires a JSON
// media type.
func (s *Server) readBody(r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, s.maxBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, latchkey.Errorf(latchkey.CodeRequestBodyTooLarge, "", "Request bodies are limited to %d bytes.", s.maxBody)
		}
		return nil, latchkey.Errorf(latchkey.CodeRequestBodyInvalid, "", "The request body could not be read.")
	}
	if len(body) > 0 {
		mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return nil, latchkey.NewError(latchkey.CodeUnsupportedMediaType, "")
		}
	}
	return body, nil
}

// decodeStrict decodes one JSON value into v, rejecting unknown fields,
// wrong types and trailing data with errors naming the parameter.
func decodeStrict(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if dec.More() {
		return latchkey.Errorf(latchkey.CodeRequestBodyInvalid, "", "The request body must hold exactly one JSON value.")
	}
	if _, err := dec.Token(); err != io.EOF {
		return latchkey.Errorf(latchkey.CodeRequestBodyInvalid, "", "The request body must hold exactly one JSON value.")
	}
	return nil
}

func decodeError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var own *latchkey.Error
	switch {
	case errors.As(err, &own):
		// A field's UnmarshalJSON (rawObject) already said what is wrong.
		return own
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return latchkey.Errorf(latchkey.CodeRequestBodyInvalid, "", "The request body is not valid JSON.")
	case errors.As(err, &typ):
		if typ.Field == "" {
			return latchkey.Errorf(latchkey.CodeRequestBodyInvalid, "", "The request body must be a JSON object.")
		}
		return latchkey.Errorf(latchkey.CodeFormParamInvalid, typ.Field, "%s must be a JSON %s.", typ.Field, jsonType(typ))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return latchkey.Errorf(latchkey.CodeFormParamUnknown, name, "%q is not a parameter of this endpoint.", truncate(name, 100))
	}
	return latchkey.Errorf(latchkey.CodeRequestBodyInvalid, "", "The request body could not be decoded.")
}

func jsonType(e *json.UnmarshalTypeError) string {
	switch e.Type.Kind().String() {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "slice", "array":
		return "array"
	case "struct", "map":
		return "object"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "float32", "float64":
		return "number"
	}
	return "value of another type"
}

// checkTextParams rejects a path ID or query value that is not UTF-8 text or
// holds a NUL character. No ID, identifier or search term contains one, and
// PostgreSQL refuses both in text parameters, which would otherwise surface
// as internal_error.
func checkTextParams(r *http.Request) error {
	if id := r.PathValue("id"); !isText(id) {
		return latchkey.Errorf(latchkey.CodeFormParamInvalid, "id", "id must be UTF-8 text without NUL characters.")
	}
	for k, vals := range r.URL.Query() {
		ok := isText(k)
		for _, v := range vals {
			ok = ok && isText(v)
		}
		if !ok {
			return latchkey.Errorf(latchkey.CodeFormParamInvalid, strings.ToValidUTF8(k, "\uFFFD"),
				"Query parameters must be UTF-8 text without NUL characters.")
		}
	}
	return nil
}

func isText(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }
