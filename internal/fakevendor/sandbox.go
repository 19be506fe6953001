package fakevendor

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/onboard/onboard/internal/sandbox/simcore"
)

// Where the simulator is mounted and the token it takes.
const (
	SandboxPath  = "/fakevendor"
	SandboxToken = "sandbox-fakevendor-token"
)

// Unique-name namespace of the simulator's users.
const emailNS = "fakevendor.email"

// failure is the vendor's error body.
func failure(status int, msg string) simcore.Reply {
	return simcore.Reply{Status: status, Body: map[string]any{"error": msg}}
}

// mount registers the simulated API: create, look up, anything else 404.
func mount(env simcore.Env) {
	env.Handle("POST /v1/users", simcore.Create, simcore.Plain(failure), func(c *simcore.Call) simcore.Reply { return create(env, c) })
	env.Handle("GET /v1/users/{email}", simcore.Lookup, simcore.Plain(failure), func(c *simcore.Call) simcore.Reply { return lookup(env, c) })
	env.Handle("/", simcore.Auth, simcore.Plain(failure), func(c *simcore.Call) simcore.Reply {
		return failure(http.StatusNotFound, "no such endpoint: "+c.R.Method+" "+c.R.URL.Path)
	})
}

func authorized(c *simcore.Call) bool {
	return c.R.Header.Get("Authorization") == "Bearer "+SandboxToken
}

func create(env simcore.Env, c *simcore.Call) simcore.Reply {
	if !authorized(c) {
		return failure(http.StatusUnauthorized, "invalid token")
	}
	var in struct {
		Email string `json:"email"`
		Name  string `json:"name"`
		Seats *int64 `json:"seats"`
	}
	if err := json.Unmarshal(c.Body, &in); err != nil {
		return failure(http.StatusBadRequest, "the body is not a user: "+err.Error())
	}
	switch {
	case !strings.Contains(in.Email, "@"):
		return failure(http.StatusBadRequest, "email is not an email address")
	case strings.TrimSpace(in.Name) == "":
		return failure(http.StatusBadRequest, "name is required")
	case in.Seats != nil && (*in.Seats < 1 || *in.Seats > 10):
		return failure(http.StatusBadRequest, "seats must be 1 to 10")
	}
	st := env.Store()
	st.Lock()
	defer st.Unlock()
	if old := st.Get(emailNS, strings.ToLower(in.Email)); old != nil {
		old.Duplicates++
		return failure(http.StatusConflict, "a user with this email already exists")
	}
	if st.Full() {
		return failure(http.StatusInsufficientStorage, simcore.FullMessage)
	}
	id := "FV" + strconv.Itoa(len(st.Records(User.ID))+1)
	stored := map[string]any{"email": in.Email, "name": in.Name}
	if in.Seats != nil {
		stored["seats"] = *in.Seats
	}
	st.Add(&simcore.Record{Target: User.ID, Key: in.Email, ID: id, Creates: 1, Body: stored},
		emailNS, strings.ToLower(in.Email))
	return simcore.Reply{Status: http.StatusCreated, Created: true, Body: map[string]any{"id": id}}
}

func lookup(env simcore.Env, c *simcore.Call) simcore.Reply {
	if !authorized(c) {
		return failure(http.StatusUnauthorized, "invalid token")
	}
	st := env.Store()
	st.Lock()
	defer st.Unlock()
	if rec := st.Get(emailNS, strings.ToLower(c.R.PathValue("email"))); rec != nil {
		return simcore.Reply{Status: http.StatusOK, Body: map[string]any{"id": rec.ID, "email": rec.Key}}
	}
	return failure(http.StatusNotFound, "no such user")
}
