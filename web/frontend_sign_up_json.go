package web

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/auth"
)

// signUpJSON is a sign-up attempt on the Frontend API, shaped like Clerk's:
// the fields collected so far (never the password, only whether there is
// one), what the settings require and offer, what is still missing or
// unverified, and the email address's verification.
type signUpJSON struct {
	Object           string                  `json:"object"`
	ID               string                  `json:"id"`
	Status           string                  `json:"status"`
	RequiredFields   []string                `json:"required_fields"`
	OptionalFields   []string                `json:"optional_fields"`
	MissingFields    []string                `json:"missing_fields"`
	UnverifiedFields []string                `json:"unverified_fields"`
	Verifications    signUpVerificationsJSON `json:"verifications"`
	Username         *string                 `json:"username"`
	EmailAddress     *string                 `json:"email_address"`
	PhoneNumber      *string                 `json:"phone_number"`
	FirstName        *string                 `json:"first_name"`
	LastName         *string                 `json:"last_name"`
	HasPassword      bool                    `json:"has_password"`
	UnsafeMetadata   json.RawMessage         `json:"unsafe_metadata"`
	LegalAcceptedAt  *int64                  `json:"legal_accepted_at"`
	CreatedUserID    *string                 `json:"created_user_id"`
	CreatedSessionID *string                 `json:"created_session_id"`
	AbandonAt        int64                   `json:"abandon_at"`
	ExpireAt         int64                   `json:"expire_at"`
	CreatedAt        int64                   `json:"created_at"`
	UpdatedAt        int64                   `json:"updated_at"`
}

type signUpVerificationsJSON struct {
	EmailAddress    *verificationJSON       `json:"email_address"`
	ExternalAccount *socialVerificationJSON `json:"external_account"`
}

func newSignUpJSON(v *auth.SignUpView) signUpJSON {
	su := v.SignUp
	out := signUpJSON{
		Object: "sign_up", ID: su.ID, Status: v.Status,
		RequiredFields: v.RequiredFields, OptionalFields: v.OptionalFields,
		MissingFields: v.MissingFields, UnverifiedFields: v.UnverifiedFields,
		Username: optString(su.Username), EmailAddress: optString(su.EmailAddress),
		PhoneNumber: optString(su.PhoneNumber), FirstName: optString(su.FirstName), LastName: optString(su.LastName),
		HasPassword: su.PasswordHash != "", UnsafeMetadata: orEmptyObject(su.UnsafeMetadata),
		LegalAcceptedAt: optMillis(su.LegalAcceptedAt),
		CreatedUserID:   optString(su.CreatedUserID), CreatedSessionID: optString(su.CreatedSessionID),
		AbandonAt: latchkey.Millis(su.ExpireAt), ExpireAt: latchkey.Millis(su.ExpireAt),
		CreatedAt: latchkey.Millis(su.CreatedAt), UpdatedAt: latchkey.Millis(su.UpdatedAt),
	}
	if sv := v.Social; sv != nil {
		out.Verifications.ExternalAccount = newSocialVerificationJSON(sv)
	}
	if ev := v.EmailVerification; ev != nil {
		attempts := ev.Attempts
		out.Verifications.EmailAddress = &verificationJSON{Status: ev.Status, Strategy: ev.Strategy,
			Attempts: &attempts, ExpireAt: optMillis(ev.ExpireAt), VerifiedAt: optMillis(ev.VerifiedAt)}
	}
	return out
}

// signUpResponse renders a sign-up the request just acted on.
func (s *Server) signUpResponse(ctx context.Context, su *latchkey.SignUp) (any, error) {
	v, err := s.signUps.Describe(ctx, su)
	if err != nil {
		return nil, err
	}
	return newSignUpJSON(v), nil
}

// signUpObject renders a sign-up attempt, or nil if it no longer exists.
func (s *Server) signUpObject(ctx context.Context, id string) (any, error) {
	su, err := s.store.SignUpByID(ctx, id)
	if errors.Is(err, latchkey.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	return s.signUpResponse(ctx, su)
}
