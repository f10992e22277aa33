package oauth

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/latchkeyhq/latchkey"
)

// githubServer is a loopback plain OAuth 2.0 provider shaped like GitHub:
// an authorize endpoint that approves at once, a token endpoint that checks
// the client, the redirect URI, the one-time code and the PKCE verifier,
// and the /user and /user/emails APIs. It also serves the same flow under
// the test IdP's paths (/authorize, /token, /userinfo).
type githubServer struct {
	URL    string
	user   map[string]any
	emails []map[string]any

	mu    sync.Mutex
	codes map[string]url.Values // code -> the authorization request
	n     int
}

const (
	ghClientID     = "gh-client"
	ghClientSecret = "gh-secret-value"
	ghAccessToken  = "gho_accesstoken"
)

func startGitHub(t *testing.T, user map[string]any, emails []map[string]any) *githubServer {
	t.Helper()
	g := &githubServer{user: user, emails: emails, codes: map[string]url.Values{}}
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	g.URL = srv.URL
	authorize := func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("client_id") != ghClientID || q.Get("response_type") != "code" || q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" {
			http.Error(w, "bad authorization request", http.StatusBadRequest)
			return
		}
		g.mu.Lock()
		g.n++
		code := "code-" + string(rune('a'+g.n))
		g.codes[code] = q
		g.mu.Unlock()
		http.Redirect(w, r, q.Get("redirect_uri")+"?code="+code+"&state="+url.QueryEscape(q.Get("state")), http.StatusFound)
	}
	token := func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		id, secret, ok := r.BasicAuth()
		if !ok {
			id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
		}
		w.Header().Set("Content-Type", "application/json")
		fail := func(code string) {
			// GitHub answers token errors with status 200.
			json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": "no"})
		}
		if id != ghClientID || secret != ghClientSecret {
			fail("incorrect_client_credentials")
			return
		}
		g.mu.Lock()
		req, found := g.codes[r.PostForm.Get("code")]
		delete(g.codes, r.PostForm.Get("code"))
		g.mu.Unlock()
		if !found || req.Get("redirect_uri") != r.PostForm.Get("redirect_uri") {
			fail("bad_verification_code")
			return
		}
		if s256(r.PostForm.Get("code_verifier")) != req.Get("code_challenge") {
			fail("invalid_grant")
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"access_token": ghAccessToken, "token_type": "bearer", "scope": "read:user,user:email"})
	}
	api := func(v func() any) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "Bearer "+ghAccessToken {
				http.Error(w, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(v())
		}
	}
	mux.HandleFunc("/login/oauth/authorize", authorize)
	mux.HandleFunc("/login/oauth/access_token", token)
	mux.HandleFunc("/user", api(func() any { return g.user }))
	mux.HandleFunc("/user/emails", func(w http.ResponseWriter, r *http.Request) {
		if g.emails == nil { // as without the user:email scope
			http.Error(w, `{"message":"Not Found"}`, http.StatusNotFound)
			return
		}
		api(func() any { return g.emails })(w, r)
	})
	mux.HandleFunc("/authorize", authorize)
	mux.HandleFunc("/token", token)
	mux.HandleFunc("/userinfo", api(func() any { return g.user }))
	return g
}

