package web

import (
	"net/http"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/instance"
)

type instanceJSON struct {
	Object          string             `json:"object"`
	ID              string             `json:"id"`
	Environment     string             `json:"environment"`
	PublishableKey  string             `json:"publishable_key"`
	Settings        *latchkey.Settings `json:"settings"`
	SettingsVersion int64              `json:"settings_version"`
	ManagedByFile   []string           `json:"managed_by_file"`
	CreatedAt       int64              `json:"created_at"`
	UpdatedAt       int64              `json:"updated_at"`
}

func newInstanceJSON(snap *instance.Snapshot) instanceJSON {
	managed := snap.Managed
	if managed == nil {
		managed = []string{}
	}
	return instanceJSON{
		Object: "instance", ID: snap.Instance.ID, Environment: snap.Instance.Environment,
		PublishableKey: snap.Instance.PublishableKey, Settings: snap.Settings, SettingsVersion: snap.Version,
		ManagedByFile: managed, CreatedAt: latchkey.Millis(snap.Instance.CreatedAt),
		UpdatedAt: latchkey.Millis(snap.Instance.UpdatedAt),
	}
}

// instanceGet is GET /api/v1/instance.
func (s *Server) instanceGet(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, newInstanceJSON(s.instance.Snapshot()))
	return nil
}

// instancePatch is PATCH /api/v1/instance: {"settings": <JSON merge patch>}.
func (s *Server) instancePatch(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Settings rawObject `json:"settings"`
	}
	if err := s.decodeJSON(r, &body, false); err != nil {
		return err
	}
	if len(body.Settings) == 0 {
		return latchkey.Errorf(latchkey.CodeFormParamMissing, "settings", "Send {\"settings\": {...}} with the settings to change.")
	}
	snap, err := s.instance.Patch(r.Context(), body.Settings)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newInstanceJSON(snap))
	return nil
}

// rawObject is raw JSON that must be an object.
type rawObject []byte

func (o *rawObject) UnmarshalJSON(b []byte) error {
	if len(b) == 0 || b[0] != '{' {
		return latchkey.Errorf(latchkey.CodeFormParamInvalid, "settings", "settings must be a JSON object.")
	}
	*o = append((*o)[:0], b...)
	return nil
}
