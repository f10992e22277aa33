package web

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/auth"
)

// meImageSet is POST /v1/me/profile_image: upload a new avatar, either as
// multipart/form-data with a "file" part (what a browser's FormData sends)
// or as the raw image with an image/* Content-Type.
func (s *Server) meImageSet(w http.ResponseWriter, r *http.Request, fc *frontendCtx) error {
	sess, err := s.signedIn(r, fc)
	if err != nil {
		return err
	}
	data, err := readImageUpload(w, r)
	if err != nil {
		return err
	}
	u, err := s.me.SetProfileImage(r.Context(), sess.UserID, data, s.imageURL, fc.req)
	if err != nil {
		return err
	}
	return s.writeFrontend(w, r, fc, http.StatusOK, newFrontendUser(u, time.Now()))
}

// meImageDelete is DELETE /v1/me/profile_image: back to initials.
func (s *Server) meImageDelete(w http.ResponseWriter, r *http.Request, fc *frontendCtx) error {
	sess, err := s.signedIn(r, fc)
	if err != nil {
		return err
	}
	if err := s.readEmptyOrJSON(r); err != nil {
		return err
	}
	u, err := s.me.RemoveProfileImage(r.Context(), sess.UserID, fc.req)
	if err != nil {
		return err
	}
	return s.writeFrontend(w, r, fc, http.StatusOK, newFrontendUser(u, time.Now()))
}

// imageGet is GET /v1/images/{id}: an uploaded profile image, public like
// any avatar URL. Its bytes never change (a new upload has a new ID), so it
// is cacheable for good; it is served with the sniffed type, nosniff and a
// sandboxing CSP so it can only ever be shown as an image.
func (s *Server) imageGet(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	img, err := s.me.ProfileImage(r.Context(), id)
	if err != nil {
		return notFoundAs(err, "image", id)
	}
	h := w.Header()
	h.Set("Content-Type", img.ContentType)
	h.Set("Content-Length", strconv.Itoa(len(img.Data)))
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cross-Origin-Resource-Policy", "cross-origin")
	h.Set("Content-Disposition", "inline")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(img.Data)
	}
	return nil
}

// imageURL is the public URL of an uploaded image.
func (s *Server) imageURL(id string) string {
	return strings.TrimSuffix(s.public.String(), "/") + "/v1/images/" + id
}

// readImageUpload reads the image of an upload request, bounded by the
// profile image limit (plus room for the multipart framing).
func readImageUpload(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	const framing = 64 << 10
	r.Body = http.MaxBytesReader(w, r.Body, auth.MaxProfileImageBytes+framing)
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return nil, errImageMediaType()
	}
	var data []byte
	switch {
	case mt == "multipart/form-data":
		data, err = readMultipartFile(r, params["boundary"])
	case strings.HasPrefix(mt, "image/"):
		data, err = io.ReadAll(r.Body)
	default:
		return nil, errImageMediaType()
	}
	var tooLarge *http.MaxBytesError
	var lkErr *latchkey.Error
	switch {
	case err == nil:
		return data, nil
	case errors.As(err, &tooLarge):
		return nil, latchkey.Errorf(latchkey.CodeRequestBodyTooLarge, "file", "Profile images are limited to %d MiB.", auth.MaxProfileImageBytes>>20)
	case errors.As(err, &lkErr):
		return nil, err
	default:
		return nil, latchkey.Errorf(latchkey.CodeRequestBodyInvalid, "", "The request body could not be read.")
	}
}

// readMultipartFile returns the content of the form's "file" part.
func readMultipartFile(r *http.Request, boundary string) ([]byte, error) {
	if boundary == "" {
		return nil, latchkey.Errorf(latchkey.CodeRequestBodyInvalid, "", "The multipart body has no boundary.")
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, latchkey.Errorf(latchkey.CodeRequestBodyInvalid, "", "The multipart body could not be read.")
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return nil, latchkey.Errorf(latchkey.CodeFormParamMissing, "file", "Send the image in a form field named file.")
		}
		if err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				return nil, err
			}
			return nil, latchkey.Errorf(latchkey.CodeRequestBodyInvalid, "", "The multipart body could not be read.")
		}
		if part.FormName() != "file" {
			part.Close()
			continue
		}
		data, err := io.ReadAll(part)
		part.Close()
		return data, err
	}
}

func errImageMediaType() error {
	return latchkey.Errorf(latchkey.CodeUnsupportedMediaType, "file",
		"Send the image as multipart/form-data (a field named file) or as the body with an image/* Content-Type.")
}
