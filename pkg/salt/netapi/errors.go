package netapi

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// CherryPyVersion is the version the error pages and Server header name:
// Salt 3006's rest_cherrypy runs on CherryPy 18.8, and clients that read
// the pages see the same text.
const CherryPyVersion = "18.8.0"

// HTTPError is cherrypy.HTTPError: a status and the message its error page
// shows. Message "" is the status's default message.
type HTTPError struct {
	Status  int
	Message string
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("%d %s: %s", e.Status, http.StatusText(e.Status), e.message())
}

func (e *HTTPError) message() string {
	if e.Message != "" {
		return e.Message
	}
	if m, ok := defaultMessages[e.Status]; ok {
		return m
	}
	return http.StatusText(e.Status)
}

// httpErr makes an HTTPError.
func httpErr(status int, msg string) *HTTPError { return &HTTPError{Status: status, Message: msg} }

// defaultMessages are CherryPy's (cherrypy.lib.httputil.response_codes).
var defaultMessages = map[int]string{
	400: "Bad request syntax or unsupported method",
	401: "No permission -- see authorization schemes",
	403: "Request forbidden -- authorization will not help",
	404: "Nothing matches the given URI",
	405: "Specified method is invalid for this resource",
	406: "URI not available in preferred format",
	413: "Entity is too large",
	500: "The server encountered an unexpected condition which prevented it from fulfilling the request.",
	503: "The server is currently unable to handle the request due to a temporary overloading or maintenance of the server.",
	504: "The gateway server did not receive a timely response",
}

// reasons are the status lines' reasons where Go's differ from CherryPy's.
func reason(status int) string {
	if status == http.StatusRequestEntityTooLarge {
		return "Request Entity Too Large"
	}
	return http.StatusText(status)
}

// errorPage is CherryPy's _HTTPErrorTemplate, as rest_cherrypy sends it
// for every HTTPError whatever the Accept header (production: no
// traceback).
const errorPage = `<!DOCTYPE html PUBLIC
"-//W3C//DTD XHTML 1.0 Transitional//EN"
"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html>
<head>
    <meta http-equiv="Content-Type" content="text/html; charset=utf-8"></meta>
    <title>%[1]s</title>
    <style type="text/css">
    #powered_by {
        margin-top: 20px;
        border-top: 2px solid black;
        font-style: italic;
    }

    #traceback {
        color: red;
    }
    </style>
</head>
    <body>
        <h2>%[1]s</h2>
        <p>%[2]s</p>
        <pre id="traceback"></pre>
    <div id="powered_by">
      <span>
        Powered by <a href="http://www.cherrypy.dev">CherryPy %[3]s</a>
      </span>
    </div>
    </body>
</html>
`

// writeError sends e as CherryPy's error page.
func writeError(w http.ResponseWriter, e *HTTPError) {
	status := strconv.Itoa(e.Status) + " " + reason(e.Status)
	page := fmt.Sprintf(errorPage, status, escapeHTML(e.message()), CherryPyVersion)
	h := w.Header()
	h.Set("Content-Type", "text/html;charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(page)))
	w.WriteHeader(e.Status)
	_, _ = w.Write([]byte(page))
}

// escapeHTML is html.escape(message, quote=False), as CherryPy escapes
// the message: quotes stay as they are.
var escapeHTML = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace
