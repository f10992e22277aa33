package latchkey

import (
	"errors"
	"fmt"
)

// Code is a stable, machine-readable error code. Codes are part of the public
// API: they are only ever added, never renamed or removed (a test enforces it).
type Code string

// The error catalog. Each code has a safe default message in Messages.
const (
	CodeInternal             Code = "internal_error"
	CodeRequestBodyInvalid   Code = "request_body_invalid"
	CodeRequestBodyTooLarge  Code = "request_body_too_large"
	CodeUnsupportedMediaType Code = "unsupported_media_type"
	CodeFormParamUnknown     Code = "form_param_unknown"
	CodeFormParamMissing     Code = "form_param_missing"
	CodeFormParamInvalid     Code = "form_param_format_invalid"
	CodeFormParamValue       Code = "form_param_value_invalid"
	CodeAuthHeaderMissing    Code = "authorization_header_missing"
	CodeAuthInvalid          Code = "authentication_invalid"
	CodeResourceNotFound     Code = "resource_not_found"
	CodeRouteNotFound        Code = "route_not_found"
	CodeMethodNotAllowed     Code = "method_not_allowed"
	CodeIdentifierExists     Code = "form_identifier_exists"
	CodePasswordTooShort     Code = "form_password_length_too_short"
	CodePasswordTooLong      Code = "form_password_length_too_long"
	CodePasswordNotAllowed   Code = "form_password_not_allowed"
	CodePasswordHasher       Code = "form_password_hasher_unsupported"
	CodePasswordDigest       Code = "form_password_digest_invalid"
	CodeIdentifierRequired   Code = "form_identifier_required"
	CodeIdentifierDisabled   Code = "form_identifier_not_allowed"
	CodeLastIdentifier       Code = "form_identifier_last_one"
	CodeSettingManaged       Code = "setting_managed_by_file"
	CodeServerBusy           Code = "server_busy"
	CodeForbidden            Code = "forbidden"
	CodeAPIKeyRevoked        Code = "api_key_already_revoked"
	CodeSessionNotActive     Code = "session_not_active"
	CodeSignedOut            Code = "signed_out"
	CodePasswordIncorrect    Code = "form_password_incorrect"
	CodeCodeIncorrect        Code = "form_code_incorrect"
	CodeVerificationExpired  Code = "verification_expired"
	CodeVerificationFailed   Code = "verification_failed"
	CodeVerificationUsed     Code = "verification_already_used"
	CodeVerificationMissing  Code = "verification_missing"
	CodeIdentifierNotFound   Code = "form_identifier_not_found"
	CodePasswordPwned        Code = "form_password_pwned"
	CodePasswordPersonal     Code = "form_password_personal_info"
	CodeUserLocked           Code = "user_locked"
	CodeUserBanned           Code = "user_banned"
	CodeRateLimited          Code = "rate_limit_exceeded"
	CodeOriginNotAllowed     Code = "origin_not_allowed"
	CodeRedirectNotAllowed   Code = "redirect_url_not_allowed"
	CodeSignUpRestricted     Code = "sign_up_restricted"
	CodeSignUpWaitlist       Code = "sign_up_waitlist"
	CodeEmailNotAllowed      Code = "form_email_address_not_allowed"
	CodeAttemptExpired       Code = "attempt_expired"
	CodeStrategyNotAllowed   Code = "strategy_not_allowed"
	CodeSessionExists        Code = "session_exists"
	CodeDeleteSelfDisabled   Code = "delete_self_disabled"

	// Social sign-in (OAuth 2.0 / OpenID Connect).
	CodeOAuthAccessDenied      Code = "oauth_access_denied"
	CodeOAuthProviderError     Code = "oauth_provider_error"
	CodeOAuthStateInvalid      Code = "oauth_state_invalid"
	CodeOAuthTokenExchange     Code = "oauth_token_exchange_failed"
	CodeOAuthIDTokenInvalid    Code = "oauth_id_token_invalid"
	CodeOAuthEmailMissing      Code = "oauth_email_missing"
	CodeOAuthEmailUnverified   Code = "oauth_email_unverified"
	CodeOAuthProviderExists    Code = "oauth_provider_exists"
	CodeExternalAccountExists  Code = "external_account_exists"
	CodeReverificationRequired Code = "reverification_required"
)

