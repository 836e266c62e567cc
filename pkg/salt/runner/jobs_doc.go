package runner

// The jobs runner's docstrings, as Salt 3006 has them (salt/runners/jobs.py),
// for salt-run-raet -d and the "Passed invalid arguments" usage.
const (
	docActive = `Return a report on all actively running jobs from a job id centric
perspective

CLI Example:

.. code-block:: bash

    salt-run jobs.active`
	docLookupJID = `Return the printout from a previously executed job

jid
    The jid to look up.

ext_source
    The external job cache to use. Default: ` + "`" + `None` + "`" + `.

returned : True
    If ` + "``" + `True` + "``" + `, include the minions that did return from the command.

    .. versionadded:: 2015.8.0

missing : False
    If ` + "``" + `True` + "``" + `, include the minions that did *not* return from the
    command.

display_progress : False
    If ` + "``" + `True` + "``" + `, fire progress events.

    .. versionadded:: 2015.5.0

CLI Example:

.. code-block:: bash

    salt-run jobs.lookup_jid 20130916125524463507
    salt-run jobs.lookup_jid 20130916125524463507 --out=highstate`
	docListJob = `List a specific job given by its jid

ext_source
    If provided, specifies which external job cache to use.

display_progress : False
    If ` + "``" + `True` + "``" + `, fire progress events.

    .. versionadded:: 2015.8.8

CLI Example:

.. code-block:: bash

    salt-run jobs.list_job 20130916125524463507
    salt-run jobs.list_job 20130916125524463507 --out=pprint`
	docListJobs = `List all detectable jobs and associated functions

ext_source
    If provided, specifies which external job cache to use.

**FILTER OPTIONS**

.. note::
    If more than one of the below options are used, only jobs which match
    *all* of the filters will be returned.

search_metadata
    Specify a dictionary to match to the job's metadata. If any of the
    key-value pairs in this dictionary match, the job will be returned.
    Example:

    .. code-block:: bash

        salt-run jobs.list_jobs search_metadata='{"foo": "bar", "baz": "qux"}'

search_function
    Can be passed as a string or a list. Returns jobs which match the
    specified function. Globbing is allowed. Example:

    .. code-block:: bash

        salt-run jobs.list_jobs search_function='test.*'
        salt-run jobs.list_jobs search_function='["test.*", "pkg.install"]'

    .. versionchanged:: 2015.8.8
        Multiple targets can now also be passed as a comma-separated list.
        For example:

        .. code-block:: bash

            salt-run jobs.list_jobs search_function='test.*,pkg.install'

search_target
    Can be passed as a string or a list. Returns jobs which match the
    specified minion name. Globbing is allowed. Example:

    .. code-block:: bash

        salt-run jobs.list_jobs search_target='*.mydomain.tld'
        salt-run jobs.list_jobs search_target='["db*", "myminion"]'

    .. versionchanged:: 2015.8.8
        Multiple targets can now also be passed as a comma-separated list.
        For example:

        .. code-block:: bash

            salt-run jobs.list_jobs search_target='db*,myminion'

start_time
    Accepts any timestamp supported by the dateutil_ Python module (if this
    module is not installed, this argument will be ignored). Returns jobs
    which started after this timestamp.

end_time
    Accepts any timestamp supported by the dateutil_ Python module (if this
    module is not installed, this argument will be ignored). Returns jobs
    which started before this timestamp.

.. _dateutil: https://pypi.python.org/pypi/python-dateutil

CLI Example:

.. code-block:: bash

    salt-run jobs.list_jobs
    salt-run jobs.list_jobs search_function='test.*' search_target='localhost' search_metadata='{"bar": "foo"}'
    salt-run jobs.list_jobs start_time='2015, Mar 16 19:00' end_time='2015, Mar 18 22:00'`
	docPrintJob = `Print a specific job's detail given by its jid, including the return data.

CLI Example:

.. code-block:: bash

    salt-run jobs.print_job 20130916125524463507`
	docExitSuccess = `Check if a job has been executed and exit successfully

jid
    The jid to look up.
ext_source
    The external job cache to use. Default: ` + "`" + `None` + "`" + `.

CLI Example:

.. code-block:: bash

    salt-run jobs.exit_success 20160520145827701627`
	docLastRun = `.. versionadded:: 2015.8.0

List all detectable jobs and associated functions

CLI Example:

.. code-block:: bash

    salt-run jobs.last_run
    salt-run jobs.last_run target=nodename
    salt-run jobs.last_run function='cmd.run'
    salt-run jobs.last_run metadata="{'foo': 'bar'}"`
	docListJobsFilter = `List all detectable jobs and associated functions

ext_source
    The external job cache to use. Default: ` + "`" + `None` + "`" + `.

CLI Example:

.. code-block:: bash

    salt-run jobs.list_jobs_filter 50
    salt-run jobs.list_jobs_filter 100 filter_find_job=False`
)
