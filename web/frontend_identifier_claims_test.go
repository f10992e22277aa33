package web

import (
	"context"
	"net/http"
	"testing"

	"github.com/latchkeyhq/latchkey"
)

// TestUnverifiedEmailClaim checks that adding someone else's address to your
// own account (unverified) neither routes their sign-in to you nor stops
// them signing up; their verified sign-up takes the address over.
func TestUnverifiedEmailClaim(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		ctx := context.Background()
		if _, err := ts.inst.Patch(ctx, []byte(noPassword)); err != nil {
			t.Fatal(err)
		}
		squatter := meUser(t, ts, "squatter@example.com")
		sb, _ := meSignIn(t, ts, squatter.ID)
		sb.call("POST", "/v1/me/email_addresses", map[string]any{"email_address": "victim@example.com"}, http.StatusOK)

		// The victim's sign-in by email does not reach the squatter's account:
		// asking for a code sends nothing to anyone.
		vb := newBrowser(t, ts)
		before := ts.mails.count("victim@example.com")
		si, _ := vb.signIn("POST", "/v1/client/sign_ins", map[string]any{"identifier": "victim@example.com"})
		vb.signIn("POST", "/v1/client/sign_ins/"+si.ID+"/prepare_first_factor", map[string]any{"strategy": "email_code"})
		ts.signIns.WaitMail()
		if n := ts.mails.count("victim@example.com"); n != before {
			t.Fatalf("a sign-in code went to an unverified claim's address (%d mails)", n-before)
		}

		// The victim can sign up with the address; completing it releases the claim.
		ub := newBrowser(t, ts)
		su, _ := ub.signUp("POST", "/v1/client/sign_ups", map[string]any{"email_address": "victim@example.com"})
		code := ub.prepareCode(su.ID, "victim@example.com")
		done, _ := ub.signUp("POST", "/v1/client/sign_ups/"+su.ID+"/attempt_verification",
			map[string]any{"strategy": "email_code", "code": code})
		if done.Status != latchkey.SignUpComplete {
			t.Fatalf("victim's sign-up status = %q, want complete", done.Status)
		}
		got, err := ts.store.UserByID(ctx, squatter.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, idn := range got.Identifiers {
			if idn.Normalized == "victim@example.com" {
				t.Fatalf("the squatter still holds the address after the owner verified it")
			}
		}
	})
}
