package runner

// fileserverDocs are the docstrings of Salt 3006's salt/runners/fileserver.py (cleaned
// as inspect.cleandoc), for salt-run-raet -d and the "Passed invalid
// arguments" usage. Generated from Salt's source; edit there, not here.
var fileserverDocs = map[string]string{
	"envs": `Return the available fileserver environments. If no backend is provided,
then the environments for all configured backends will be returned.

backend
    Narrow fileserver backends to a subset of the enabled ones.

    .. versionchanged:: 2015.5.0
        If all passed backends start with a minus sign (` + "``" + `-` + "``" + `), then these
        backends will be excluded from the enabled backends. However, if
        there is a mix of backends with and without a minus sign (ex:
        ` + "``" + `backend=-roots,git` + "``" + `) then the ones starting with a minus
        sign will be disregarded.

        Additionally, fileserver backends can now be passed as a
        comma-separated list. In earlier versions, they needed to be passed
        as a python list (ex: ` + "``" + `backend="['roots', 'git']"` + "``" + `)

CLI Example:

.. code-block:: bash

    salt-run fileserver.envs
    salt-run fileserver.envs backend=roots,git
    salt-run fileserver.envs git`,
	"file_list": `Return a list of files from the salt fileserver

saltenv : base
    The salt fileserver environment to be listed

backend
    Narrow fileserver backends to a subset of the enabled ones. If all
    passed backends start with a minus sign (` + "``" + `-` + "``" + `), then these backends
    will be excluded from the enabled backends. However, if there is a mix
    of backends with and without a minus sign (ex:
    ` + "``" + `backend=-roots,git` + "``" + `) then the ones starting with a minus sign will
    be disregarded.

    .. versionadded:: 2015.5.0

.. note:
    Keep in mind that executing this function spawns a new process,
    separate from the master. This means that if the fileserver
    configuration has been changed in some way since the master has been
    restarted (e.g. if :conf_master:` + "`" + `fileserver_backend` + "`" + `,
    :conf_master:` + "`" + `gitfs_remotes` + "`" + `, :conf_master:` + "`" + `hgfs_remotes` + "`" + `, etc. have
    been updated), then the results of this runner will not accurately
    reflect what files are available to minions.

    When in doubt, use :py:func:` + "`" + `cp.list_master
    <salt.modules.cp.list_master>` + "`" + ` to see what files the minion can see,
    and always remember to restart the salt-master daemon when updating
    the fileserver configuration.

CLI Examples:

.. code-block:: bash

    salt-run fileserver.file_list
    salt-run fileserver.file_list saltenv=prod
    salt-run fileserver.file_list saltenv=dev backend=git
    salt-run fileserver.file_list base hg,roots
    salt-run fileserver.file_list -git`,
	"dir_list": `Return a list of directories in the given environment

saltenv : base
    The salt fileserver environment to be listed

backend
    Narrow fileserver backends to a subset of the enabled ones. If all
    passed backends start with a minus sign (` + "``" + `-` + "``" + `), then these backends
    will be excluded from the enabled backends. However, if there is a mix
    of backends with and without a minus sign (ex:
    ` + "``" + `backend=-roots,git` + "``" + `) then the ones starting with a minus sign will
    be disregarded.

    .. versionadded:: 2015.5.0

.. note:
    Keep in mind that executing this function spawns a new process,
    separate from the master. This means that if the fileserver
    configuration has been changed in some way since the master has been
    restarted (e.g. if :conf_master:` + "`" + `fileserver_backend` + "`" + `,
    :conf_master:` + "`" + `gitfs_remotes` + "`" + `, :conf_master:` + "`" + `hgfs_remotes` + "`" + `, etc. have
    been updated), then the results of this runner will not accurately
    reflect what dirs are available to minions.

    When in doubt, use :py:func:` + "`" + `cp.list_master_dirs
    <salt.modules.cp.list_master_dirs>` + "`" + ` to see what dirs the minion can see,
    and always remember to restart the salt-master daemon when updating
    the fileserver configuration.

CLI Example:

.. code-block:: bash

    salt-run fileserver.dir_list
    salt-run fileserver.dir_list saltenv=prod
    salt-run fileserver.dir_list saltenv=dev backend=git
    salt-run fileserver.dir_list base hg,roots
    salt-run fileserver.dir_list -git`,
	"empty_dir_list": `.. versionadded:: 2015.5.0

Return a list of empty directories in the given environment

saltenv : base
    The salt fileserver environment to be listed

backend
    Narrow fileserver backends to a subset of the enabled ones. If all
    passed backends start with a minus sign (` + "``" + `-` + "``" + `), then these backends
    will be excluded from the enabled backends. However, if there is a mix
    of backends with and without a minus sign (ex:
    ` + "``" + `backend=-roots,git` + "``" + `) then the ones starting with a minus sign will
    be disregarded.

    .. note::

        Some backends (such as :mod:` + "`" + `git <salt.fileserver.gitfs>` + "`" + ` and
        :mod:` + "`" + `hg <salt.fileserver.hgfs>` + "`" + `) do not support empty directories.
        So, passing ` + "``" + `backend=git` + "``" + ` or ` + "``" + `backend=hg` + "``" + ` will result in an
        empty list being returned.

CLI Example:

.. code-block:: bash

    salt-run fileserver.empty_dir_list
    salt-run fileserver.empty_dir_list saltenv=prod
    salt-run fileserver.empty_dir_list backend=roots`,
}
