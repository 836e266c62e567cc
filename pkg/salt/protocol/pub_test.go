package protocol_test

// The tests of the pub load moved here from pkg/salt/job with PubLoad,
// PublishReply and NoMinionsReply.

import (
	"strings"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/job"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

func TestPubLoadMatchesPayloads(t *testing.T) {
	load := cliLoad(t)
	load.Set("jid", exampleJID)
	pub := protocol.PubLoad(load, exampleJID)
	sameJSON(t, "pub", pub, sub(t, payload(t, "publish-to-minion.json"), "pub"))
	sameJSON(t, "worker reply", protocol.PublishReply(pub, []string{"web1"}),
		sub(t, payload(t, "publish-worker-reply.json"), "return"))
	sameJSON(t, "no minions reply", protocol.NoMinionsReply(),
		sub(t, payload(t, "publish-no-minions-reply.json"), "return"))
	if pub.Has("key") || pub.Has("kwargs") || pub.Has("cmd") {
		t.Errorf("pub leaks load fields: %v", pub.Keys())
	}
}

func TestPubLoadOptionalFieldsInSaltOrder(t *testing.T) {
	kwargs := body.Map{
		{Key: "ret_kwargs", Value: body.Map{{Key: "x", Value: 1}}},
		{Key: "metadata", Value: body.Map{{Key: "m", Value: 1}}},
		{Key: "delimiter", Value: ";"},
		{Key: "id", Value: "syndic1"},
		{Key: "ret_config", Value: "alt"},
		{Key: "show_jid", Value: false},
	}
	load := job.PublishLoad(job.Publish{Tgt: "G@os;Debian", TgtType: "compound", Fun: "test.ping",
		Kwargs: kwargs, User: "sudo_alice", To: ptr(10)})
	pub := protocol.PubLoad(load, exampleJID)
	want := "fun arg tgt jid ret delimiter id tgt_type to ret_config metadata ret_kwargs user"
	if got := strings.Join(pub.Keys(), " "); got != want {
		t.Errorf("keys %s\nwant %s", got, want)
	}
	// The default delimiter is not sent.
	load = job.PublishLoad(job.Publish{Tgt: "*", Fun: "test.ping", Kwargs: job.CLIKwargs(true, false, ":", true)})
	if protocol.PubLoad(load, exampleJID).Has("delimiter") {
		t.Error("default delimiter sent")
	}
}
