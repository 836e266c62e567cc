package pki_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/saltraet/saltraet/internal/testutil"
	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/road"
	"github.com/saltraet/saltraet/pkg/raet/road/keep"
	"github.com/saltraet/saltraet/pkg/salt/pki"
)

// The store decides a road stack's joins: a minion's join over real UDP is
// pended and its key written to pending/, and accepting it there (what
// salt-key-raet -a does) completes the waiting join, with no restart.
func TestStoreDecidesRoadJoins(t *testing.T) {
	dir := t.TempDir()
	store, err := pki.Open(filepath.Join(dir, "pki"), pki.Options{})
	if err != nil {
		t.Fatal(err)
	}
	stack := func(name string, main bool, acceptor road.Acceptor) *road.Stack {
		conn, err := road.ListenUDP("127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		k, err := keep.Open(filepath.Join(dir, name), keep.KindJSON, raet.AutoAlways)
		if err != nil {
			t.Fatal(err)
		}
		signer, _ := raet.GenerateSigner()
		priv, _ := raet.GeneratePrivateer()
		s, err := road.NewStack(road.Config{Name: name, Role: name, Main: main, Signer: signer, Privateer: priv,
			Conn: conn, Keep: k, Acceptor: acceptor, Timers: road.Timers{JoinentTimeout: road.Never, JoinerTimeout: road.Never}})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		go s.Run(ctx)
		t.Cleanup(func() { cancel(); <-s.Done() })
		return s
	}
	master := stack("saltmaster_master", true, store)
	minion := stack("web1", false, nil)
	uid, err := minion.Join(master.LocalAddr(), true)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "web1's key pending", func() bool {
		_, err := os.Stat(filepath.Join(dir, "pki", "pending", "web1"))
		return err == nil
	})
	if minion.Remotes()[uid].Joined == road.Yes {
		t.Fatal("joined before the key was accepted")
	}
	if err := store.Accept("web1"); err != nil {
		t.Fatal(err)
	}
	accepted := time.Now()
	waitFor(t, "joined and allowed", func() bool { return minion.Remotes()[uid].Allowed == road.Yes })
	t.Logf("joined %v after the key was accepted", time.Since(accepted).Round(time.Millisecond))
	k, err := store.Get("web1")
	if err != nil || k.Status != raet.Accepted {
		t.Fatalf("web1's key: %+v %v", k, err)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	testutil.WaitFor(t, what, 30*time.Second, cond)
}
