package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
)

func newKeygen(stdout io.Writer) *cobra.Command {
	var sigkey, prikey string
	cmd := &cobra.Command{
		Use:   "keygen",
		Short: "Print an estate's long-term keys as JSON: {sighex, prihex, verhex, pubhex}",
		Long: `Print an estate's long-term keys as one JSON object:
sighex (the Ed25519 signing seed), prihex (the Curve25519 private key), and
the public keys derived from them, verhex and pubhex. Keys are random unless
given with --sigkey or --prikey, in which case their public halves are derived.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			signer, err := signerFrom(sigkey)
			if err != nil {
				return fmt.Errorf("--sigkey: %w", err)
			}
			priv, err := privateerFrom(prikey)
			if err != nil {
				return fmt.Errorf("--prikey: %w", err)
			}
			return writeJSON(stdout, body.Map{
				{Key: "sighex", Value: signer.SeedHex()},
				{Key: "prihex", Value: priv.Hex()},
				{Key: "verhex", Value: signer.VerHex()},
				{Key: "pubhex", Value: priv.PubHex()},
			})
		},
	}
	cmd.Flags().StringVar(&sigkey, "sigkey", "", "Ed25519 signing seed, 64 hex digits (random when absent)")
	cmd.Flags().StringVar(&prikey, "prikey", "", "Curve25519 private key, 64 hex digits (random when absent)")
	return cmd
}

func signerFrom(hexKey string) (*raet.Signer, error) {
	return keyFrom(hexKey, raet.GenerateSigner, raet.NewSigner)
}

func privateerFrom(hexKey string) (*raet.Privateer, error) {
	return keyFrom(hexKey, raet.GeneratePrivateer, raet.NewPrivateer)
}

// keyFrom makes a key from 64 hex digits, or a random one when hexKey is
// empty.
func keyFrom[K any](hexKey string, generate func() (K, error), fromBytes func([]byte) (K, error)) (K, error) {
	if hexKey == "" {
		return generate()
	}
	k, err := raet.KeyHex(hexKey)
	if err != nil {
		var zero K
		return zero, err
	}
	return fromBytes(k[:])
}

// writeJSON writes one value as a line of compact JSON.
func writeJSON(w io.Writer, v any) error {
	b, err := body.AppendJSON(nil, v)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
