package states

import "github.com/saltraet/saltraet/pkg/salt/state"

// The file states (salt/states/file.py).

func registerFile(r state.Registry) {
	r["file.managed"] = fileManaged
	r["file.directory"] = fileDirectory
	r["file.absent"] = fileAbsent
	r["file.exists"] = fileExists
	r["file.missing"] = fileMissing
	r["file.touch"] = fileTouch
	r["file.copy"] = fileCopy
	r["file.rename"] = fileRename
	r["file.symlink"] = fileSymlink
	r["file.replace"] = fileReplace
	r["file.append"] = fileAppend
	r["file.prepend"] = filePrepend
	r["file.blockreplace"] = fileBlockreplace
	r["file.line"] = fileLine
	r["file.recurse"] = fileRecurse
}
