// Package delivery is the result of a send that a stack learns later: the
// road's Delivery (the remote said done, or why not) and the lane's (the
// pages reached the yard's socket, or why not) are both one of these, set
// once by the stack and waited on by the sender.
package delivery

// Outcome is one send's result. Only the stack that made it, holding the
// finish function New returned, can set it, so a sender cannot end a
// delivery that is still under way.
type Outcome struct {
	done chan struct{}
	err  error
}

// New returns an outcome not known yet and the function that sets it,
// which must be called exactly once.
func New() (*Outcome, func(error)) {
	o := &Outcome{done: make(chan struct{})}
	return o, func(err error) {
		o.err = err
		close(o.done)
	}
}

// Done is closed once the outcome is known.
func (o *Outcome) Done() <-chan struct{} { return o.done }

// Err waits for the outcome and returns it: nil when the send succeeded.
func (o *Outcome) Err() error {
	<-o.done
	return o.err
}
