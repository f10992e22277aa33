package oauth

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/latchkeyhq/latchkey"
)

// appleAudience is the audience of Apple client secrets.
const appleAudience = "https://appleid.apple.com"

// appleSecretLifetime is how long a minted client secret is valid. Apple
// allows up to six months; one is minted per token request, so minutes do.
const appleSecretLifetime = 10 * time.Minute

// checkApple validates Sign in with Apple settings and parses the .p8 key.
func checkApple(p latchkey.OAuthProvider) (*ecdsa.PrivateKey, error) {
	if p.AppleTeamID == "" {
		return nil, latchkey.Errorf(latchkey.CodeFormParamMissing, "apple_team_id", "Enter your Apple Developer team ID.")
	}
	if p.AppleKeyID == "" {
		return nil, latchkey.Errorf(latchkey.CodeFormParamMissing, "apple_key_id", "Enter the ID of your Sign in with Apple key.")
	}
	if p.ApplePrivateKey == "" {
		return nil, latchkey.Errorf(latchkey.CodeFormParamMissing, "apple_private_key", "Paste the contents of your .p8 key file.")
	}
	return ParseApplePrivateKey(p.ApplePrivateKey)
}

// ParseApplePrivateKey parses the PEM contents of an Apple .p8 key: a
// PKCS #8 EC private key on P-256.
func ParseApplePrivateKey(pemText string) (*ecdsa.PrivateKey, error) {
	bad := latchkey.Errorf(latchkey.CodeFormParamInvalid, "apple_private_key", "The key must be the PEM contents of the .p8 file Apple gave you (a P-256 key).")
	block, _ := pem.Decode([]byte(pemText))
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, bad
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, bad
	}
	ec, ok := key.(*ecdsa.PrivateKey)
	if !ok || ec.Curve != elliptic.P256() {
		return nil, bad
	}
	return ec, nil
}

// appleClientSecret mints the client secret Apple wants: an ES256 JWT from
// the team (iss) for the client (sub), signed with the .p8 key (kid).
func (p *Provider) appleClientSecret() (string, error) {
	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: jose.ES256, Key: p.appleKey},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", p.cfg.AppleKeyID),
	)
	if err != nil {
		return "", err
	}
	now := p.now()
	return jwt.Signed(signer).Claims(jwt.Claims{
		Issuer:   p.cfg.AppleTeamID,
		Subject:  p.cfg.ClientID,
		Audience: jwt.Audience{appleAudience},
		IssuedAt: jwt.NewNumericDate(now),
		Expiry:   jwt.NewNumericDate(now.Add(appleSecretLifetime)),
	}).Serialize()
}

// appleUser reads the "user" form field Apple posts on a person's first
// authorization only: their name as they entered it.
func appleUser(raw string) (first, last string, err error) {
	if raw == "" {
		return "", "", nil
	}
	var u struct {
		Name struct {
			FirstName string `json:"firstName"`
			LastName  string `json:"lastName"`
		} `json:"name"`
	}
	if len(raw) > 4096 || json.Unmarshal([]byte(raw), &u) != nil {
		return "", "", latchkey.Errorf(latchkey.CodeFormParamInvalid, "user", "Apple's user field is not the expected JSON.")
	}
	return u.Name.FirstName, u.Name.LastName, nil
}
