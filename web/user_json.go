package web

import (
	"encoding/json"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/wire"
)

// The user as the Backend API returns it is defined in package wire, which
// events share; these names keep the handlers short.
type (
	userJSON         = wire.User
	identifierJSON   = wire.Identifier
	verificationJSON = wire.Verification
)

func newUserJSON(u *latchkey.User, now time.Time) userJSON { return wire.NewUser(u, now) }

func identifiersJSON(ids []*latchkey.Identifier) []identifierJSON { return wire.Identifiers(ids) }

func optString(s string) *string { return wire.OptString(s) }

func optMillis(t time.Time) *int64 { return wire.OptMillis(t) }

func orEmptyObject(m json.RawMessage) json.RawMessage { return wire.OrEmptyObject(m) }

// listJSON is the envelope of every list response.
type listJSON[T any] struct {
	Data       []T `json:"data"`
	TotalCount int `json:"total_count"`
}

// deletedJSON answers a successful DELETE.
type deletedJSON = wire.Deleted