// Messages holds the safe, human-readable default message of every code.
var Messages = map[Code]string{
	CodeInternal:               "Something went wrong on our side. The error has been logged.",
	CodeRequestBodyInvalid:     "The request body is not valid JSON.",
	CodeRequestBodyTooLarge:    "The request body is too large.",
	CodeUnsupportedMediaType:   "Send the request body as JSON with Content-Type: application/json.",
	CodeFormParamUnknown:       "The request contains a parameter this endpoint does not accept.",
	CodeFormParamMissing:       "A required parameter is missing.",
	CodeFormParamInvalid:       "A parameter has the wrong format.",
	CodeFormParamValue:         "A parameter has a value that is not allowed.",
	CodeAuthHeaderMissing:      "Send your secret key in the Authorization header as 'Bearer sk_...'.",
	CodeAuthInvalid:            "The secret key is not valid.",
	CodeResourceNotFound:       "The requested resource was not found.",
	CodeRouteNotFound:          "There is no endpoint at this path.",
	CodeMethodNotAllowed:       "This endpoint does not support the request method.",
	CodeIdentifierExists:       "That identifier is already taken.",
	CodePasswordTooShort:       "The password is too short.",
	CodePasswordTooLong:        "The password is too long.",
	CodePasswordNotAllowed:     "Passwords are not enabled for this instance.",
	CodePasswordHasher:         "The password hasher is not supported.",
	CodePasswordDigest:         "The password digest is not valid for its hasher.",
	CodeIdentifierRequired:     "A required identifier is missing.",
	CodeIdentifierDisabled:     "This kind of identifier is not enabled for this instance.",
	CodeLastIdentifier:         "The user would be left with no way to sign in.",
	CodeSettingManaged:         "This setting is managed by the configuration file and cannot be changed here.",
	CodeServerBusy:             "The server is busy. Try again shortly.",
	CodeForbidden:              "You are not allowed to do this.",
	CodeAPIKeyRevoked:          "This API key is already revoked.",
	CodeSessionNotActive:       "This session has ended. Sign in again.",
	CodeSignedOut:              "You are signed out.",
	CodePasswordIncorrect:      "The password is incorrect. Try again, or use another method.",
	CodeCodeIncorrect:          "The code is incorrect.",
	CodeVerificationExpired:    "This code or link has expired. Ask for a new one.",
	CodeVerificationFailed:     "Too many incorrect attempts. Ask for a new code.",
	CodeVerificationUsed:       "This code or link was already used.",
	CodeVerificationMissing:    "Ask for a code or link first.",
	CodeIdentifierNotFound:     "No account matches that identifier.",
	CodePasswordPwned:          "This password has appeared in a data breach or is too common. Choose another one.",
	CodePasswordPersonal:       "The password contains your own details, such as your email address or name.",
	CodeUserLocked:             "This account is locked after too many failed attempts. Try again later.",
	CodeUserBanned:             "This account is not allowed to sign in.",
	CodeRateLimited:            "Too many requests. Wait a moment and try again.",
	CodeOriginNotAllowed:       "Requests from this origin are not allowed.",
	CodeRedirectNotAllowed:     "This redirect URL is not on the instance's allow-list.",
	CodeSignUpRestricted:       "Sign-up is by invitation only.",
	CodeSignUpWaitlist:         "Sign-up is closed for now; join the waitlist.",
	CodeEmailNotAllowed:        "This email address cannot be used to sign up.",
	CodeAttemptExpired:         "This sign-in or sign-up took too long. Start again.",
	CodeStrategyNotAllowed:     "This method cannot be used here.",
	CodeSessionExists:          "You are already signed in.",
	CodeDeleteSelfDisabled:     "Deleting your own account is turned off for this application.",
	CodeOAuthAccessDenied:      "You cancelled signing in with the provider, or it refused. Try again, or use another method.",
	CodeOAuthProviderError:     "The sign-in provider returned an error. Try again, or use another method.",
	CodeOAuthStateInvalid:      "This sign-in link from the provider is invalid or was already used. Start again.",
	CodeOAuthTokenExchange:     "The sign-in provider did not accept the sign-in. Start again.",
	CodeOAuthIDTokenInvalid:    "The sign-in provider's answer could not be verified.",
	CodeOAuthEmailMissing:      "The sign-in provider did not share an email address.",
	CodeOAuthEmailUnverified:   "An account with this email address exists. Sign in to it first to connect this provider.",
	CodeOAuthProviderExists:    "This provider is already configured.",
	CodeExternalAccountExists:  "This account at the provider is already connected to another user.",
	CodeReverificationRequired: "Sign in again to continue: this needs a recent sign-in.",
}

// Error is the one error type that crosses package boundaries towards clients.
// Message and LongMessage are safe to show; Cause is logged and never sent.
type Error struct {
	Code        Code
	Message     string
	LongMessage string
	Param       string // the offending parameter, if any ("email_address")
	Cause       error
}

// Errorf returns an *Error with the code's default message and a long message
// formatted from format and args. The long message must never contain secrets.
func Errorf(code Code, param, format string, args ...any) *Error {
	return &Error{Code: code, Message: Messages[code], LongMessage: fmt.Sprintf(format, args...), Param: param}
}

// NewError returns an *Error with the code's default message.
func NewError(code Code, param string) *Error {
	return &Error{Code: code, Message: Messages[code], Param: param}
}

func (e *Error) Error() string {
	s := string(e.Code)
	if e.Param != "" {
		s += " (" + e.Param + ")"
	}
	if e.LongMessage != "" {
		s += ": " + e.LongMessage
	}
	if e.Cause != nil {
		s += ": " + e.Cause.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Cause }

// ErrorCode returns the code of the first *Error in err's chain, or
// CodeInternal for any other non-nil error.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// ErrNotFound is returned by lookups that find nothing. Compare with errors.Is.
var ErrNotFound = &Error{Code: CodeResourceNotFound, Message: Messages[CodeResourceNotFound]}
