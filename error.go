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
)

// Messages holds the safe, human-readable default message of every code.
var Messages = map[Code]string{
	CodeInternal:             "Something went wrong on our side. The error has been logged.",
	CodeRequestBodyInvalid:   "The request body is not valid JSON.",
	CodeRequestBodyTooLarge:  "The request body is too large.",
	CodeUnsupportedMediaType: "Send the request body as JSON with Content-Type: application/json.",
	CodeFormParamUnknown:     "The request contains a parameter this endpoint does not accept.",
	CodeFormParamMissing:     "A required parameter is missing.",
	CodeFormParamInvalid:     "A parameter has the wrong format.",
	CodeFormParamValue:       "A parameter has a value that is not allowed.",
	CodeAuthHeaderMissing:    "Send your secret key in the Authorization header as 'Bearer sk_...'.",
	CodeAuthInvalid:          "The secret key is not valid.",
	CodeResourceNotFound:     "The requested resource was not found.",
	CodeRouteNotFound:        "There is no endpoint at this path.",
	CodeMethodNotAllowed:     "This endpoint does not support the request method.",
	CodeIdentifierExists:     "That identifier is already taken.",
	CodePasswordTooShort:     "The password is too short.",
	CodePasswordTooLong:      "The password is too long.",
	CodePasswordNotAllowed:   "Passwords are not enabled for this instance.",
	CodePasswordHasher:       "The password hasher is not supported.",
	CodePasswordDigest:       "The password digest is not valid for its hasher.",
	CodeIdentifierRequired:   "A required identifier is missing.",
	CodeIdentifierDisabled:   "This kind of identifier is not enabled for this instance.",
	CodeLastIdentifier:       "The user would be left with no way to sign in.",
	CodeSettingManaged:       "This setting is managed by the configuration file and cannot be changed here.",
	CodeServerBusy:           "The server is busy. Try again shortly.",
	CodeForbidden:            "You are not allowed to do this.",
	CodeAPIKeyRevoked:        "This API key is already revoked.",
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
