package delivery

import (
	"errors"
	"testing"
	"time"
)

func TestOutcomeIsKnownOnceFinished(t *testing.T) {
	o, finish := New()
	select {
	case <-o.Done():
		t.Fatal("Done closed before finish")
	default:
	}
	want := errors.New("gone")
	go finish(want)
	select {
	case <-o.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("Done not closed after finish")
	}
	if err := o.Err(); err != want {
		t.Fatalf("Err() = %v, want %v", err, want)
	}
	if err := o.Err(); err != want {
		t.Fatalf("second Err() = %v, want %v", err, want)
	}
}

func TestOutcomeSuccessIsNil(t *testing.T) {
	o, finish := New()
	finish(nil)
	if err := o.Err(); err != nil {
		t.Fatalf("Err() = %v, want nil", err)
	}
}
