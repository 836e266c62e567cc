package netapi

import (
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// sessionTimeout is rest_cherrypy's tools.sessions.timeout, 60*10 minutes:
// a session unused that long is forgotten; its cookie says Max-Age=36000.
const sessionTimeout = 600 * time.Minute

// sessionCookie is CherryPy's session cookie name.
const sessionCookie = "session_id"

// maxSessions bounds the sessions kept, so that a client logging in in a
// loop cannot grow the API's memory without end.
const maxSessions = 100000

// sessions is CherryPy's RamSession store as rest_cherrypy uses it: a
// session id (40 hex digits, what /login returns as the token and
// X-Auth-Token) holding the Salt eauth token of the user who logged in.
type sessions struct {
	mu   sync.Mutex
	byID map[string]*session
	now  func() time.Time
}

type session struct {
	token string // the Salt token, "" before a login
	seen  time.Time
}

func newSessions() *sessions {
	return &sessions{byID: map[string]*session{}, now: time.Now}
}

// newSessionID is CherryPy's generate_id: sha1 of random bytes, in hex.
func newSessionID() string {
	var b [20]byte
	_, _ = rand.Read(b[:])
	sum := sha1.Sum(b[:])
	return hex.EncodeToString(sum[:])
}

// load is the session a request names (X-Auth-Token, which salt_token_tool
// makes the cookie, else the cookie): its id and Salt token, or a new id
// and no token when it names none that is alive.
func (s *sessions) load(r *http.Request) (id, token string) {
	id = r.Header.Get("X-Auth-Token")
	if id == "" {
		if c, err := r.Cookie(sessionCookie); err == nil {
			id = c.Value
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if sess, ok := s.byID[id]; ok && id != "" {
		if now.Sub(sess.seen) < sessionTimeout {
			sess.seen = now
			return id, sess.token
		}
		delete(s.byID, id)
	}
	return newSessionID(), ""
}

// token is the Salt token of the session id, "" when none is alive.
func (s *sessions) token(id string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sess, ok := s.byID[id]; ok && s.now().Sub(sess.seen) < sessionTimeout {
		return sess.token
	}
	return ""
}

// login keeps token in a new session and returns its id (CherryPy keeps
// the id the request came with; a fresh one is what a client without a
// session gets, and a login under another user's id must not inherit it).
func (s *sessions) login(token string) string {
	id := newSessionID()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.byID) >= maxSessions {
		s.expireLocked()
	}
	s.byID[id] = &session{token: token, seen: s.now()}
	return id
}

// logout forgets the session id.
func (s *sessions) logout(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.byID, id)
}

// expireLocked drops timed-out sessions, and when that is not enough,
// others until half the bound is free.
func (s *sessions) expireLocked() {
	now := s.now()
	for id, sess := range s.byID {
		if now.Sub(sess.seen) >= sessionTimeout {
			delete(s.byID, id)
		}
	}
	for id := range s.byID {
		if len(s.byID) < maxSessions/2 {
			break
		}
		delete(s.byID, id)
	}
}

// setCookie is the Set-Cookie CherryPy sends with every response of a
// resource with sessions on.
func setCookie(w http.ResponseWriter, id string, now time.Time) {
	exp := now.Add(sessionTimeout).UTC().Format(http.TimeFormat)
	w.Header().Add("Set-Cookie", sessionCookie+"="+id+"; expires="+exp+"; Max-Age="+
		strconv.Itoa(int(sessionTimeout/time.Second))+"; Path=/")
}

// expireCookie is what /logout sends: cherrypy.lib.sessions.expire, a
// date a year past and no Max-Age.
func expireCookie(w http.ResponseWriter, id string, now time.Time) {
	exp := now.AddDate(-1, 0, 0).UTC().Format(http.TimeFormat)
	w.Header().Add("Set-Cookie", sessionCookie+"="+id+"; expires="+exp+"; Path=/")
}
