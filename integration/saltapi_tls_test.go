package integration

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/saltraet/saltraet/internal/testutil"
)

// TLS as rest_cherrypy serves it by default: salt-api-raet refuses to
// start without the certificate files, --gen-cert writes a self-signed
// pair (the key private), and then the real salt-pepper and curl speak
// HTTPS to it; curl trusts it only when given the certificate.
func TestSaltAPITLS(t *testing.T) {
	port := testutil.FreeTCPPort(t)
	pre := newInstall(t)
	crt, key := filepath.Join(pre.root, "pki", "api.crt"), filepath.Join(pre.root, "pki", "api.key")
	rest := fmt.Sprintf("rest_cherrypy:\n  port: %d\n  host: 127.0.0.1\n  ssl_crt: %s\n  ssl_key: %s\n", port, crt, key)
	c := newCluster(t, true, apiConfig, rest)
	if r := c.master.run("salt-api-raet"); r.code != 1 || !strings.Contains(r.stderr, "Could not find a certificate: "+crt) {
		t.Fatalf("salt-api-raet without its certificate: exit %d %q", r.code, r.stderr)
	}
	r := c.master.run("salt-api-raet", "--gen-cert")
	if r.code != 0 || !strings.Contains(r.stdout, crt) {
		t.Fatalf("--gen-cert: exit %d %q %q", r.code, r.stdout, r.stderr)
	}
	if fi, err := os.Stat(key); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the key file: %v %v, want mode 0600", fi, err)
	}
	if r := c.master.run("salt-api-raet", "--gen-cert"); r.code != 1 || !strings.Contains(r.stderr, "exists") {
		t.Fatalf("a second --gen-cert must keep the files: exit %d %q", r.code, r.stderr)
	}
	a := &apiCluster{cluster: c, url: fmt.Sprintf("https://127.0.0.1:%d", port)}
	a.api = c.master.start("salt-api-raet")
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("curl is not installed")
	}
	eventually(t, "salt-api-raet answers over TLS", func() (bool, string) {
		out, err := exec.Command(curl, "-sS", "--cacert", crt, a.url+"/").CombinedOutput()
		return err == nil && strings.Contains(string(out), `"return": "Welcome"`), string(out)
	})
	if out, err := exec.Command(curl, "-sS", a.url+"/").CombinedOutput(); err == nil {
		t.Fatalf("curl trusted a self-signed certificate it was not given: %s", out)
	}
	ret := pepperReturn(t, a.pepper("fred", "s3cret", "sharedsecret", "--ignore-ssl-errors", "--client", "wheel", "key.list_all"))
	w, _ := ret[0].(map[string]any)
	if data, _ := w["data"].(map[string]any); data["success"] != true {
		t.Fatalf("pepper over TLS: %v", ret)
	}
}
