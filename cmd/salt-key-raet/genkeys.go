package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/saltraet/saltraet/pkg/salt/cli"
	"github.com/saltraet/saltraet/pkg/salt/config"
	"github.com/saltraet/saltraet/pkg/salt/output"
	"github.com/saltraet/saltraet/pkg/salt/pki"
)

// genKeys is --gen-keys NAME [--gen-keys-dir DIR]: Key.gen_keys for RAET.
// It writes DIR/NAME.key (the minion's local.key: {priv, sign}, mode 0400)
// and DIR/NAME.pub (the master's accepted/NAME: {minion_id, pub, verify},
// mode 0644), creating DIR, and prints the fingerprint salt-key -f will
// show for the key as Salt 3006 prints gen_keys' return: {"return": <fp>},
// through the nested outputter when the key outputter is asked for (Salt's
// key outputter cannot show it and falls back to nested). An existing
// NAME.key is kept, as Salt keeps an existing NAME.pem. --keysize is
// ignored: RAET's keys have one size.
//
// The master config is read only for --log-level's default and --out's
// colours; as in Salt, a config directory that cannot be read is no error
// here (Salt then reads its config from the gen_keys_dir).
func genKeys(o *options, name string, stdout, stderr io.Writer) int {
	level := "warning"
	if _, err := os.Stat(o.configDir); err == nil {
		loader := config.Loader{Program: prog, Hostname: cli.Hostname(prog)}
		cfg, err := loader.LoadMaster(o.configDir)
		if err != nil {
			cli.PrintError(stderr, err)
			return exitError
		}
		level = cfg.LogLevel
	}
	if o.logLevel != "" {
		level = strings.ToLower(o.logLevel)
	}
	log := newLogger(stderr, level)
	g, err := pki.GenKeys(o.genKeysDir, name)
	if err != nil {
		cli.PrintError(stderr, fmt.Errorf("cannot generate the keys of %s in %s (--gen-keys-dir): %w", name, o.genKeysDir, err))
		return exitError
	}
	if g.Kept {
		log.infof("Kept the existing keys of %s in %s", name, g.KeyPath)
	} else {
		log.infof("Wrote %s (install it as the minion's local.key) and %s (install it as the master's accepted/%s)", g.KeyPath, g.PubPath, name)
	}
	if o.quiet {
		return exitOK
	}
	color := o.forceColor || (!o.noColor && cli.IsTerminal(stdout))
	data := output.Map{{Key: "return", Value: pki.ColonHex(g.Fingerprint())}}
	outputer := outputter(o, log)
	if outputer == "key" {
		outputer = "nested" // the key outputter cannot show a return
	}
	if err := output.Display(stdout, outputer, data, output.Options{Color: color}); err != nil {
		cli.PrintError(stderr, err)
		return exitError
	}
	return exitOK
}
