package job

import (
	"strings"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// A compound command's return: success and retcode by function, read as
// all succeeded and the highest retcode; the load is kept as it came.
func TestParseReturnCompound(t *testing.T) {
	load := body.Map{
		{Key: "success", Value: body.Map{{Key: "test.ping", Value: true}, {Key: "test.retcode", Value: false}}},
		{Key: "return", Value: body.Map{{Key: "test.ping", Value: true}, {Key: "test.retcode", Value: true}}},
		{Key: "retcode", Value: body.Map{{Key: "test.ping", Value: int64(0)}, {Key: "test.retcode", Value: int64(3)}}},
		{Key: "jid", Value: "20260101000000000001"},
		{Key: "fun", Value: []any{"test.ping", "test.retcode"}},
		{Key: "id", Value: "m1"},
	}
	r, err := ParseReturn(load)
	if err != nil || r.Success || r.Retcode == nil || *r.Retcode != 3 {
		t.Fatalf("ParseReturn: %+v %v", r, err)
	}
	if rc, _ := r.Load.Map("retcode"); len(rc) != 2 {
		t.Errorf("the load's retcode mapping was not kept: %v", r.Load)
	}
	load.Set("retcode", body.Map{{Key: "test.ping", Value: "x"}})
	if _, err := ParseReturn(load); err == nil || !strings.Contains(err.Error(), "retcode is") {
		t.Errorf("a mapping of a non-integer retcode: %v", err)
	}
	load.Set("retcode", int64(0))
	load.Set("success", body.Map{{Key: "test.ping", Value: "yes"}})
	if _, err := ParseReturn(load); err == nil || !strings.Contains(err.Error(), "success is") {
		t.Errorf("a mapping of a non-bool success: %v", err)
	}
}
