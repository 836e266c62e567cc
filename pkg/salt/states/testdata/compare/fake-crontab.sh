#!/bin/sh
# fake crontab: tabs kept in $FAKECRON_DIR/<user>
dir=${FAKECRON_DIR:-/tmp/fakecron/tabs}; mkdir -p $dir
u=$(id -un)
if [ "$1" = "-u" ]; then u=$2; shift 2; fi
if [ "$1" = "-l" ]; then
  if [ -f $dir/$u ]; then cat $dir/$u; exit 0; fi
  echo "no crontab for $u" >&2; exit 1
fi
cat "$1" > $dir/$u
