package web

import "net/http"

// signUpsPrepare is POST /v1/client/sign_ups/{id}/prepare_verification:
// mail a code (strategy email_code) or a link (email_link) to the sign-up's
// email address.
func (s *Server) signUpsPrepare(w http.ResponseWriter, r *http.Request, fc *frontendCtx) error {
	var p struct {
		Strategy    string `json:"strategy"`
		RedirectURL string `json:"redirect_url"`
	}
	if err := s.decodeJSON(r, &p, false); err != nil {
		return err
	}
	if err := s.checkSignUpRedirect(&p.RedirectURL); err != nil {
		return err
	}
	su, err := s.signUps.PrepareVerification(r.Context(), fc.state, r.PathValue("id"), p.Strategy, p.RedirectURL, fc.req)
	return s.writeSignUp(w, r, fc, su, err)
}

// signUpsAttempt is POST /v1/client/sign_ups/{id}/attempt_verification:
// check the code from the email; the sign-up completes when nothing else
// is missing.
func (s *Server) signUpsAttempt(w http.ResponseWriter, r *http.Request, fc *frontendCtx) error {
	var p struct {
		Strategy string `json:"strategy"`
		Code     string `json:"code"`
	}
	if err := s.decodeJSON(r, &p, false); err != nil {
		return err
	}
	su, err := s.signUps.AttemptVerification(r.Context(), fc.state, r.PathValue("id"), p.Strategy, p.Code, fc.req)
	return s.writeSignUp(w, r, fc, su, err)
}
