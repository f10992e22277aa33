package auth

import (
	"bytes"
	"image"
	"image/png"
	"testing"

	"github.com/latchkeyhq/latchkey"
)

// FuzzCheckProfileImage: any bytes give an image within the limits or a
// catalog error, never a panic.
func FuzzCheckProfileImage(f *testing.F) {
	var buf bytes.Buffer
	png.Encode(&buf, image.NewGray(image.Rect(0, 0, 3, 2)))
	f.Add(buf.Bytes())
	f.Add([]byte("GIF89a\x01\x00\x01\x00"))
	f.Add([]byte("RIFF\x00\x00\x00\x00WEBPVP8 "))
	f.Add([]byte("\xff\xd8\xff\xe0"))
	f.Fuzz(func(t *testing.T, data []byte) {
		img, err := CheckProfileImage(data)
		if err != nil {
			if _, ok := err.(*latchkey.Error); !ok {
				t.Fatalf("error %T %v is not a catalog error", err, err)
			}
			return
		}
		if !profileImageTypes[img.ContentType] || img.Width < 1 || img.Height < 1 ||
			img.Width > maxProfileImageSide || img.Height > maxProfileImageSide {
			t.Fatalf("accepted %s %d×%d", img.ContentType, img.Width, img.Height)
		}
	})
}
