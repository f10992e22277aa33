package auth

import (
	"context"
	"encoding/json"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/sqlstore"
)

// UpdateUserParams are the changes to a user. A nil field is left alone; an
// empty username or external_id removes it.
type UpdateUserParams struct {
	ExternalID            *string          `json:"external_id"`
	FirstName             *string          `json:"first_name"`
	LastName              *string          `json:"last_name"`
	Username              *string          `json:"username"`
	Password              *string          `json:"password"`
	SkipPasswordChecks    bool             `json:"skip_password_checks"`
	PrimaryEmailAddressID *string          `json:"primary_email_address_id"`
	PrimaryPhoneNumberID  *string          `json:"primary_phone_number_id"`
	PublicMetadata        *json.RawMessage `json:"public_metadata"`
	PrivateMetadata       *json.RawMessage `json:"private_metadata"`
	UnsafeMetadata        *json.RawMessage `json:"unsafe_metadata"`
}

// UpdateUser applies p to the user. Metadata given here replaces the old
// metadata whole; use UpdateMetadata to merge.
func (s *Users) UpdateUser(ctx context.Context, id string, p UpdateUserParams) (*latchkey.User, error) {
	set := s.settings()
	first, last, external := deref(p.FirstName), deref(p.LastName), deref(p.ExternalID)
	if err := checkProfile(first, last, external); err != nil {
		return nil, err
	}
	meta := map[string]*json.RawMessage{}
	for _, f := range []struct {
		name string
		raw  *json.RawMessage
	}{{"public_metadata", p.PublicMetadata}, {"private_metadata", p.PrivateMetadata}, {"unsafe_metadata", p.UnsafeMetadata}} {
		if f.raw == nil {
			continue
		}
		m, err := checkMetadata(f.name, *f.raw)
		if err != nil {
			return nil, err
		}
		meta[f.name] = &m
	}
	var username []*latchkey.Identifier
	if p.Username != nil && *p.Username != "" {
		var err error
		if username, err = newIdentifiers(latchkey.IdentifierUsername, []string{*p.Username}, set.Username.IdentifierSettings, set); err != nil {
			return nil, err
		}
	}
	var newHash string
	if p.Password != nil {
		// Look the user up first: a missing user should not cost a hash.
		cur, err := s.store.UserByID(ctx, id)
		if err != nil {
			return nil, err
		}
		if err := CheckPassword(*p.Password, set, p.SkipPasswordChecks); err != nil {
			return nil, err
		}
		if !p.SkipPasswordChecks {
			email := ""
			if es := cur.EmailAddresses(); len(es) > 0 {
				email = es[0].Value
			}
			words := contextWords(set, email, cur.Username(), cur.FirstName, cur.LastName)
			if err := checkPasswordStrength(ctx, *p.Password, words, set); err != nil {
				return nil, err
			}
		}
		if newHash, err = s.hashNew(ctx, *p.Password, p.SkipPasswordChecks, set); err != nil {
			return nil, err
		}
	}
	return s.store.UpdateUser(ctx, id, func(u *latchkey.User) error {
		if p.FirstName != nil {
			u.FirstName = first
		}
		if p.LastName != nil {
			u.LastName = last
		}
		if p.ExternalID != nil {
			u.ExternalID = external
		}
		if m := meta["public_metadata"]; m != nil {
			u.PublicMetadata = *m
		}
		if m := meta["private_metadata"]; m != nil {
			u.PrivateMetadata = *m
		}
		if m := meta["unsafe_metadata"]; m != nil {
			u.UnsafeMetadata = *m
		}
		if p.Username != nil {
			if err := setUsername(u, username, set); err != nil {
				return err
			}
		}
		if newHash != "" {
			u.PasswordHash, u.PasswordUpdatedAt = newHash, timeNow()
		}
		if p.PrimaryEmailAddressID != nil {
			if err := setPrimary(u, latchkey.IdentifierEmail, *p.PrimaryEmailAddressID, &u.PrimaryEmailAddressID); err != nil {
				return err
			}
		}
		if p.PrimaryPhoneNumberID != nil {
			if err := setPrimary(u, latchkey.IdentifierPhone, *p.PrimaryPhoneNumberID, &u.PrimaryPhoneNumberID); err != nil {
				return err
			}
		}
		return nil
	})
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// setUsername replaces (or, with none, removes) the user's username.
func setUsername(u *latchkey.User, username []*latchkey.Identifier, set *latchkey.Settings) error {
	old := u.UsernameIdentifier()
	if len(username) == 0 {
		if old == nil {
			return nil
		}
		if set.Username.Required {
			return latchkey.Errorf(latchkey.CodeIdentifierRequired, "username", "This instance requires a username; it cannot be removed.")
		}
		if len(u.Identifiers) == 1 {
			return latchkey.Errorf(latchkey.CodeLastIdentifier, "username", "The username is the user's only identifier.")
		}
		u.Identifiers = without(u.Identifiers, old)
		return nil
	}
	if old != nil {
		if old.Normalized == username[0].Normalized {
			return nil
		}
		u.Identifiers = without(u.Identifiers, old)
	}
	u.Identifiers = append(u.Identifiers, username[0])
	return nil
}

func without(ids []*latchkey.Identifier, drop *latchkey.Identifier) []*latchkey.Identifier {
	out := make([]*latchkey.Identifier, 0, len(ids))
	for _, id := range ids {
		if id != drop {
			out = append(out, id)
		}
	}
	return out
}

// setPrimary makes the identifier with the given ID primary; it must belong
// to the user and be verified.
func setPrimary(u *latchkey.User, t latchkey.IdentifierType, id string, field *string) error {
	param := "primary_" + string(t) + "_id"
	for _, idn := range u.Identifiers {
		if idn.ID == id && idn.Type == t {
			if !idn.Verification.Verified() {
				return latchkey.Errorf(latchkey.CodeFormParamValue, param, "Only a verified %s can be primary.", humanize(string(t)))
			}
			*field = id
			return nil
		}
	}
	return latchkey.Errorf(latchkey.CodeFormParamValue, param, "%s is not one of this user's %ss.", id, humanize(string(t)))
}

// MetadataPatch holds metadata to deep-merge into a user's metadata.
type MetadataPatch struct {
	PublicMetadata  json.RawMessage `json:"public_metadata"`
	PrivateMetadata json.RawMessage `json:"private_metadata"`
	UnsafeMetadata  json.RawMessage `json:"unsafe_metadata"`
}

// UpdateMetadata deep-merges p into the user's metadata: objects merge key
// by key, other values replace, and null deletes a key. The merge happens in
// the write transaction, so concurrent merges never lose each other's keys.
func (s *Users) UpdateMetadata(ctx context.Context, id string, p MetadataPatch) (*latchkey.User, error) {
	patches := []struct {
		name string
		raw  json.RawMessage
	}{{"public_metadata", p.PublicMetadata}, {"private_metadata", p.PrivateMetadata}, {"unsafe_metadata", p.UnsafeMetadata}}
	parsed := make([]map[string]any, len(patches))
	for i, pt := range patches {
		if len(pt.raw) == 0 || string(pt.raw) == "null" {
			continue
		}
		if _, err := checkMetadata(pt.name, pt.raw); err != nil {
			return nil, err
		}
		if err := unmarshalNumbers(pt.raw, &parsed[i]); err != nil {
			return nil, err
		}
	}
	return s.store.UpdateUser(ctx, id, func(u *latchkey.User) error {
		targets := []*json.RawMessage{&u.PublicMetadata, &u.PrivateMetadata, &u.UnsafeMetadata}
		for i, patch := range parsed {
			if patch == nil {
				continue
			}
			var cur map[string]any
			if err := unmarshalNumbers(*targets[i], &cur); err != nil {
				cur = map[string]any{}
			}
			merged, err := json.Marshal(deepMerge(cur, patch))
			if err != nil {
				return err
			}
			if len(merged) > maxMetadataBytes {
				return latchkey.Errorf(latchkey.CodeFormParamValue, patches[i].name, "The merged %s would be larger than %d bytes.", patches[i].name, maxMetadataBytes)
			}
			*targets[i] = merged
		}
		return nil
	})
}

// deepMerge merges patch into dst: nested objects merge, null deletes.
func deepMerge(dst, patch map[string]any) map[string]any {
	if dst == nil {
		dst = map[string]any{}
	}
	for k, v := range patch {
		if v == nil {
			delete(dst, k)
			continue
		}
		if pv, ok := v.(map[string]any); ok {
			if dv, ok := dst[k].(map[string]any); ok {
				dst[k] = deepMerge(dv, pv)
				continue
			}
			dst[k] = deepMerge(nil, pv)
			continue
		}
		dst[k] = v
	}
	return dst
}

// SetBanned bans or unbans a user. Banning also ends every session of the
// user at once (status removed), so no token refresh succeeds afterwards.
func (s *Users) SetBanned(ctx context.Context, id string, banned bool) (*latchkey.User, error) {
	u, err := s.store.UpdateUser(ctx, id, func(u *latchkey.User) error {
		u.Banned = banned
		return nil
	})
	if err != nil || !banned {
		return u, err
	}
	err = s.store.InTx(ctx, func(tx *sqlstore.Tx) error {
		ended, err := tx.EndSessionsOf(ctx, id, "", "", latchkey.SessionRemoved)
		if err != nil {
			return err
		}
		return tx.AddAudit(ctx, &sqlstore.AuditEvent{Type: "user.banned", UserID: id, Data: map[string]any{"ended_sessions": ended}})
	})
	return u, err
}

// SetLocked locks a user out of sign-in until unlocked, or unlocks them
// (clearing any automatic lockout too).
func (s *Users) SetLocked(ctx context.Context, id string, locked bool) (*latchkey.User, error) {
	return s.store.UpdateUser(ctx, id, func(u *latchkey.User) error {
		u.Locked = locked
		u.LockoutExpiresAt = timeZero
		if !locked {
			u.FailedSignIns = 0
		}
		return nil
	})
}

// DeleteUser deletes a user and everything that belongs to them.
func (s *Users) DeleteUser(ctx context.Context, id string) error {
	return s.store.DeleteUser(ctx, id)
}
