package config

import (
	"path/filepath"
	"regexp"
	"strings"
)

// reroot is salt.config.prepend_root_dir for one path on a Unix host, where
// the default root (salt.syspaths.ROOT_DIR, "/") is a prefix of every
// absolute path, so every path is moved under rootDir:
//
//   - a path already under rootDir is kept (it is not prefixed twice);
//   - any other absolute path, e.g. /var/cache/salt/master, becomes
//     rootDir/var/cache/salt/master;
//   - a relative path is taken relative to rootDir, not to the working
//     directory.
//
// An empty path (an unset option such as autosign_file) stays empty.
// rootDir must be absolute and clean.
func reroot(rootDir, path string) string {
	if path == "" {
		return ""
	}
	if rootDir == "/" {
		if filepath.IsAbs(path) {
			return filepath.Clean(path)
		}
		return filepath.Join("/", path)
	}
	if path == rootDir || strings.HasPrefix(path, rootDir+"/") {
		return filepath.Clean(path)
	}
	return filepath.Join(rootDir, strings.TrimLeft(path, "/"))
}

// urlScheme matches what urllib.parse.urlparse would call a scheme. Salt
// does not re-root log_file and key_logfile when they are URLs
// (udp://loghost:514, file:///dev/log), because those name syslog targets,
// not files.
var urlScheme = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*:`)

func rerootLog(rootDir, path string) string {
	if urlScheme.MatchString(path) {
		return path
	}
	return reroot(rootDir, path)
}

// CachedirMode is the mode of a cachedir the daemons make:
// salt.utils.verify.verify_env makes its directories under umask 022. The
// directories inside it that hold keys, returns and jobs are 0700.
const CachedirMode = 0o755
