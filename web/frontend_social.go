package web

import (
	"net/http"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/auth"
)

// signInSocial is POST /v1/client/sign_ins with strategy oauth_<provider>
// (a redirect to the provider, whose URL is the first factor
// verification's external_verification_redirect_url) or with transfer
// (sign in the user a sign-up with a provider turned out to be).
func (s *Server) signInSocial(w http.ResponseWriter, r *http.Request, fc *frontendCtx, p auth.CreateSignInParams) error {
	if p.Transfer {
		if p.Identifier != "" || p.Password != "" || p.Strategy != "" {
			return latchkey.Errorf(latchkey.CodeFormParamValue, "transfer", "A transfer takes no identifier, password or strategy.")
		}
		v, err := s.social.TransferToSignIn(r.Context(), fc.state, fc.req)
		return s.writeSignIn(w, r, fc, v, err)
	}
	if p.Identifier != "" || p.Password != "" {
		return latchkey.Errorf(latchkey.CodeStrategyNotAllowed, "strategy", "A sign-in with a provider takes no identifier or password: send only strategy and redirect_url.")
	}
	if _, err := s.checkRedirect(p.RedirectURL); err != nil {
		return err
	}
	v, err := s.social.StartSignIn(r.Context(), fc.state, p.Strategy, p.RedirectURL, fc.req)
	return s.writeSignIn(w, r, fc, v, err)
}

// signUpSocial is POST /v1/client/sign_ups with strategy oauth_<provider>
// or with transfer (from a transferable sign-in with a provider).
func (s *Server) signUpSocial(w http.ResponseWriter, r *http.Request, fc *frontendCtx, p auth.SignUpParams) error {
	if s.social == nil || (!p.Transfer && !auth.IsOAuthStrategy(p.Strategy)) {
		return latchkey.Errorf(latchkey.CodeStrategyNotAllowed, "strategy", "A sign-up's strategy is oauth_ followed by an enabled provider.")
	}
	if p.Transfer {
		if p.Strategy != "" {
			return latchkey.Errorf(latchkey.CodeFormParamValue, "transfer", "A transfer takes no strategy.")
		}
		if err := s.checkSignUpRedirect(p.RedirectURL); err != nil {
			return err
		}
		su, err := s.social.TransferToSignUp(r.Context(), fc.state, p, fc.req)
		if err != nil {
			return err
		}
		return s.writeSignUp(w, r, fc, su, nil)
	}
	redirect := ""
	if p.RedirectURL != nil {
		redirect = *p.RedirectURL
	}
	if _, err := s.checkRedirect(redirect); err != nil {
		return err
	}
	if p != (auth.SignUpParams{Strategy: p.Strategy, RedirectURL: p.RedirectURL}) {
		return latchkey.Errorf(latchkey.CodeFormParamValue, "strategy", "A sign-up with a provider takes only strategy and redirect_url; add other fields after the provider answered.")
	}
	su, url, err := s.social.StartSignUp(r.Context(), fc.state, p.Strategy, redirect, fc.req)
	if err != nil {
		return err
	}
	out, err := s.signUpResponse(r.Context(), su)
	if err != nil {
		return err
	}
	if sj, ok := out.(signUpJSON); ok && sj.Verifications.ExternalAccount != nil {
		sj.Verifications.ExternalAccount.ExternalVerificationRedirectURL = &url
		out = sj
	}
	return s.writeFrontend(w, r, fc, http.StatusOK, out)
}
