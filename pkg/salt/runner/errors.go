package runner

import "errors"

var errNoMaster = errors.New("no master to connect to")
