package token

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/google/go-cmp/cmp"
	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/seal"
	"github.com/latchkeyhq/latchkey/sqlstore"
	"github.com/latchkeyhq/latchkey/sqlstore/storetest"
)

// clock is a settable time source shared by a store and its keyrings.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

type fixture struct {
	store *sqlstore.Store
	box   *seal.Box
	clock *clock
}

// eachEngine runs fn as a parallel subtest on a fresh store per engine, with
// the store's clock under the test's control.
func eachEngine(t *testing.T, fn func(t *testing.T, f *fixture)) {
	t.Helper()
	for _, engine := range storetest.Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			s := storetest.Open(t, engine)
			c := &clock{now: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)}
			s.SetClock(c.Now)
			fn(t, &fixture{store: s, box: newBox(t), clock: c})
		})
	}
}

func newBox(t *testing.T) *seal.Box {
	t.Helper()
	key, err := seal.ParseKey(seal.GenerateKey())
	if err != nil {
		t.Fatal(err)
	}
	b, err := seal.New(key)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// keyring returns a keyring over the fixture's store that reads its clock.
func (f *fixture) keyring(box *seal.Box) *Keyring {
	k := NewKeyring(f.store, box)
	k.now = f.clock.Now
	return k
}

// jwksKey is one key of the JWKS as it appears on the wire.
type jwksKey map[string]any

// parseJWKS decodes the JWKS twice: as raw JSON, to check the members on
// the wire, and with go-jose, to get usable keys.
func parseJWKS(t *testing.T, raw []byte) (map[string]jwksKey, jose.JSONWebKeySet) {
	t.Helper()
	var doc struct {
		Keys []jwksKey `json:"keys"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("JWKS is not JSON: %v\n%s", err, raw)
	}
	byKid := map[string]jwksKey{}
	for _, k := range doc.Keys {
		kid, _ := k["kid"].(string)
		if _, dup := byKid[kid]; dup {
			t.Errorf("kid %q published twice", kid)
		}
		byKid[kid] = k
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(raw, &set); err != nil {
		t.Fatalf("go-jose cannot read the JWKS: %v", err)
	}
	return byKid, set
}

func kids(m map[string]jwksKey) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// storedKeys returns the store's keys by state (retired keys of any age).
func storedKeys(t *testing.T, f *fixture) map[string][]string {
	t.Helper()
	keys, err := f.store.SigningKeys(context.Background(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, k := range keys {
		out[k.State] = append(out[k.State], k.ID)
	}
	for _, ids := range out {
		slices.Sort(ids)
	}
	return out
}

func jwks(t *testing.T, k *Keyring) []byte {
	t.Helper()
	raw, err := k.JWKS(context.Background())
	if err != nil {
		t.Fatalf("JWKS: %v", err)
	}
	return raw
}

func current(t *testing.T, k *Keyring) (*ecdsa.PrivateKey, string) {
	t.Helper()
	priv, kid, err := k.Current(context.Background())
	if err != nil {
		t.Fatalf("Current: %v", err)
	}
	return priv, kid
}

// signJWT signs claims as a compact JWS with go-jose, as the session issuer
// will.
func signJWT(t *testing.T, priv *ecdsa.PrivateKey, kid string) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: priv, KeyID: kid}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	obj, err := signer.Sign([]byte(`{"sub":"user_1","sid":"sess_1"}`))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := obj.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// verifyJWT verifies tok against a JWKS the way a networkless verifier does:
// ES256 only, key chosen by the kid header.
func verifyJWT(raw []byte, tok string) error {
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(raw, &set); err != nil {
		return err
	}
	jws, err := jose.ParseSigned(tok, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		return err
	}
	keys := set.Key(jws.Signatures[0].Header.KeyID)
	if len(keys) != 1 {
		return errors.New("kid not in the JWKS")
	}
	payload, err := jws.Verify(keys[0].Key)
	if err != nil {
		return err
	}
	if string(payload) != `{"sub":"user_1","sid":"sess_1"}` {
		return errors.New("payload changed")
	}
	return nil
}

func TestNewSigningKey(t *testing.T) {
	t.Parallel()
	box := newBox(t)
	k, err := NewSigningKey(box)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(k.ID, latchkey.PrefixSigningKey+"_") || k.Algorithm != "ES256" {
		t.Errorf("key ID %q algorithm %q, want kid_... and ES256", k.ID, k.Algorithm)
	}
	pub, err := x509.ParsePKIXPublicKey(k.PublicKeyDER)
	if err != nil {
		t.Fatal(err)
	}
	ecPub, ok := pub.(*ecdsa.PublicKey)
	if !ok || ecPub.Curve != elliptic.P256() {
		t.Fatalf("public key %T, want a P-256 ECDSA key", pub)
	}
	der, err := box.Open(k.EncryptedPrivateKey, []byte("signing_key:"+k.ID))
	if err != nil {
		t.Fatalf("private key does not open with its kid as additional data: %v", err)
	}
	priv, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		t.Fatal(err)
	}
	if !ecPub.Equal(priv.(*ecdsa.PrivateKey).Public()) {
		t.Error("sealed private key does not match the public key")
	}
	if strings.Contains(string(k.EncryptedPrivateKey), string(der)) {
		t.Error("private key stored in the clear")
	}
	// A sealed key copied onto another row does not open there.
	if _, err := box.Open(k.EncryptedPrivateKey, []byte("signing_key:kid_other")); !errors.Is(err, seal.ErrOpen) {
		t.Errorf("Open with another kid = %v, want ErrOpen", err)
	}
	k2, err := NewSigningKey(box)
	if err != nil {
		t.Fatal(err)
	}
	if k2.ID == k.ID || string(k2.PublicKeyDER) == string(k.PublicKeyDER) {
		t.Error("two new signing keys share an ID or key")
	}
}

func TestInit(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		k := f.keyring(f.box)
		if err := k.Init(ctx); err != nil {
			t.Fatalf("Init: %v", err)
		}
		st := storedKeys(t, f)
		if len(st[latchkey.KeyStateCurrent]) != 1 || len(st[latchkey.KeyStateNext]) != 1 || len(st) != 2 {
			t.Fatalf("stored keys after Init = %v, want one current and one next", st)
		}
		cur, next := st[latchkey.KeyStateCurrent][0], st[latchkey.KeyStateNext][0]
		byKid, _ := parseJWKS(t, jwks(t, k))
		if diff := cmp.Diff([]string{cur, next}, kids(byKid), cmpSorted); diff != "" {
			t.Errorf("JWKS kids (-want +got):\n%s", diff)
		}
		if _, kid := current(t, k); kid != cur {
			t.Errorf("Current kid = %q, want the stored current key %q", kid, cur)
		}

		// A second Init, by this keyring or by another process, keeps the keys.
		if err := k.Init(ctx); err != nil {
			t.Fatalf("second Init: %v", err)
		}
		other := f.keyring(f.box)
		if err := other.Init(ctx); err != nil {
			t.Fatalf("Init by a second keyring: %v", err)
		}
		if diff := cmp.Diff(st, storedKeys(t, f)); diff != "" {
			t.Errorf("stored keys changed by a second Init (-before +after):\n%s", diff)
		}
		for _, kr := range []*Keyring{k, other} {
			if _, kid := current(t, kr); kid != cur {
				t.Errorf("Current kid after second Init = %q, want %q", kid, cur)
			}
		}
		if string(jwks(t, other)) != string(jwks(t, k)) {
			t.Error("two keyrings over one store publish different JWKS")
		}
	})
}

var cmpSorted = cmp.Transformer("sorted", func(in []string) []string {
	out := slices.Clone(in)
	slices.Sort(out)
	return out
})

func TestJWKSFormat(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, f *fixture) {
		k := f.keyring(f.box)
		if err := k.Init(context.Background()); err != nil {
			t.Fatal(err)
		}
		if err := k.Rotate(context.Background()); err != nil {
			t.Fatal(err)
		}
		raw := jwks(t, k)
		byKid, set := parseJWKS(t, raw)
		st := storedKeys(t, f)
		want := slices.Concat(st[latchkey.KeyStateCurrent], st[latchkey.KeyStateNext], st[latchkey.KeyStateRetired])
		if diff := cmp.Diff(want, kids(byKid), cmpSorted); diff != "" {
			t.Errorf("JWKS kids (-stored +published):\n%s", diff)
		}
		for kid, key := range byKid {
			for member, want := range map[string]string{"kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig"} {
				if key[member] != want {
					t.Errorf("key %s: %s = %v, want %q", kid, member, key[member], want)
				}
			}
			for _, private := range []string{"d", "p", "q", "dp", "dq", "qi", "k"} {
				if _, ok := key[private]; ok {
					t.Errorf("key %s publishes private member %q", kid, private)
				}
			}
			for _, coord := range []string{"x", "y"} {
				s, _ := key[coord].(string)
				if b, err := base64.RawURLEncoding.DecodeString(s); err != nil || len(b) != 32 {
					t.Errorf("key %s: %s = %q, want 32 bytes of unpadded base64url", kid, coord, s)
				}
			}
		}
		for _, jwk := range set.Keys {
			if !jwk.IsPublic() || !jwk.Valid() {
				t.Errorf("key %s: public %v valid %v", jwk.KeyID, jwk.IsPublic(), jwk.Valid())
			}
		}
	})
}

func TestCurrentMatchesJWKS(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, f *fixture) {
		k := f.keyring(f.box)
		if err := k.Init(context.Background()); err != nil {
			t.Fatal(err)
		}
		priv, kid := current(t, k)
		_, set := parseJWKS(t, jwks(t, k))
		keys := set.Key(kid)
		if len(keys) != 1 {
			t.Fatalf("current kid %q published %d times, want once", kid, len(keys))
		}
		pub, ok := keys[0].Key.(*ecdsa.PublicKey)
		if !ok || !pub.Equal(priv.Public()) {
			t.Fatalf("published key for %s does not match the current private key", kid)
		}
		digest := sha256.Sum256([]byte("header.payload"))
		sig, err := ecdsa.SignASN1(rand.Reader, priv, digest[:])
		if err != nil {
			t.Fatal(err)
		}
		if !ecdsa.VerifyASN1(pub, digest[:], sig) {
			t.Error("signature by the current key does not verify with the published key")
		}
		other := sha256.Sum256([]byte("header.payload2"))
		if ecdsa.VerifyASN1(pub, other[:], sig) {
			t.Error("signature verifies for another digest")
		}
		// Only the current key signs: the next key's kid is published but
		// its private half is not what Current returns.
		for _, jwk := range set.Keys {
			if jwk.KeyID != kid && jwk.Key.(*ecdsa.PublicKey).Equal(priv.Public()) {
				t.Errorf("key %s has the current private key", jwk.KeyID)
			}
		}
	})
}

func TestRotate(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		k := f.keyring(f.box)
		if err := k.Init(ctx); err != nil {
			t.Fatal(err)
		}
		before := storedKeys(t, f)
		oldCur, oldNext := before[latchkey.KeyStateCurrent][0], before[latchkey.KeyStateNext][0]
		oldPriv, kid := current(t, k)
		if kid != oldCur {
			t.Fatalf("Current kid %q, want %q", kid, oldCur)
		}
		tokOld := signJWT(t, oldPriv, oldCur)
		if err := verifyJWT(jwks(t, k), tokOld); err != nil {
			t.Fatalf("token verifies before rotation: %v", err)
		}

		f.clock.Add(time.Hour)
		if err := k.Rotate(ctx); err != nil {
			t.Fatalf("Rotate: %v", err)
		}
		after := storedKeys(t, f)
		if got := after[latchkey.KeyStateCurrent]; len(got) != 1 || got[0] != oldNext {
			t.Errorf("current after Rotate = %v, want the old next key %s", got, oldNext)
		}
		if got := after[latchkey.KeyStateRetired]; len(got) != 1 || got[0] != oldCur {
			t.Errorf("retired after Rotate = %v, want the old current key %s", got, oldCur)
		}
		newNext := after[latchkey.KeyStateNext]
		if len(newNext) != 1 || newNext[0] == oldCur || newNext[0] == oldNext {
			t.Fatalf("next after Rotate = %v, want a new key", newNext)
		}
		newPriv, kid := current(t, k)
		if kid != oldNext || newPriv.Equal(oldPriv) {
			t.Errorf("Current after Rotate = %q, want %q with a different key", kid, oldNext)
		}
		raw := jwks(t, k)
		byKid, _ := parseJWKS(t, raw)
		if diff := cmp.Diff([]string{oldCur, oldNext, newNext[0]}, kids(byKid), cmpSorted); diff != "" {
			t.Errorf("JWKS after Rotate (-want +got):\n%s", diff)
		}
		// Nobody is logged out: a token signed before the rotation verifies
		// against the new JWKS, and so does one signed after it.
		if err := verifyJWT(raw, tokOld); err != nil {
			t.Errorf("token signed by the retired key: %v", err)
		}
		if err := verifyJWT(raw, signJWT(t, newPriv, kid)); err != nil {
			t.Errorf("token signed by the new current key: %v", err)
		}
		// The check is real: a forged token claiming the old kid fails.
		forger, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err := verifyJWT(raw, signJWT(t, forger, oldCur)); err == nil {
			t.Error("a token signed by a foreign key verifies")
		}
		// A verifier that cached the JWKS before the rotation already knew the
		// key that signs now.
		f.clock.Add(time.Hour)
		if err := k.Rotate(ctx); err != nil {
			t.Fatal(err)
		}
		priv2, kid2 := current(t, k)
		if err := verifyJWT(raw, signJWT(t, priv2, kid2)); err != nil {
			t.Errorf("token signed after a second rotation does not verify against the JWKS cached after the first: %v", err)
		}
	})
}

func TestRetiredGrace(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		k := f.keyring(f.box)
		if err := k.Init(ctx); err != nil {
			t.Fatal(err)
		}
		retiredKid := storedKeys(t, f)[latchkey.KeyStateCurrent][0]
		if err := k.Rotate(ctx); err != nil { // retired at the clock's time
			t.Fatal(err)
		}
		published := func() []string {
			byKid, _ := parseJWKS(t, jwks(t, k))
			return kids(byKid)
		}
		if got := published(); len(got) != 3 || !slices.Contains(got, retiredKid) {
			t.Fatalf("JWKS right after Rotate = %v, want 3 keys with %s", got, retiredKid)
		}
		// Just inside the grace period the retired key is still published;
		// the keyring rereads the store once its copy is older than refreshEvery.
		f.clock.Add(RetiredGrace - time.Minute)
		if got := published(); len(got) != 3 || !slices.Contains(got, retiredKid) {
			t.Errorf("JWKS just before RetiredGrace = %v, want it to keep %s", got, retiredKid)
		}
		f.clock.Add(2 * time.Minute)
		got := published()
		if len(got) != 2 || slices.Contains(got, retiredKid) {
			t.Errorf("JWKS after RetiredGrace = %v, want only current and next", got)
		}
		st := storedKeys(t, f)
		if diff := cmp.Diff(slices.Concat(st[latchkey.KeyStateCurrent], st[latchkey.KeyStateNext]), got, cmpSorted); diff != "" {
			t.Errorf("JWKS after RetiredGrace (-want +got):\n%s", diff)
		}
	})
}

// TestRefreshPicksUpRotation checks that a rotation made by another process
// (`latchkey keys rotate`) reaches a running keyring within refreshEvery, and
// that the keyring serves its cached copy before that.
func TestRefreshPicksUpRotation(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		server, admin := f.keyring(f.box), f.keyring(f.box)
		if err := server.Init(ctx); err != nil {
			t.Fatal(err)
		}
		_, before := current(t, server)
		if err := admin.Init(ctx); err != nil {
			t.Fatal(err)
		}
		if err := admin.Rotate(ctx); err != nil {
			t.Fatal(err)
		}
		_, rotated := current(t, admin)
		if _, kid := current(t, server); kid != before {
			t.Errorf("Current within refreshEvery = %q, want the cached %q", kid, before)
		}
		f.clock.Add(refreshEvery)
		if _, kid := current(t, server); kid != rotated {
			t.Errorf("Current after refreshEvery = %q, want the rotated %q", kid, rotated)
		}
		if string(jwks(t, server)) != string(jwks(t, admin)) {
			t.Error("JWKS differs between the keyrings after refresh")
		}
	})
}

func TestReloadWrongMasterKey(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		if err := f.keyring(f.box).Init(ctx); err != nil {
			t.Fatal(err)
		}
		wrong := f.keyring(newBox(t))
		for name, call := range map[string]func(context.Context) error{"Init": wrong.Init, "Reload": wrong.Reload} {
			err := call(ctx)
			if err == nil {
				t.Fatalf("%s with the wrong master key succeeded", name)
			}
			if !strings.Contains(err.Error(), "LATCHKEY_MASTER_KEY") || !errors.Is(err, seal.ErrOpen) {
				t.Errorf("%s error = %q, want seal.ErrOpen and a hint about LATCHKEY_MASTER_KEY", name, err)
			}
		}
		// A rotation with the wrong key would store a next key that no server
		// can open; it is refused before anything is written.
		before := storedKeys(t, f)
		if err := wrong.Rotate(ctx); err == nil || !strings.Contains(err.Error(), "LATCHKEY_MASTER_KEY") {
			t.Errorf("Rotate with the wrong master key = %v, want an error about LATCHKEY_MASTER_KEY", err)
		}
		if diff := cmp.Diff(before, storedKeys(t, f)); diff != "" {
			t.Errorf("a refused rotation changed the stored keys (-before +after):\n%s", diff)
		}
		if _, err := wrong.JWKS(ctx); err == nil {
			t.Error("JWKS with the wrong master key and nothing loaded succeeded")
		}
		if priv, _, err := wrong.Current(ctx); err == nil || priv != nil {
			t.Errorf("Current with the wrong master key = %v, %v; want an error", priv, err)
		}
	})
}

func TestReloadWithoutKeys(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, f *fixture) {
		k := f.keyring(f.box)
		err := k.Reload(context.Background())
		if err == nil || !strings.Contains(err.Error(), "no current signing key") {
			t.Errorf("Reload on an empty store = %v, want 'no current signing key'", err)
		}
		if _, err := k.JWKS(context.Background()); err == nil {
			t.Error("JWKS on an empty store succeeded")
		}
		if err := k.Rotate(context.Background()); err == nil {
			t.Error("Rotate on an empty store succeeded")
		}
	})
}

// TestRefreshKeepsLastGoodSet checks that a keyring that loaded once keeps
// serving its keys while the store fails, instead of failing every request.
func TestRefreshKeepsLastGoodSet(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		k := f.keyring(f.box)
		if err := k.Init(ctx); err != nil {
			t.Fatal(err)
		}
		good := jwks(t, k)
		goodPriv, goodKid := current(t, k)

		if err := f.store.Close(); err != nil {
			t.Fatal(err)
		}
		f.clock.Add(refreshEvery + time.Second) // the cached copy is stale
		if err := k.Reload(ctx); err == nil {
			t.Fatal("Reload on a closed store succeeded; the test is not exercising a failing store")
		}
		for range 3 {
			raw, err := k.JWKS(ctx)
			if err != nil || string(raw) != string(good) {
				t.Fatalf("JWKS with a failing store = %s, %v; want the last good set", raw, err)
			}
			priv, kid, err := k.Current(ctx)
			if err != nil || kid != goodKid || !priv.Equal(goodPriv) {
				t.Fatalf("Current with a failing store = %q, %v; want the last good key %q", kid, err, goodKid)
			}
		}
		// A keyring that never loaded has nothing to fall back on.
		fresh := f.keyring(f.box)
		if _, err := fresh.JWKS(ctx); err == nil {
			t.Error("JWKS of a never-loaded keyring over a failing store succeeded")
		}
	})
}
