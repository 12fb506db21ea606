// Package calls is the call-centre service: call records stored under a
// UNIQUE case number minted by casenum, and the HTTP handlers that create,
// read and list them.
package calls

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Field limits, in characters. The columns are sized to match (VARCHAR
// counts characters in PostgreSQL and MySQL alike).
const (
	MaxCallerName = 100
	MaxPhone      = 32
	MaxSubject    = 200
	MaxNotes      = 2000
)

// Phone numbers have between MinPhoneDigits and MaxPhoneDigits digits: the
// shortest national numbers and E.164's limit.
const (
	MinPhoneDigits = 7
	MaxPhoneDigits = 15
)

// DefaultPriority is the priority of a call that does not give one.
const DefaultPriority = "normal"

// validPriority reports whether p is one of the fixed priorities, in
// increasing urgency: low, normal, high, urgent.
func validPriority(p string) bool {
	switch p {
	case "low", "normal", "high", "urgent":
		return true
	}
	return false
}

// Call is a stored call record, as the API returns it.
type Call struct {
	CaseNumber string    `json:"caseNumber"`
	CallerName string    `json:"callerName"`
	Phone      string    `json:"phone"`
	Subject    string    `json:"subject"`
	Notes      string    `json:"notes"`
	Priority   string    `json:"priority"`
	CreatedAt  time.Time `json:"createdAt"`
}

// NewCall is the body of a create request: what the agent typed.
type NewCall struct {
	CallerName string `json:"callerName"`
	Phone      string `json:"phone"`
	Subject    string `json:"subject"`
	Notes      string `json:"notes"`
	Priority   string `json:"priority"`
}

// FieldErrors maps the JSON name of each invalid field to what is wrong
// with it. It is the "details" of a 400 answer to a create request.
type FieldErrors map[string]string

// Clean trims the fields, lower-cases the priority (empty means
// DefaultPriority) and checks every field. It returns the cleaned call and
// nil, or the problems found, all of them at once so that a form can show
// them together.
func (n NewCall) Clean() (NewCall, FieldErrors) {
	c := NewCall{
		CallerName: strings.TrimSpace(n.CallerName),
		Phone:      strings.TrimSpace(n.Phone),
		Subject:    strings.TrimSpace(n.Subject),
		Notes:      strings.TrimSpace(n.Notes),
		Priority:   strings.ToLower(strings.TrimSpace(n.Priority)),
	}
	if c.Priority == "" {
		c.Priority = DefaultPriority
	}
	errs := FieldErrors{}
	text(errs, "callerName", c.CallerName, true, MaxCallerName, false)
	text(errs, "subject", c.Subject, true, MaxSubject, false)
	text(errs, "notes", c.Notes, false, MaxNotes, true)
	if msg := phoneProblem(c.Phone); msg != "" {
		errs["phone"] = msg
	}
	if !validPriority(c.Priority) {
		errs["priority"] = "must be one of low, normal, high, urgent"
	}
	if len(errs) > 0 {
		return c, errs
	}
	return c, nil
}

// text checks a free-text field: present if required, at most max
// characters, and free of control characters, which have no place in a name
// and which PostgreSQL refuses outright (NUL). Notes may hold line breaks
// and tabs.
func text(errs FieldErrors, field, v string, required bool, max int, multiline bool) {
	switch {
	case v == "" && required:
		errs[field] = "is required"
	case !utf8.ValidString(v):
		errs[field] = "is not valid UTF-8"
	case utf8.RuneCountInString(v) > max:
		errs[field] = "must be at most " + strconv.Itoa(max) + " characters"
	default:
		for _, r := range v {
			if unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\t' || r == '\r')) {
				errs[field] = "must not contain control characters"
				return
			}
		}
	}
}

// phoneProblem returns what is wrong with a phone number, or "". A number
// is digits with optional spaces, hyphens, dots and parentheses, and an
// optional leading +: "+44 20 7946 0018", "(555) 010-4477".
func phoneProblem(p string) string {
	if p == "" {
		return "is required"
	}
	if len(p) > MaxPhone {
		return "must be at most " + strconv.Itoa(MaxPhone) + " characters"
	}
	digits := 0
	for i, r := range p {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0:
		case r == ' ', r == '-', r == '.', r == '(', r == ')':
		default:
			return "may hold only digits, spaces, ( ) - . and a leading +"
		}
	}
	if digits < MinPhoneDigits || digits > MaxPhoneDigits {
		return "must have " + strconv.Itoa(MinPhoneDigits) + " to " + strconv.Itoa(MaxPhoneDigits) + " digits"
	}
	return ""
}