// run drives the authorization round trip and Finish.
func (g *githubServer) run(t *testing.T, p *Provider) (*Result, error) {
	t.Helper()
	st, err := p.Start(context.Background(), testRedirectURI)
	if err != nil {
		t.Fatal(err)
	}
	if st.Nonce != "" {
		t.Error("a plain OAuth 2.0 provider got a nonce")
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(st.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize: status %d, %v", resp.StatusCode, err)
	}
	if loc.Query().Get("state") != st.State {
		t.Fatal("state not returned")
	}
	code, err := ParseCallback(loc.Query())
	if err != nil {
		t.Fatal(err)
	}
	return p.Finish(context.Background(), FinishParams{RedirectURI: testRedirectURI, Code: code, CodeVerifier: st.CodeVerifier})
}

var ghUser = map[string]any{
	"id": json.Number("5827154"), "login": "octocat", "name": "Mona Lisa Octocat",
	"email": nil, "avatar_url": "https://avatars.example/u/5827154",
}

func newGitHubProvider(t *testing.T, g *githubServer) *Provider {
	t.Helper()
	p, err := New(latchkey.OAuthProvider{ID: "github", Type: latchkey.OAuthGitHub, ClientID: ghClientID, ClientSecret: ghClientSecret},
		Options{HTTPClient: loopbackClient(), Endpoints: Endpoints{
			AuthURL: g.URL + "/login/oauth/authorize", TokenURL: g.URL + "/login/oauth/access_token", UserInfoURL: g.URL + "/user",
		}})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestGitHub(t *testing.T) {
	tests := []struct {
		name   string
		emails []map[string]any
		email  string
		ok     bool
	}{
		{"private primary verified", []map[string]any{
			{"email": "other@example.com", "primary": false, "verified": true},
			{"email": "Octo@GitHub.example", "primary": true, "verified": true},
		}, "Octo@github.example", true},
		{"primary unverified", []map[string]any{
			{"email": "octo@github.example", "primary": true, "verified": false},
			{"email": "other@example.com", "primary": false, "verified": true},
		}, "", false},
		{"no emails", []map[string]any{}, "", false},
		{"emails refused: public email kept, unverified", nil, "octo@public.example", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := startGitHub(t, with(ghUser, "email", "octo@public.example"), tt.emails)
			res, err := g.run(t, newGitHubProvider(t, g))
			if err != nil {
				t.Fatal(err)
			}
			want := Profile{
				ProviderUserID: "5827154", Email: tt.email, EmailVerified: tt.ok,
				FirstName: "Mona", LastName: "Lisa Octocat", Name: "Mona Lisa Octocat", Username: "octocat",
				AvatarURL: "https://avatars.example/u/5827154",
			}
			if diff := cmp.Diff(want, res.Profile); diff != "" {
				t.Errorf("profile (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"read:user", "user:email"}, res.Token.Scopes); diff != "" {
				t.Errorf("scopes (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGitHubTokenErrors(t *testing.T) {
	g := startGitHub(t, ghUser, nil)
	p := newGitHubProvider(t, g)
	// An unknown code: GitHub says so with status 200 and an error field.
	_, err := p.Finish(context.Background(), FinishParams{RedirectURI: testRedirectURI, Code: "never-issued", CodeVerifier: "v"})
	e := wantCode(t, err, latchkey.CodeOAuthTokenExchange)
	if !strings.Contains(e.LongMessage, "bad_verification_code") {
		t.Errorf("long message %q lacks the provider's error code", e.LongMessage)
	}

	wrong, err := New(latchkey.OAuthProvider{ID: "github", Type: latchkey.OAuthGitHub, ClientID: ghClientID, ClientSecret: "wrong"},
		Options{HTTPClient: loopbackClient(), Endpoints: Endpoints{AuthURL: g.URL + "/login/oauth/authorize", TokenURL: g.URL + "/login/oauth/access_token", UserInfoURL: g.URL + "/user"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = g.run(t, wrong)
	e = wantCode(t, err, latchkey.CodeOAuthTokenExchange)
	if strings.Contains(e.Error(), "wrong") {
		t.Errorf("error shows the client secret: %v", e)
	}
}

func TestCustomOAuth2Mapping(t *testing.T) {
	user := map[string]any{
		"data": map[string]any{
			"uid":     json.Number("42"),
			"profile": map[string]any{"mail": "Linus@Example.org", "mail_ok": "true", "given": "Linus", "family": "T"},
			"photos":  []any{map[string]any{"url": "https://img.example/42.png"}},
			"handle":  "torvalds",
		},
	}
	g := startGitHub(t, user, nil)
	p, err := New(latchkey.OAuthProvider{
		ID: "custom_acme", Type: latchkey.OAuthOAuth2, ClientID: ghClientID, ClientSecret: ghClientSecret,
		AuthURL: g.URL + "/authorize", TokenURL: g.URL + "/token", UserInfoURL: g.URL + "/userinfo",
		Scopes: []string{"profile"},
		Mapping: latchkey.OAuthFieldMapping{
			ID: "data.uid", Email: "data.profile.mail", EmailVerified: "data.profile.mail_ok",
			FirstName: "data.profile.given", LastName: "data.profile.family",
			AvatarURL: "data.photos.0.url", Username: "data.handle",
		},
	}, Options{HTTPClient: loopbackClient()})
	if err != nil {
		t.Fatal(err)
	}
	res, err := g.run(t, p)
	if err != nil {
		t.Fatal(err)
	}
	want := Profile{
		ProviderUserID: "42", Email: "Linus@example.org", EmailVerified: true,
		FirstName: "Linus", LastName: "T", Username: "torvalds", AvatarURL: "https://img.example/42.png",
	}
	if diff := cmp.Diff(want, res.Profile); diff != "" {
		t.Errorf("profile (-want +got):\n%s", diff)
	}
}

func TestTestIdP(t *testing.T) {
	g := startGitHub(t, map[string]any{"id": "test_user_1", "email": "dev@example.com", "email_verified": false, "name": "Dev Eloper"}, nil)
	p, err := New(latchkey.OAuthProvider{ID: "latchkey_test", Type: latchkey.OAuthTestIdP, ClientID: ghClientID, ClientSecret: ghClientSecret},
		Options{HTTPClient: loopbackClient(), TestIdPBaseURL: g.URL + "/"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := g.run(t, p)
	if err != nil {
		t.Fatal(err)
	}
	want := Profile{ProviderUserID: "test_user_1", Email: "dev@example.com", Name: "Dev Eloper", FirstName: "Dev", LastName: "Eloper"}
	if diff := cmp.Diff(want, res.Profile); diff != "" {
		t.Errorf("profile (-want +got):\n%s", diff)
	}
}

func TestProviderProfiles(t *testing.T) {
	tests := []struct {
		name     string
		profile  profileFunc
		userinfo string
		want     Profile
	}{
		{"discord", discordProfile,
			`{"id":"80351110224678912","username":"nelly","global_name":"Nelly","avatar":"8342729096ea3675442027381ff50dfe","verified":true,"email":"nelly@discord.example"}`,
			Profile{ProviderUserID: "80351110224678912", Email: "nelly@discord.example", EmailVerified: true, Name: "Nelly", FirstName: "Nelly", Username: "nelly",
				AvatarURL: "https://cdn.discordapp.com/avatars/80351110224678912/8342729096ea3675442027381ff50dfe.png"}},
		{"discord unverified, odd avatar", discordProfile,
			`{"id":"1","username":"x","avatar":"../../evil","verified":false,"email":"x@discord.example"}`,
			Profile{ProviderUserID: "1", Email: "x@discord.example", Name: "x", FirstName: "x", Username: "x"}},
		{"facebook", facebookProfile,
			`{"id":"10158","name":"Mark Z","first_name":"Mark","last_name":"Z","email":"mark@fb.example","picture":{"data":{"url":"https://fb.example/p.jpg"}}}`,
			Profile{ProviderUserID: "10158", Email: "mark@fb.example", EmailVerified: true, FirstName: "Mark", LastName: "Z", Name: "Mark Z", AvatarURL: "https://fb.example/p.jpg"}},
		{"facebook without email", facebookProfile, `{"id":"10158","name":"Mark Z"}`,
			Profile{ProviderUserID: "10158", Name: "Mark Z", FirstName: "Mark", LastName: "Z"}},
		{"x", xProfile,
			`{"data":{"id":"2244994945","name":"X Dev","username":"XDevelopers","profile_image_url":"https://pbs.example/x.jpg","email":"ignored@x.example"}}`,
			Profile{ProviderUserID: "2244994945", Name: "X Dev", FirstName: "X", LastName: "Dev", Username: "XDevelopers", AvatarURL: "https://pbs.example/x.jpg"}},
		{"invalid email dropped", facebookProfile, `{"id":"1","email":"not an email"}`, Profile{ProviderUserID: "1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := decodeJSON([]byte(tt.userinfo))
			if err != nil {
				t.Fatal(err)
			}
			got, err := tt.profile(context.Background(), nil, profileSource{userinfo: doc})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, finishProfile(got)); diff != "" {
				t.Errorf("profile (-want +got):\n%s", diff)
			}
		})
	}
}
