package main

import (
	"bytes"
	"crypto/tls"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/salt/config"
)

// loadConf writes a master config with the given text under a temporary
// root and loads it as the command does.
func loadConf(t *testing.T, text string) (*config.Master, string) {
	t.Helper()
	root := t.TempDir()
	conf := filepath.Join(root, "etc")
	if err := os.MkdirAll(conf, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(conf, "master"), []byte("transport: raet\nroot_dir: "+root+"\n"+text), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Loader{Program: prog}.LoadMaster(conf)
	if err != nil {
		t.Fatal(err)
	}
	return cfg, conf
}

func TestReadAPIOpts(t *testing.T) {
	cfg, _ := loadConf(t, `rest_cherrypy:
  port: 8123
  disable_ssl: True
  root_prefix: /salt-api
  webhook_url: /wh
  thread_pool: 7
  max_request_body_size: 0
  enable_sessions: False
  authorized_ips: [10.0.0.1]
  api_acl:
    users:
      fred: ['*']
`)
	o, err := readAPIOpts(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if o.addr() != "0.0.0.0:8123" || !o.disableSSL || o.threadPool != 7 || o.server.RootPrefix != "/salt-api" ||
		o.server.WebhookURL != "/wh" || o.server.MaxRequestBodySize != -1 || !o.server.DisableSessions ||
		len(o.server.AuthorizedIPs) != 1 || o.server.APIACL["fred"][0] != "*" {
		t.Fatalf("options %+v", o)
	}
	if err := o.check(); err != nil {
		t.Fatal(err)
	}
	cfg, _ = loadConf(t, "rest_cherrypy:\n  host: 127.0.0.1\n")
	o, _ = readAPIOpts(cfg)
	if err := o.check(); err == nil || !strings.Contains(err.Error(), "'port' not specified in config") {
		t.Fatalf("no port: %v", err)
	}
	cfg, _ = loadConf(t, "rest_cherrypy:\n  port: 8000\n")
	o, _ = readAPIOpts(cfg)
	if err := o.check(); err == nil || !strings.Contains(err.Error(), "Options 'ssl_crt' and 'ssl_key' are required if SSL is not disabled.") {
		t.Fatalf("TLS without certificates: %v", err)
	}
	cfg, _ = loadConf(t, "rest_cherrypy:\n  port: 8000\n  thread_pool: many\n")
	if _, err := readAPIOpts(cfg); err == nil || !strings.Contains(err.Error(), "thread_pool") {
		t.Fatalf("a bad thread_pool: %v", err)
	}
}

func TestGenCertCommand(t *testing.T) {
	dir := t.TempDir()
	crt, key := filepath.Join(dir, "tls", "api.crt"), filepath.Join(dir, "tls", "api.key")
	_, conf := loadConf(t, "rest_cherrypy:\n  port: 8000\n  ssl_crt: "+crt+"\n  ssl_key: "+key+"\n")
	var out, errb bytes.Buffer
	if code := run([]string{"-c", conf, "--gen-cert"}, nil, &out, &errb); code != 0 {
		t.Fatalf("--gen-cert: %d %s", code, errb.String())
	}
	pair, err := tls.LoadX509KeyPair(crt, key)
	if err != nil {
		t.Fatalf("the pair written does not load: %v", err)
	}
	if pair.Leaf == nil || pair.Leaf.Subject.CommonName != "localhost" || pair.Leaf.NotAfter.Before(time.Now().AddDate(0, 11, 0)) {
		t.Fatalf("certificate %+v", pair.Leaf)
	}
	if code := run([]string{"-c", conf, "--gen-cert"}, nil, &out, &errb); code == 0 {
		t.Fatal("a second --gen-cert replaced the pair")
	}
}
