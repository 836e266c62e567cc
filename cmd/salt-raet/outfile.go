package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/spf13/pflag"
)

// addOutputFlags adds the options that change what the command prints
// besides --out: --out-file, --out-file-append, --summary and --progress.
func (o *options) addOutputFlags(f *pflag.FlagSet) {
	f.StringVar(&o.outFile, "out-file", "", "Write the output to the specified file.")
	f.StringVar(&o.outFile, "output-file", "", "The same as --out-file.")
	f.BoolVar(&o.outFileAppend, "out-file-append", false, "Append the output to the specified file.")
	f.BoolVar(&o.outFileAppend, "output-file-append", false, "The same as --out-file-append.")
	f.BoolVar(&o.summary, "summary", false, "Display summary information about a salt command.")
	f.BoolVarP(&o.progress, "progress", "p", false, "Display a progress graph of the minions that returned (on stderr), then the summary.")
}

// prepareOutFile empties an existing --out-file unless --out-file-append
// says to add to it, as Salt's process_output_file does; the file keeps
// its permissions. The returns are then appended to it one by one.
func (o *options) prepareOutFile() error {
	if o.outFile == "" || o.outFileAppend {
		return nil
	}
	fi, err := os.Stat(o.outFile)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && !fi.Mode().IsRegular()) {
		return nil
	}
	if err == nil {
		var f *os.File
		if f, err = os.OpenFile(o.outFile, os.O_WRONLY|os.O_TRUNC, 0); err == nil {
			return f.Close()
		}
	}
	return fmt.Errorf("%s: Access denied: %v", o.outFile, err)
}

// emit writes what an outputter printed: to stdout, or appended to
// --out-file (opened for each return, as display_output does).
func (s *saltCmd) emit(text []byte) {
	if len(text) == 0 {
		return
	}
	if s.o.outFile == "" {
		s.stdout.Write(text)
		return
	}
	f, err := os.OpenFile(s.o.outFile, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o666)
	if err == nil {
		_, err = f.Write(text)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		s.errorf("cannot write the output to --out-file %s: %v", s.o.outFile, err)
	}
}
