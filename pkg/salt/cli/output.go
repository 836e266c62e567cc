package cli

import (
	"os"
	"os/user"
	"strings"

	"github.com/saltraet/saltraet/pkg/salt/output"
)

// OutputFlags are the outputter flags salt, salt-run and salt-call share.
type OutputFlags struct {
	// Color is whether to colour: --force-color, or a terminal without
	// --no-color.
	Color bool
	// StateOutput and StateVerbose are --state-output and --state-verbose
	// ("" when not given).
	StateOutput, StateVerbose string
	// IndentSet says --out-indent was given, as Indent.
	IndentSet bool
	Indent    int
}

// OutputOptions are the outputters' options from the flags over the
// config (raw): the highstate outputter's state_output and state_verbose,
// and the indent from --out-indent or else output_indent (a number, or
// "pretty"). As in Salt, --state-verbose is False for "False" or "false",
// and any other text is a true value.
func OutputOptions(raw map[string]any, f OutputFlags) output.CLIOptions {
	opts := output.CLIOptions{Color: f.Color}
	hs := output.HighstateConfig(raw)
	if f.StateOutput != "" {
		hs.StateOutput = f.StateOutput
	}
	switch f.StateVerbose {
	case "":
	case "False", "false":
		hs.Quiet = true
	default:
		hs.Quiet = false
	}
	opts.State = hs
	if f.IndentSet {
		n := f.Indent
		opts.OutputIndent = &n
		return opts
	}
	switch v := raw["output_indent"].(type) {
	case int:
		opts.OutputIndent = &v
	case string:
		opts.Pretty = v == "pretty"
	}
	return opts
}

// Users returns the user a command acts as (load.user,
// salt.utils.user.get_specific_user: the current user, or sudo_<user>
// for root under sudo) and the user whose access key it reads
// (LocalClient.__read_master_key: that user, except that root and sudo
// users read the key of the configured user).
func Users(configUser string) (actUser, keyUser string) {
	name := "root"
	if u, err := user.Current(); err == nil {
		name = u.Username
	} else if env := os.Getenv("USER"); env != "" {
		name = env
	}
	actUser = name
	if name == "root" {
		if su := os.Getenv("SUDO_USER"); su != "" {
			actUser = "sudo_" + su
		}
	}
	keyUser = actUser
	if configUser == "" {
		configUser = "root"
	}
	if keyUser == "root" || strings.HasPrefix(keyUser, "sudo_") {
		keyUser = configUser
	}
	return actUser, keyUser
}
