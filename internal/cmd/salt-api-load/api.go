package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// apiClient speaks the part of rest_cherrypy a client needs: /login for a
// token, then POST / with the token in X-Auth-Token.
type apiClient struct {
	base  string
	http  *http.Client
	token string
}

// statusError is an answer other than 200, with the start of its body.
type statusError struct {
	code int
	body string
}

func (e *statusError) Error() string { return fmt.Sprintf("HTTP %d: %s", e.code, e.body) }

func (a *apiClient) login(ctx context.Context, user, pass, eauth string) error {
	form := url.Values{"username": {user}, "password": {pass}, "eauth": {eauth}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.base+"/login", bytes.NewBufferString(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	var ret struct {
		Return []struct {
			Token string `json:"token"`
		} `json:"return"`
	}
	if err := a.do(req, &ret); err != nil {
		return fmt.Errorf("login as %s (%s): %w", user, eauth, err)
	}
	if len(ret.Return) == 0 || ret.Return[0].Token == "" {
		return fmt.Errorf("login as %s (%s): no token in the answer", user, eauth)
	}
	a.token = ret.Return[0].Token
	return nil
}

// run posts one lowstate chunk and returns how many minions answered (the
// keys of the first return), as a local client's caller counts them.
func (a *apiClient) run(ctx context.Context, low map[string]any) (int, error) {
	b, err := json.Marshal([]any{low})
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.base+"/", bytes.NewReader(b))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Auth-Token", a.token)
	var ret struct {
		Return []json.RawMessage `json:"return"`
	}
	if err := a.do(req, &ret); err != nil {
		return 0, err
	}
	if len(ret.Return) == 0 {
		return 0, fmt.Errorf("an empty return")
	}
	var byMinion map[string]json.RawMessage
	if json.Unmarshal(ret.Return[0], &byMinion) != nil {
		return 1, nil // a runner's or wheel's return: one answer
	}
	return len(byMinion), nil
}

func (a *apiClient) do(req *http.Request, into any) error {
	req.Header.Set("Accept", "application/json")
	resp, err := a.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		if len(body) > 200 {
			body = body[:200]
		}
		return &statusError{code: resp.StatusCode, body: string(body)}
	}
	if err := json.Unmarshal(body, into); err != nil {
		return fmt.Errorf("the answer is not JSON: %w", err)
	}
	return nil
}
