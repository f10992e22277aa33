package wire

// EmailQueued is the status of an email handed to the sender. Latchkey does
// not learn whether it was delivered, so it is the only status.
const EmailQueued = "queued"

// Email is an email as email.created carries it, shaped like Clerk's email
// object so an app that delivers its own mail recognises it. Body is the
// HTML, BodyPlain the text alternative. Data holds the values the mail was
// rendered from (code, link, expires_in_minutes, ...), so an app can render
// its own; every one of them is already in the body. When Latchkey delivers
// the mail, its codes and links are replaced by "[redacted]" everywhere
// (Redacted is true): the event is a record, not a delivery.
type Email struct {
	Object              string            `json:"object"`
	ID                  string            `json:"id"`
	Slug                string            `json:"slug"`
	FromEmailName       string            `json:"from_email_name"`
	FromEmailAddress    string            `json:"from_email_address"`
	ToEmailAddress      string            `json:"to_email_address"`
	ReplyToEmailAddress *string           `json:"reply_to_email_address"`
	Subject             string            `json:"subject"`
	Body                string            `json:"body"`
	BodyPlain           string            `json:"body_plain"`
	Status              string            `json:"status"`
	Data                map[string]string `json:"data"`
	// DeliveredByLatchkey is false when the instance's mail.delivery is
	// "app": this event is then the only delivery, and the app sends it.
	DeliveredByLatchkey bool `json:"delivered_by_latchkey"`
	// Redacted is true when the codes and links in Subject, Body,
	// BodyPlain and Data were replaced by "[redacted]".
	Redacted  bool  `json:"redacted"`
	CreatedAt int64 `json:"created_at"`
}
