package auth

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/sqlstore"
)

// CreateSignInParams start a sign-in (POST /v1/client/sign_ins), with
// Clerk's names. With strategy "password" (or just a password) the
// password is attempted at once; with an email strategy the code or link
// is sent at once.
type CreateSignInParams struct {
	Identifier string `json:"identifier"`
	Strategy   string `json:"strategy"`
	Password   string `json:"password"`
	// RedirectURL is where magic and reset links send the person; the
	// caller checks it against the instance's allow-list.
	RedirectURL string `json:"redirect_url"`
	// Transfer signs in the user a sign-up with a provider turned out to
	// be (the sign-up's external_account verification is transferable);
	// Social.TransferToSignIn handles it.
	Transfer bool `json:"transfer"`
}

// maxIdentifierInput bounds what is parsed as an identifier.
const maxIdentifierInput = 320

// Create starts a sign-in on the request's client, creating the client if
// it has none. An unknown identifier is form_identifier_not_found only when
// enumeration protection is off; otherwise it proceeds like a known one.
func (s *SignIns) Create(ctx context.Context, st *ClientState, p CreateSignInParams, req RequestInfo) (*SignInView, error) {
	set := s.settings()
	if err := s.limiter.Allow(ctx, LimitCreatePerIP, req.IP); err != nil {
		return nil, err
	}
	strategy := p.Strategy
	if strategy == "" && p.Password != "" {
		strategy = StrategyPassword
	}
	switch {
	case p.Password != "" && strategy != StrategyPassword:
		return nil, latchkey.Errorf(latchkey.CodeFormParamValue, "password", "password is only accepted with strategy password.")
	case strategy != "" && strings.TrimSpace(p.Identifier) == "":
		return nil, latchkey.Errorf(latchkey.CodeIdentifierRequired, "identifier", "Enter your email address or username together with a strategy.")
	case strategy == StrategyPassword && p.Password == "":
		return nil, latchkey.Errorf(latchkey.CodeFormParamMissing, "password", "Enter your password.")
	case strategy != "" && strategy != StrategyPassword && !isChallengeStrategy(strategy):
		return nil, latchkey.Errorf(latchkey.CodeStrategyNotAllowed, "strategy", "strategy must be password, email_code, email_link, reset_password_email_code or reset_password_email_link.")
	}

	si := &latchkey.SignIn{Status: latchkey.SignInNeedsIdentifier, RedirectURL: p.RedirectURL}
	if strings.TrimSpace(p.Identifier) != "" {
		typ, value, normalized, err := parseIdentifier(p.Identifier, set)
		if err != nil {
			return nil, err
		}
		si.Status, si.Identifier, si.IdentifierType = latchkey.SignInNeedsFirstFactor, value, typ
		u, err := s.store.UserBySignInIdentifier(ctx, typ, normalized)
		switch {
		case err == nil:
			si.UserID = u.ID
		case !errors.Is(err, latchkey.ErrNotFound):
			return nil, err
		case !set.SignIn.EnumerationProtection:
			return nil, latchkey.Errorf(latchkey.CodeIdentifierNotFound, "identifier", "No account has this %s.", humanize(string(typ)))
		}
		if strategy != "" && strategy != StrategyPassword && !offers(set, si, strategy) {
			return nil, latchkey.Errorf(latchkey.CodeStrategyNotAllowed, "strategy", "%s is not enabled for this identifier.", strategy)
		}
	}
	if st.Client != nil && !set.Session.MultiSession {
		active, err := s.sessions.ActiveSessions(ctx, st.Client)
		if err != nil {
			return nil, err
		}
		if len(active) > 0 {
			return nil, latchkey.Errorf(latchkey.CodeSessionExists, "", "This browser is already signed in. Sign out first.")
		}
	}
	saved := *st
	err := s.store.InTx(ctx, func(tx *sqlstore.Tx) error {
		if st.Client != nil {
			c, err := tx.ClientByID(ctx, st.Client.ID)
			if err != nil {
				return err
			}
			st.Client = c
		}
		if err := s.sessions.ensureClient(ctx, tx, st); err != nil {
			return err
		}
		si.ClientID = st.Client.ID
		si.ExpireAt = tx.Now().Add(SignInLifetime)
		if err := tx.CreateSignIn(ctx, si); err != nil {
			return err
		}
		st.Client.SignInID = si.ID
		return tx.UpdateClient(ctx, st.Client)
	})
	if err != nil {
		*st = saved
		return nil, err
	}
	switch {
	case strategy == StrategyPassword:
		return s.AttemptFirstFactor(ctx, st, si.ID, AttemptParams{Strategy: strategy, Password: p.Password}, req)
	case strategy != "":
		return s.PrepareFirstFactor(ctx, st, si.ID, PrepareParams{Strategy: strategy}, req)
	}
	return s.view(ctx, si, nil)
}

// parseIdentifier tells what kind of identifier was typed ('@': an email
// address, a leading '+': a phone number, else a username) and checks that
// the instance lets people sign in with it.
func parseIdentifier(raw string, set *latchkey.Settings) (latchkey.IdentifierType, string, string, error) {
	raw = strings.TrimSpace(raw)
	if len(raw) > maxIdentifierInput || !utf8.ValidString(raw) || strings.ContainsRune(raw, 0) {
		return "", "", "", latchkey.Errorf(latchkey.CodeFormParamInvalid, "identifier", "Enter an email address, phone number or username.")
	}
	typ, rules := latchkey.IdentifierUsername, set.Username.IdentifierSettings
	switch {
	case strings.Contains(raw, "@"):
		typ, rules = latchkey.IdentifierEmail, set.EmailAddress
	case strings.HasPrefix(raw, "+"):
		typ, rules = latchkey.IdentifierPhone, set.PhoneNumber
	}
	if !rules.Enabled || !rules.UsedForSignIn {
		return "", "", "", latchkey.Errorf(latchkey.CodeIdentifierDisabled, "identifier", "Signing in with a %s is not enabled; use %s.",
			humanize(string(typ)), orList(supportedIdentifiers(set)))
	}
	value, normalized, err := NormalizeIdentifier(typ, raw, set)
	if err != nil {
		var e *latchkey.Error
		if errors.As(err, &e) {
			return "", "", "", latchkey.Errorf(e.Code, "identifier", "%s", e.LongMessage)
		}
		return "", "", "", err
	}
	return typ, value, normalized, nil
}

// orList joins identifier types for a message: "email address or username".
func orList(types []string) string {
	if len(types) == 0 {
		return "another method"
	}
	words := make([]string, len(types))
	for i, t := range types {
		words[i] = humanize(t)
	}
	if len(words) == 1 {
		return "your " + words[0]
	}
	return "your " + strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}
