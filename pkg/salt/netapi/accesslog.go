package netapi

import (
	"fmt"
	"net/http"
	"time"
)

// accessLine is CherryPy's access log line (cherrypy._cplogging's
// access_log_format) for a request answered with status and n bytes:
//
//	127.0.0.1 - - [08/Dec/2026:00:27:37] "POST /login HTTP/1.1" 200 214 "" "curl/7.88.1"
//
// The token and salt_token of a query string (/events?token=...) are
// masked: the log must not hand out what lets one act as the user.
func accessLine(r *http.Request, remote string, status int, n int64, at time.Time) string {
	uri := r.URL.Path
	if r.URL.RawQuery != "" {
		q := r.URL.Query()
		for _, k := range []string{"token", "salt_token"} {
			if q.Has(k) {
				q.Set(k, "...")
			}
		}
		uri += "?" + q.Encode()
	}
	size := "-"
	if n > 0 {
		size = fmt.Sprint(n)
	}
	return fmt.Sprintf(`%s - - [%s] "%s %s %s" %d %s "%s" "%s"`, remote, at.Format("02/Jan/2006:15:04:05"),
		r.Method, uri, r.Proto, status, size, r.Referer(), r.UserAgent())
}

// statusWriter remembers the status sent, for the access log.
type statusWriter struct {
	*countingWriter
	status int
	n      int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.countingWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.countingWriter.Write(b)
	w.n += int64(n)
	return n, err
}
