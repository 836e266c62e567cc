package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/saltraet/saltraet/pkg/salt/cli"
	"github.com/saltraet/saltraet/pkg/salt/client"
)

// printProgress is the salt command with --progress, as Salt 3006 runs
// it: no return is printed; a progress bar of the minions that returned
// is drawn on stderr as each return comes (salt/output/progress.py over
// progressbar 2), then the summary is printed. As in Salt, the exit
// status is 0 once the job was published, whatever the minions returned:
// the summary says how many failed or did not return.
func (s *saltCmd) printProgress(ctx context.Context, c *client.LocalClient, jid string, minions []string) int {
	showMissing := !s.o.hideTimeout || s.o.verbose
	s.printJoining(ctx, c)
	bar := newProgressBar(s.stderr, len(minions), time.Now)
	bar.update(0)
	var t tally
	for r := range c.Returns(ctx, jid, minions, s.timeout) {
		if r.Missing != "" {
			if showMissing {
				t.add(r)
			}
			continue
		}
		t.add(r)
		bar.update(t.returned)
	}
	if ctx.Err() != nil {
		fmt.Fprintf(s.stderr, "\nExiting gracefully on Ctrl-c\nThis job's jid is: %s\n", jid)
		return exitGeneric
	}
	// Salt's progress_end calls a stop() progressbar 2 does not have: the
	// bar is left without its final newline, and the summary follows.
	s.printSummary(&t)
	return exitOK
}

// progressBar is progressbar 2.5's ProgressBar with the widgets of
// salt/output/progress.py: Percentage, " ", Bar, " ", Timer,
// " Returns: [", Counter, "/<minions>]", each drawing a line padded to
// the width and ended by a carriage return.
type progressBar struct {
	w       io.Writer
	max     int // the bar's maximum
	minions int // the "/<minions>]" of the label, fixed as Salt's
	width   int
	start   time.Time
	now     func() time.Time
}

func newProgressBar(w io.Writer, max int, now func() time.Time) *progressBar {
	return &progressBar{w: w, max: max, minions: max, width: termWidth(w), start: now(), now: now}
}

// termWidth is progressbar's width: the terminal's when w is one, else
// $COLUMNS - 1, else 79.
func termWidth(w io.Writer) int {
	if n, ok := cli.TermWidth(w); ok {
		return n
	}
	if n, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && n > 1 {
		return n - 1
	}
	return 79
}

// update draws the bar at val returns; more returns than minions (a
// syndic's, in Salt) raise the maximum.
func (p *progressBar) update(val int) {
	if val > p.max {
		p.max = val
	}
	fmt.Fprint(p.w, p.line(val, p.now().Sub(p.start))+"\r")
}

// line is the bar's text at val returns after elapsed.
func (p *progressBar) line(val int, elapsed time.Duration) string {
	pct := 100.0
	if val < p.max && p.max > 0 {
		pct = float64(val) * 100 / float64(p.max)
	}
	secs := int(elapsed.Seconds())
	head := fmt.Sprintf("%3d%%", int(pct)) + " "
	tail := fmt.Sprintf(" Elapsed Time: %d:%02d:%02d Returns: [%d/%d]", secs/3600, secs/60%60, secs%60, val, p.minions)
	inner := max(p.width-len(head)-len(tail), 2) - 2
	marked := 0
	if p.max > 0 {
		marked = int(float64(val) / float64(p.max) * float64(inner))
	}
	bar := "|" + strings.Repeat("#", marked) + strings.Repeat(" ", inner-marked) + "|"
	line := head + bar + tail
	if n := p.width - len(line); n > 0 {
		line += strings.Repeat(" ", n)
	}
	return line
}
