package web

import "net/http"

// usersDelete is DELETE /api/v1/users/{id}.
func (s *Server) usersDelete(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if err := s.users.DeleteUser(r.Context(), id); err != nil {
		return notFoundAs(err, "user", id)
	}
	writeJSON(w, http.StatusOK, deletedJSON{Object: "user", ID: id, Deleted: true})
	return nil
}
