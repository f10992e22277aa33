package auth

import (
	"bytes"
	"context"
	"image"
	"net/http"

	// Decoders for image.DecodeConfig: the formats browsers and phones produce.
	_ "golang.org/x/image/webp"
	_ "image/gif"
	_ "image/jpeg"
	_ "image/png"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/sqlstore"
)

// Profile image limits. The server never decodes pixels: it checks the
// format by its magic bytes and reads only the header for the dimensions,
// so a small file that claims huge dimensions (a decompression bomb) is
// refused without being expanded (ASVS 5.0 V5.2.1/V5.2.2: file size and
// type checks on upload).
const (
	MaxProfileImageBytes = 5 << 20
	maxProfileImageSide  = 8192
)

// profileImageTypes are the formats accepted, by sniffed content type. SVG
// is not: it can carry script.
var profileImageTypes = map[string]bool{
	"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true,
}

// CheckProfileImage validates an uploaded image and returns it ready to
// store: its content type comes from the bytes, never from the request.
func CheckProfileImage(data []byte) (*latchkey.ProfileImage, error) {
	if len(data) == 0 {
		return nil, latchkey.Errorf(latchkey.CodeFormParamMissing, "file", "Send an image file.")
	}
	if len(data) > MaxProfileImageBytes {
		return nil, latchkey.Errorf(latchkey.CodeRequestBodyTooLarge, "file", "Profile images are limited to %d MiB.", MaxProfileImageBytes>>20)
	}
	ct := http.DetectContentType(data)
	if !profileImageTypes[ct] {
		return nil, latchkey.Errorf(latchkey.CodeUnsupportedMediaType, "file", "Upload a PNG, JPEG, GIF or WebP image.")
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, latchkey.Errorf(latchkey.CodeFormParamValue, "file", "The image could not be read; it may be damaged.")
	}
	if cfg.Width < 1 || cfg.Height < 1 || cfg.Width > maxProfileImageSide || cfg.Height > maxProfileImageSide {
		return nil, latchkey.Errorf(latchkey.CodeFormParamValue, "file", "Profile images must be at most %d×%d pixels.", maxProfileImageSide, maxProfileImageSide)
	}
	return &latchkey.ProfileImage{ContentType: ct, Width: cfg.Width, Height: cfg.Height, Data: data}, nil
}

// SetProfileImage replaces the user's profile image with data, which must
// pass CheckProfileImage. imageURL turns the new image's ID into the URL
// stored as the user's image_url. Uploads count against the per-IP creation
// limit.
func (m *Me) SetProfileImage(ctx context.Context, userID string, data []byte, imageURL func(id string) string, req RequestInfo) (*latchkey.User, error) {
	if err := m.limiter.Allow(ctx, LimitCreatePerIP, req.IP); err != nil {
		return nil, err
	}
	img, err := CheckProfileImage(data)
	if err != nil {
		return nil, err
	}
	img.UserID = userID
	u, err := m.store.SetProfileImage(ctx, img, imageURL)
	if err != nil {
		return nil, err
	}
	m.audit(ctx, &sqlstore.AuditEvent{Type: "user.profile_image_set", UserID: userID, IP: req.IP,
		Data: map[string]any{"image_id": img.ID, "content_type": img.ContentType, "bytes": len(img.Data)}})
	return u, nil
}

// RemoveProfileImage deletes the user's profile image and clears image_url.
func (m *Me) RemoveProfileImage(ctx context.Context, userID string, req RequestInfo) (*latchkey.User, error) {
	u, err := m.store.RemoveProfileImage(ctx, userID)
	if err != nil {
		return nil, err
	}
	m.audit(ctx, &sqlstore.AuditEvent{Type: "user.profile_image_removed", UserID: userID, IP: req.IP})
	return u, nil
}

// ProfileImage returns an uploaded image by ID, for serving.
func (m *Me) ProfileImage(ctx context.Context, id string) (*latchkey.ProfileImage, error) {
	return m.store.ProfileImage(ctx, id)
}
