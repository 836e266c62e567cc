// Package fileserver is the master's file server: Salt's "roots" backend
// over file_roots, answering the file client's commands (_serve_file,
// _file_hash, _file_list, ...) as Salt 3006's Fileserver and
// salt/fileserver/roots.py do.
//
// Salt's semantics are kept where an operator can see them: environments
// are the keys of file_roots (with "__env__" standing in for any other), the
// first root of an environment that has a path wins, file_ignore_regex and
// file_ignore_glob hide files (matched against the full path when a file is
// looked up, the relative path when listing, as roots.py does), lists are
// sorted and filtered by a string prefix, and hashes use hash_type.
//
// One thing is stricter than Salt, on purpose: nothing outside the roots is
// ever served or listed. A path that is absolute, has a ".." component or a
// NUL, or resolves (through symlinks) to a place outside the root it was
// found in, is refused; Serve logs the refusal at warning with the minion id
// and answers as for a file that is not there. Salt follows symlinks out of
// its roots by default (fileserver_followsymlinks); a minion that may ask
// for any path should not be able to read the master's keys through a link
// someone left in a formula.
package fileserver
