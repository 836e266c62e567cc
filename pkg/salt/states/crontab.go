package states

import (
	"context"

	"github.com/saltraet/saltraet/pkg/salt/internal/cron"
)

// A user's crontab as salt/modules/cron.py reads and writes it, shared
// with the cron module: internal/cron.

// cronRunner runs crontab; tests replace it.
var cronRunner runner = execRunner

// cronTag is the line above which a crontab is not Salt's.
const cronTag = cron.Tag

// listTab is cron.list_tab.
func listTab(ctx context.Context, usr string) cron.Tab {
	return cron.List(ctx, cron.Runner(cronRunner), usr)
}

// writeTab is cron._write_cron_lines: "" or crontab's error.
func writeTab(ctx context.Context, t cron.Tab, usr string) string {
	return t.Write(ctx, cron.Runner(cronRunner), usr)
}
