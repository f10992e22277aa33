package latchkey_test

import (
	"context"
	"fmt"
	"log"
	"net/http"

	latchkey "github.com/latchkeyhq/latchkey/sdk/go"
)

// The package documentation's example, kept compiling. (It has no Output
// line, so go test builds it but does not run it.)
func Example() {
	v, err := latchkey.NewVerifier(latchkey.Options{
		Issuer:            "https://auth.example.com",
		JWKSURL:           "https://auth.example.com/.well-known/jwks.json",
		AuthorizedParties: []string{"https://app.example.com"},
	})
	if err != nil {
		log.Fatal(err)
	}
	opts := latchkey.MiddlewareOptions{
		FrontendAPIURL: "https://app.example.com/__latchkey/v1",
		SignInURL:      "https://app.example.com/sign-in",
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		auth := latchkey.AuthFromContext(r.Context())
		if auth.SignedIn {
			fmt.Fprintf(w, "hello %s\n", auth.UserID)
		} else {
			fmt.Fprintln(w, "hello, stranger")
		}
	})
	mux.Handle("/dashboard/", latchkey.RequireSession(v, opts)(http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "dashboard of %s\n", latchkey.AuthFromContext(r.Context()).UserID)
		})))
	log.Fatal(http.ListenAndServe(":3000", latchkey.Middleware(v, opts)(mux)))
}

// Verifying a token from elsewhere (a queue message, a WebSocket
// handshake) with no network at all.
func ExampleVerifier_Verify() {
	v, err := latchkey.NewVerifier(latchkey.Options{
		Issuer: "https://auth.example.com",
		PublicKeyPEM: `-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEEVs/o5+uQbTjL3chynL4wXgUg2R9
q9UU8I5mEovUf86QZ7kOBIjJwqnzD1omageEHWwHdBO6B+dFabmdT9POxg==
-----END PUBLIC KEY-----`,
	})
	if err != nil {
		log.Fatal(err)
	}
	claims, reason := v.Verify(context.Background(), "eyJhbGciOiJub25lIn0.e30.")
	fmt.Println(claims == nil, reason)
	// Output: true session-token-alg-not-allowed
}

func ExampleClient() {
	c := latchkey.NewClient("https://auth.example.com", "sk_live_...", &http.Client{})
	users, err := c.Users.List(context.Background(), latchkey.UserListParams{EmailAddresses: []string{"ada@example.com"}})
	if err != nil {
		log.Fatal(err)
	}
	for _, u := range users.Data {
		fmt.Println(u.ID, u.PrimaryEmailAddress())
	}
}
