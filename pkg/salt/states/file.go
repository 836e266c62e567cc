package states

import "github.com/saltraet/saltraet/pkg/salt/state"

// The file states (salt/states/file.py).

func registerFile(r state.Registry) {
	r["file.managed"] = fileManaged
}
