// Package filemod is the core of Salt's file execution module
// (salt/modules/file.py, salt/utils/files.py): stats, ownership and modes,
// diffs, writing files into place with backups, and the text edits
// (replace, blockreplace, line). The file states and the file execution
// module both use it, so that both behave as the one Python module does.
package filemod
