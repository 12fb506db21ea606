package calls

import (
	"encoding/json"
	"net/http"
)

// errorBody is every error answer: {"success":false,"error":...,"details":...}.
// Error is a short, stable message; Details says what to do about it, and
// for invalid fields is a FieldErrors object instead of a string.
// CaseNumber is set when a create's outcome is unknown: the number the
// call may have been stored under.
type errorBody struct {
	Success    bool   `json:"success"`
	Error      string `json:"error"`
	Details    any    `json:"details"`
	CaseNumber string `json:"caseNumber,omitempty"`
}

// writeJSON writes v as the JSON answer with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	// The values are built here from plain fields and cannot fail to
	// encode; a write error means the client went away.
	_ = json.NewEncoder(w).Encode(v)
}

// writeError writes an error answer.
func writeError(w http.ResponseWriter, status int, msg string, details any) {
	writeJSON(w, status, errorBody{Error: msg, Details: details})
}
