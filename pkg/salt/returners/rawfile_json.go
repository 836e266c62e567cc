package returners

import (
	"fmt"
	"os"
	"syscall"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// DefaultRawfileJSON is rawfile_json's file when rawfile_json.filename
// is not set.
const DefaultRawfileJSON = "/var/log/salt/events"

// rawfileJSON is salt/returners/rawfile_json.py: the return as one line
// of JSON (json.dumps's layout, non-ASCII as it is) appended to
// rawfile_json.filename, under an exclusive flock as salt.utils.files.flopen
// takes one.
type rawfileJSON struct{}

func (rawfileJSON) Name() string { return "rawfile_json" }

func (rawfileJSON) Returner(env *Env, ret body.Map) error {
	opts := options(env, "rawfile_json", ret, []attr{{"filename", "filename"}},
		map[string]any{"filename": DefaultRawfileJSON})
	name := py.Str(opts["filename"])
	if err := appendJSONLine(name, ret); err != nil {
		env.logger().Errorf("Could not write to rawdata_json file %s", name)
		return err
	}
	return nil
}

func appendJSONLine(name string, ret body.Map) error {
	line, err := py.AppendJSONLayout(nil, ret, -1, false)
	if err != nil {
		return fmt.Errorf("the return cannot be written as JSON: %w", err)
	}
	line = append(line, '\n')
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	// Other writers of the file (other jobs, Salt's own minion) append
	// whole lines between their locks too.
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("cannot lock %s: %w", name, err)
	}
	defer syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	if _, err := f.Write(line); err != nil {
		return err
	}
	return f.Close()
}
