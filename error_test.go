package latchkey_test

import (
	"bufio"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/latchkeyhq/latchkey"
)

func TestErrorText(t *testing.T) {
	t.Parallel()
	cause := errors.New("disk on fire")
	tests := []struct {
		name string
		err  *latchkey.Error
		want string
	}{
		{"code only", &latchkey.Error{Code: latchkey.CodeInternal}, "internal_error"},
		{"param", &latchkey.Error{Code: latchkey.CodeFormParamMissing, Param: "email_address"}, "form_param_missing (email_address)"},
		{"long message", &latchkey.Error{Code: latchkey.CodeFormParamValue, LongMessage: "too big"}, "form_param_value_invalid: too big"},
		{"everything", &latchkey.Error{Code: latchkey.CodeFormParamValue, Param: "p", LongMessage: "too big", Cause: cause},
			"form_param_value_invalid (p): too big: disk on fire"},
		{"cause only", &latchkey.Error{Code: latchkey.CodeInternal, Cause: cause}, "internal_error: disk on fire"},
		// The safe Message is for clients; the error text is for logs and
		// carries the code instead.
		{"message not in text", &latchkey.Error{Code: latchkey.CodeAuthInvalid, Message: "shown to clients"}, "authentication_invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestErrorUnwrap(t *testing.T) {
	t.Parallel()
	cause := fmt.Errorf("query: %w", fs.ErrNotExist)
	e := &latchkey.Error{Code: latchkey.CodeInternal, Cause: cause}
	if got := e.Unwrap(); got != cause {
		t.Errorf("Unwrap() = %v, want the cause", got)
	}
	if !errors.Is(e, fs.ErrNotExist) {
		t.Error("errors.Is does not find the cause's chain through *Error")
	}
	if got := (&latchkey.Error{Code: latchkey.CodeInternal}).Unwrap(); got != nil {
		t.Errorf("Unwrap() without a cause = %v, want nil", got)
	}
}

func TestErrorf(t *testing.T) {
	t.Parallel()
	got := latchkey.Errorf(latchkey.CodePasswordTooShort, "password", "At least %d characters, got %d.", 8, 3)
	want := &latchkey.Error{
		Code:        latchkey.CodePasswordTooShort,
		Message:     "The password is too short.",
		LongMessage: "At least 8 characters, got 3.",
		Param:       "password",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Errorf (-want +got):\n%s", diff)
	}
	// A % in user input passed as an argument is not interpreted.
	if got := latchkey.Errorf(latchkey.CodeFormParamValue, "x", "%s", "100%d"); got.LongMessage != "100%d" {
		t.Errorf("LongMessage = %q, want %q", got.LongMessage, "100%d")
	}
}

func TestNewError(t *testing.T) {
	t.Parallel()
	got := latchkey.NewError(latchkey.CodeIdentifierExists, "email_address")
	want := &latchkey.Error{Code: latchkey.CodeIdentifierExists, Message: "That identifier is already taken.", Param: "email_address"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("NewError (-want +got):\n%s", diff)
	}
}

func TestErrorCode(t *testing.T) {
	t.Parallel()
	inner := latchkey.NewError(latchkey.CodeIdentifierExists, "email_address")
	outer := &latchkey.Error{Code: latchkey.CodeFormParamValue, Cause: inner}
	tests := []struct {
		name string
		err  error
		want latchkey.Code
	}{
		{"nil", nil, ""},
		{"plain error", errors.New("boom"), latchkey.CodeInternal},
		{"wrapped plain error", fmt.Errorf("a: %w", errors.New("boom")), latchkey.CodeInternal},
		{"*Error", inner, latchkey.CodeIdentifierExists},
		{"wrapped *Error", fmt.Errorf("create user: %w", inner), latchkey.CodeIdentifierExists},
		{"twice wrapped *Error", fmt.Errorf("b: %w", fmt.Errorf("a: %w", inner)), latchkey.CodeIdentifierExists},
		{"joined", errors.Join(errors.New("x"), inner), latchkey.CodeIdentifierExists},
		{"outermost *Error wins", outer, latchkey.CodeFormParamValue},
		{"%v loses the chain", fmt.Errorf("a: %v", inner), latchkey.CodeInternal},
		{"wrapped ErrNotFound", fmt.Errorf("a: %w", latchkey.ErrNotFound), latchkey.CodeResourceNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := latchkey.ErrorCode(tt.err); got != tt.want {
				t.Errorf("ErrorCode(%v) = %q, want %q", tt.err, got, tt.want)
			}
		})
	}
}

func TestErrNotFound(t *testing.T) {
	t.Parallel()
	wrapped := fmt.Errorf("user by id: %w", fmt.Errorf("query: %w", latchkey.ErrNotFound))
	if !errors.Is(wrapped, latchkey.ErrNotFound) {
		t.Error("errors.Is(wrapped, ErrNotFound) = false")
	}
	if got := latchkey.ErrorCode(wrapped); got != latchkey.CodeResourceNotFound {
		t.Errorf("ErrorCode = %q, want %q", got, latchkey.CodeResourceNotFound)
	}
	// Another error with the same code is not ErrNotFound: callers compare
	// with errors.Is, and a look-alike must not match.
	if errors.Is(latchkey.NewError(latchkey.CodeResourceNotFound, ""), latchkey.ErrNotFound) {
		t.Error("a fresh resource_not_found error matches ErrNotFound")
	}
	if errors.Is(errors.New("resource_not_found"), latchkey.ErrNotFound) {
		t.Error("an unrelated error matches ErrNotFound")
	}
	if latchkey.ErrNotFound.Message != latchkey.Messages[latchkey.CodeResourceNotFound] {
		t.Errorf("ErrNotFound.Message = %q, want the catalog message", latchkey.ErrNotFound.Message)
	}
}

const catalogFile = "testdata/error_codes.txt"

// TestErrorCatalogAppendOnly keeps the code catalog append-only: codes are
// part of the public API, so a code listed in testdata/error_codes.txt may
// never disappear from latchkey.Messages, and a new code must be added to
// the file so that it is protected from then on.
func TestErrorCatalogAppendOnly(t *testing.T) {
	t.Parallel()
	f, err := os.Open(catalogFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var listed []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			listed = append(listed, line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(listed) == 0 {
		t.Fatalf("%s lists no codes", catalogFile)
	}
	if !slices.IsSorted(listed) || len(slices.Compact(slices.Clone(listed))) != len(listed) {
		t.Errorf("%s must be sorted with one code per line and no duplicates", catalogFile)
	}
	for _, c := range listed {
		if _, ok := latchkey.Messages[latchkey.Code(c)]; !ok {
			t.Errorf("error code %q was removed or renamed: codes are public API and may only be added; restore it in latchkey.Messages", c)
		}
	}
	var added []string
	for c := range latchkey.Messages {
		if !slices.Contains(listed, string(c)) {
			added = append(added, string(c))
		}
	}
	slices.Sort(added)
	if len(added) > 0 {
		t.Errorf("new error codes are not in %s; add these lines to it (keeping it sorted) so they can never be removed:\n%s",
			catalogFile, strings.Join(added, "\n"))
	}
}

// TestErrorCatalogMessages checks that every Code constant declared in the
// package has a safe message, and that messages are written for people.
func TestErrorCatalogMessages(t *testing.T) {
	t.Parallel()
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, ".", func(fi fs.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, 0)
	if err != nil {
		t.Fatal(err)
	}
	var consts []latchkey.Code
	for _, pkg := range pkgs {
		for _, file := range pkg.Files {
			for _, decl := range file.Decls {
				gd, ok := decl.(*ast.GenDecl)
				if !ok || gd.Tok != token.CONST {
					continue
				}
				for _, spec := range gd.Specs {
					vs := spec.(*ast.ValueSpec)
					if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Code" {
						continue
					}
					for _, v := range vs.Values {
						lit, ok := v.(*ast.BasicLit)
						if !ok {
							t.Fatalf("%s: Code constant is not a string literal", fset.Position(v.Pos()))
						}
						s, err := strconv.Unquote(lit.Value)
						if err != nil {
							t.Fatal(err)
						}
						consts = append(consts, latchkey.Code(s))
					}
				}
			}
		}
	}
	if len(consts) != len(latchkey.Messages) {
		t.Errorf("%d Code constants but %d messages", len(consts), len(latchkey.Messages))
	}
	seen := map[latchkey.Code]bool{}
	for _, c := range consts {
		if seen[c] {
			t.Errorf("code %q is declared twice", c)
		}
		seen[c] = true
		msg, ok := latchkey.Messages[c]
		if !ok {
			t.Errorf("code %q has no entry in Messages", c)
			continue
		}
		if msg == "" || !strings.HasSuffix(msg, ".") || strings.ToUpper(msg[:1]) != msg[:1] {
			t.Errorf("message of %q = %q: want a capitalised sentence ending in a period", c, msg)
		}
		if strings.Trim(string(c), "abcdefghijklmnopqrstuvwxyz_") != "" {
			t.Errorf("code %q: want lower_snake_case", c)
		}
	}
}
