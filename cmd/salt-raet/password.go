package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// readPassword is Python's getpass.getpass: the prompt on the terminal
// and the answer read from it with echo off; without a terminal, the
// prompt on stderr and a line of stdin, with Python's warning.
func readPassword(stdin *bufio.Reader, stderr io.Writer, prompt string) (string, error) {
	if tty, err := os.OpenFile(ttyPath, os.O_RDWR, 0); ttyPath != "" && err == nil {
		defer tty.Close()
		if pw, err := readNoEcho(tty, prompt); err == nil {
			return pw, nil
		}
	}
	fmt.Fprintln(stderr, "Warning: Password input may be echoed.")
	fmt.Fprint(stderr, prompt)
	line, err := stdin.ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// ttyPath is the terminal getpass opens; tests have none.
var ttyPath = "/dev/tty"

// readNoEcho turns the terminal's echo off while a line is read.
func readNoEcho(tty *os.File, prompt string) (string, error) {
	fd := int(tty.Fd())
	old, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return "", err
	}
	noEcho := *old
	noEcho.Lflag &^= unix.ECHO
	noEcho.Lflag |= unix.ICANON | unix.ISIG
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, &noEcho); err != nil {
		return "", err
	}
	defer unix.IoctlSetTermios(fd, unix.TCSETS, old)
	fmt.Fprint(tty, prompt)
	line, err := bufio.NewReader(tty).ReadString('\n')
	fmt.Fprintln(tty)
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}
