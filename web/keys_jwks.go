package web

import "net/http"

// jwks is GET /.well-known/jwks.json: the public keys that verify session
// tokens, including the next key before it signs anything. Public, cacheable
// for five minutes (verifiers refetch on an unknown kid anyway).
func (s *Server) jwks(w http.ResponseWriter, r *http.Request) error {
	body, err := s.keys.JWKS(r.Context())
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/jwk-set+json")
	h.Set("Cache-Control", "public, max-age=300")
	h.Set("Access-Control-Allow-Origin", "*")
	w.Write(body)
	return nil
}
