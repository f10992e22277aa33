package web

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/latchkeyhq/latchkey"
)

// testPNG returns a w×h PNG.
func testPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	img.Set(0, 0, color.RGBA{R: 200, A: 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// multipartImage wraps data in a multipart/form-data body under field.
func multipartImage(t *testing.T, field string, data []byte) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("note", "ignored")
	fw, err := mw.CreateFormFile(field, "avatar.png")
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	return buf.Bytes(), mw.FormDataContentType()
}

// imageUser decodes the user of a 200 answer.
func imageUser(t *testing.T, res *response) userJSON {
	t.Helper()
	res.wantStatus(t, http.StatusOK)
	var env envelope
	if err := json.Unmarshal(res.Body, &env); err != nil {
		t.Fatalf("decode envelope: %v", err)
	}
	return meView(t, &env)
}

// TestMeProfileImage: upload (multipart and raw), serve, replace, remove.
func TestMeProfileImage(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		u := meUser(t, ts, "ada@example.com")
		b, _ := meSignIn(t, ts, u.ID)

		pic := testPNG(t, 64, 48)
		body, ct := multipartImage(t, "file", pic)
		res := b.do("POST", "/v1/me/profile_image", body, "Content-Type", ct)
		res.wantStatus(t, http.StatusOK)
		first := imageUser(t, res)
		if !first.HasImage || !strings.HasPrefix(first.ImageURL, ts.url+"/v1/images/img_") {
			t.Fatalf("after upload: has_image %v, image_url %q", first.HasImage, first.ImageURL)
		}
		img := b.do("GET", strings.TrimPrefix(first.ImageURL, ts.url), nil)
		img.wantStatus(t, http.StatusOK)
		if !bytes.Equal(img.Body, pic) {
			t.Fatalf("served image differs from the upload (%d bytes, want %d)", len(img.Body), len(pic))
		}
		for name, want := range map[string]string{
			"Content-Type":                 "image/png",
			"Cache-Control":                "public, max-age=31536000, immutable",
			"X-Content-Type-Options":       "nosniff",
			"Content-Security-Policy":      "default-src 'none'; sandbox",
			"Cross-Origin-Resource-Policy": "cross-origin",
		} {
			if got := img.Header.Get(name); got != want {
				t.Errorf("image %s = %q, want %q", name, got, want)
			}
		}

		// A raw JPEG body replaces it; the old URL is gone.
		var jb bytes.Buffer
		jpeg.Encode(&jb, image.NewGray(image.Rect(0, 0, 10, 10)), nil)
		res = b.do("POST", "/v1/me/profile_image", jb.Bytes(), "Content-Type", "image/jpeg")
		res.wantStatus(t, http.StatusOK)
		second := imageUser(t, res)
		if second.ImageURL == first.ImageURL || !second.HasImage {
			t.Fatalf("replacing kept the URL: %q", second.ImageURL)
		}
		b.do("GET", strings.TrimPrefix(first.ImageURL, ts.url), nil).wantError(t, http.StatusNotFound, latchkey.CodeResourceNotFound, "id")
		if got := b.do("GET", strings.TrimPrefix(second.ImageURL, ts.url), nil).Header.Get("Content-Type"); got != "image/jpeg" {
			t.Errorf("replacement served as %q", got)
		}
		// The type comes from the bytes, not from the request.
		var gb bytes.Buffer
		gif.Encode(&gb, image.NewPaletted(image.Rect(0, 0, 3, 3), []color.Color{color.Black, color.White}), nil)
		res = b.do("POST", "/v1/me/profile_image", gb.Bytes(), "Content-Type", "image/png")
		res.wantStatus(t, http.StatusOK)
		third := imageUser(t, res)
		if got := b.do("GET", strings.TrimPrefix(third.ImageURL, ts.url), nil).Header.Get("Content-Type"); got != "image/gif" {
			t.Errorf("a GIF sent as image/png is served as %q", got)
		}
		if got := meView(t, b.call("GET", "/v1/me", nil, http.StatusOK)); got.ImageURL != third.ImageURL {
			t.Errorf("GET /v1/me image_url = %q, want %q", got.ImageURL, third.ImageURL)
		}

		// Remove: back to no image, and the file is gone.
		env := b.call("DELETE", "/v1/me/profile_image", nil, http.StatusOK)
		if v := meView(t, env); v.HasImage || v.ImageURL != "" {
			t.Fatalf("after remove: has_image %v, image_url %q", v.HasImage, v.ImageURL)
		}
		b.do("GET", strings.TrimPrefix(third.ImageURL, ts.url), nil).wantError(t, http.StatusNotFound, latchkey.CodeResourceNotFound, "id")

		// Deleting the user deletes the image with it.
		res = b.do("POST", "/v1/me/profile_image", pic, "Content-Type", "image/png")
		res.wantStatus(t, http.StatusOK)
		last := imageUser(t, res)
		b.call("DELETE", "/v1/me", nil, http.StatusOK)
		b.do("GET", strings.TrimPrefix(last.ImageURL, ts.url), nil).wantError(t, http.StatusNotFound, latchkey.CodeResourceNotFound, "id")
		if _, err := ts.store.ProfileImage(context.Background(), strings.TrimPrefix(last.ImageURL, ts.url+"/v1/images/")); err == nil {
			t.Error("the image row outlived its user")
		}
	})
}

