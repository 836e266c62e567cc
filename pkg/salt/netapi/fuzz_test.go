package netapi

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// A hostile client's body, of any content type, is an answer with a
// status, never a panic: the body decoders, the lowstate and the encoder
// of what comes back all take it.
func FuzzRequestBody(f *testing.F) {
	for _, s := range []string{
		`[{"client":"local","tgt":"*","fun":"test.ping"}]`, `{"arg": 1}`, `[{"client":`,
		"client=local&arg=1&arg=%5B1%2C2%5D&kwarg=%7Ba%3A+1%7D", "a=%zz", "- {client: local}\n- &a [*a]",
		"x: !!binary AA==", "", "\x00\xff",
	} {
		for _, ct := range []string{"application/json", "application/x-www-form-urlencoded", "application/x-yaml", "text/plain"} {
			f.Add(ct, []byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, ct string, b []byte) {
		r := httptest.NewRequest("POST", "/", bytes.NewReader(b))
		r.Header.Set("Content-Type", ct)
		req, err := readBody(r, 1<<20)
		if err != nil {
			if _, ok := err.(*HTTPError); !ok {
				t.Fatalf("error %T %v, want an HTTPError", err, err)
			}
			return
		}
		c := &call{s: New(Options{}, echoBackend{}), w: httptest.NewRecorder(), r: r}
		ret, err := c.execLowstate(lowstate(req.data), "", "")
		if err != nil {
			if st, _ := statusOf(err); st == 0 {
				t.Fatalf("lowstate error %v has no status", err)
			}
			return
		}
		if _, err := encode(ctJSON, body.Map{{Key: "return", Value: ret}}); err != nil {
			t.Logf("not serializable (a 500 with Salt's message): %v", err)
		}
	})
}

// echoBackend returns each lowstate chunk as its return.
type echoBackend struct{}

func (echoBackend) MkToken(body.Map) (body.Map, error)               { return nil, nil }
func (echoBackend) GetToken(string) body.Map                         { return nil }
func (echoBackend) RmToken(string)                                   {}
func (echoBackend) Perms(body.Map) []any                             { return nil }
func (echoBackend) Run(_ context.Context, low body.Map) (any, error) { return low, nil }
func (echoBackend) Fire(string, body.Map) error                      { return nil }
func (echoBackend) Events() (EventStream, error)                     { return nil, http.ErrNotSupported }
func (echoBackend) MasterRunning() bool                              { return true }
