package road

// Remote returns what the stack knows of the remote with this uid, and
// false when it has none. A daemon following the events of thousands of
// remotes asks about one at a time: Remotes copies them all.
func (s *Stack) Remote(uid uint32) (RemoteState, bool) {
	var rs RemoteState
	var ok bool
	s.do(func(c *core) {
		if r := c.remotes[uid]; r != nil {
			rs, ok = r.state(), true
		}
	})
	return rs, ok
}
