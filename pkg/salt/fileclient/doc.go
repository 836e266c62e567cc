// Package fileclient is the minion's side of the master's file server:
// Salt 3006's RemoteClient (salt/fileclient.py) over a Requester, the
// minion's request channel. Files named salt://path (or
// salt://path?saltenv=env) are cached under <cachedir>/files/<env>/<path>
// and fetched again only when the master's hash of the file differs from
// the cached copy's: _file_hash first, then _serve_file chunks from offset
// 0 until the master sends no data, written to a temporary file that is
// renamed into place once its hash is the master's. A failed or corrupt
// transfer leaves nothing half-written.
//
// Where Salt returns False for a file the master does not have, the
// methods here return "" and no error; errors are for what Salt raises
// (MinionError for a path that is not salt://) and for a transport or
// disk failure.
package fileclient
