package latchkey

import "time"

// PrefixProfileImage prefixes the IDs of uploaded profile images.
const PrefixProfileImage = "img"

// ProfileImage is a user's uploaded avatar. A user has at most one; the
// user's ImageURL points at it (<public URL>/v1/images/{id}). A new upload
// gets a new ID, so the URL of an image never changes what it shows and can
// be cached for good.
type ProfileImage struct {
	ID          string
	UserID      string
	ContentType string // image/png, image/jpeg, image/gif or image/webp
	Width       int
	Height      int
	Data        []byte
	CreatedAt   time.Time
}