// TestMeProfileImageRefused: every way an upload is refused, with its code,
// and nothing stored.
func TestMeProfileImageRefused(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		u := meUser(t, ts, "ada@example.com")
		b, _ := meSignIn(t, ts, u.ID)
		pic := testPNG(t, 8, 8)
		svg := []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)
		noFile, noFileCT := multipartImage(t, "avatar", pic)
		huge := testPNG(t, 8193, 1)
		truncated := pic[:20] // the PNG signature, then a cut-off header
		big := append(append([]byte{}, pic...), make([]byte, 5<<20)...)
		cases := []struct {
			name   string
			body   []byte
			ct     string
			status int
			code   latchkey.Code
			param  string
		}{
			{"json", []byte(`{"file":"x"}`), "application/json", 415, latchkey.CodeUnsupportedMediaType, "file"},
			{"svg", svg, "image/svg+xml", 415, latchkey.CodeUnsupportedMediaType, "file"},
			{"text as image", []byte("hello"), "image/png", 415, latchkey.CodeUnsupportedMediaType, "file"},
			{"empty", nil, "image/png", 400, latchkey.CodeFormParamMissing, "file"},
			{"no file field", noFile, noFileCT, 400, latchkey.CodeFormParamMissing, "file"},
			{"no boundary", pic, "multipart/form-data", 400, latchkey.CodeRequestBodyInvalid, ""},
			{"too wide", huge, "image/png", 400, latchkey.CodeFormParamValue, "file"},
			{"damaged", truncated, "image/png", 400, latchkey.CodeFormParamValue, "file"},
			{"too large", big, "image/png", 413, latchkey.CodeRequestBodyTooLarge, "file"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				var body any
				if c.body != nil {
					body = c.body
				}
				b.do("POST", "/v1/me/profile_image", body, "Content-Type", c.ct).wantError(t, c.status, c.code, c.param)
			})
		}
		if v := meView(t, b.call("GET", "/v1/me", nil, http.StatusOK)); v.HasImage {
			t.Fatalf("a refused upload set an image: %q", v.ImageURL)
		}
		// Signed out, and from a foreign origin (CSRF), nothing is accepted.
		newBrowser(t, ts).do("POST", "/v1/me/profile_image", pic, "Content-Type", "image/png").wantError(t, http.StatusUnauthorized, latchkey.CodeSignedOut, "")
		evil := &browser{t: t, ts: ts, hc: b.hc, origin: "https://evil.example"}
		evil.do("POST", "/v1/me/profile_image", pic, "Content-Type", "image/png").wantError(t, http.StatusForbidden, latchkey.CodeOriginNotAllowed, "")
		b.do("GET", "/v1/images/img_nope", nil).wantError(t, http.StatusNotFound, latchkey.CodeResourceNotFound, "id")
	})
}
