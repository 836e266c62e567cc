package runner

// manageDocs are the docstrings of Salt 3006's salt/runners/manage.py (cleaned
// as inspect.cleandoc), for salt-run-raet -d and the "Passed invalid
// arguments" usage. Generated from Salt's source; edit there, not here.
var manageDocs = map[string]string{
	"status": `.. versionchanged:: 2017.7.0

    The ` + "``" + `expr_form` + "``" + ` argument has been renamed to ` + "``" + `tgt_type` + "``" + `, earlier
    releases must use ` + "``" + `expr_form` + "``" + `.

Print the status of all known salt minions

CLI Example:

.. code-block:: bash

    salt-run manage.status
    salt-run manage.status tgt="webservers" tgt_type="nodegroup"
    salt-run manage.status timeout=5 gather_job_timeout=10`,
	"up": `.. versionchanged:: 2017.7.0

    The ` + "``" + `expr_form` + "``" + ` argument has been renamed to ` + "``" + `tgt_type` + "``" + `, earlier
    releases must use ` + "``" + `expr_form` + "``" + `.

Print a list of all of the minions that are up

CLI Example:

.. code-block:: bash

    salt-run manage.up
    salt-run manage.up tgt="webservers" tgt_type="nodegroup"
    salt-run manage.up timeout=5 gather_job_timeout=10`,
	"down": `.. versionchanged:: 2017.7.0

    The ` + "``" + `expr_form` + "``" + ` argument has been renamed to ` + "``" + `tgt_type` + "``" + `, earlier
    releases must use ` + "``" + `expr_form` + "``" + `.

Print a list of all the down or unresponsive salt minions
Optionally remove keys of down minions

CLI Example:

.. code-block:: bash

    salt-run manage.down
    salt-run manage.down removekeys=True
    salt-run manage.down tgt="webservers" tgt_type="nodegroup"`,
	"versions": `Check the version of active minions

CLI Example:

.. code-block:: bash

    salt-run manage.versions`,
	"list_state": `.. versionadded:: 2015.8.0
.. versionchanged:: 2019.2.0

Print a list of all minions that are up according to Salt's presence
detection (no commands will be sent to minions)

subset : None
    Pass in a list of minion ids.

show_ip : False
    Also show the IP address each minion is connecting from.

CLI Example:

.. code-block:: bash

    salt-run manage.list_state`,
	"list_not_state": `.. versionadded:: 2015.8.0
.. versionchanged:: 2019.2.0

Print a list of all minions that are NOT up according to Salt's presence
detection (no commands will be sent to minions)

subset : None
    Pass in a list of minion ids.

show_ip : False
    Also show the IP address each minion is connecting from.

CLI Example:

.. code-block:: bash

    salt-run manage.list_not_state`,
	"present": `.. versionchanged:: 2019.2.0

Print a list of all minions that are up according to Salt's presence
detection (no commands will be sent to minions)

subset : None
    Pass in a list of minion ids.

show_ip : False
    Also show the IP address each minion is connecting from.

CLI Example:

.. code-block:: bash

    salt-run manage.present`,
	"not_present": `.. versionadded:: 2015.5.0
.. versionchanged:: 2019.2.0

Print a list of all minions that are NOT up according to Salt's presence
detection (no commands will be sent)

subset : None
    Pass in a list of minion ids.

show_ip : False
    Also show the IP address each minion is connecting from.

CLI Example:

.. code-block:: bash

    salt-run manage.not_present`,
	"joined": `.. versionadded:: 2015.8.0
.. versionchanged:: 2019.2.0

Print a list of all minions that are up according to Salt's presence
detection (no commands will be sent to minions)

subset : None
    Pass in a list of minion ids.

show_ip : False
    Also show the IP address each minion is connecting from.

CLI Example:

.. code-block:: bash

    salt-run manage.joined`,
	"not_joined": `.. versionadded:: 2015.8.0
.. versionchanged:: 2019.2.0

Print a list of all minions that are NOT up according to Salt's presence
detection (no commands will be sent)

subset : None
    Pass in a list of minion ids.

show_ip : False
    Also show the IP address each minion is connecting from.

CLI Example:

.. code-block:: bash

    salt-run manage.not_joined`,
	"allowed": `.. versionadded:: 2015.8.0
.. versionchanged:: 2019.2.0

Print a list of all minions that are up according to Salt's presence
detection (no commands will be sent to minions)

subset : None
    Pass in a list of minion ids.

show_ip : False
    Also show the IP address each minion is connecting from.

CLI Example:

.. code-block:: bash

    salt-run manage.allowed`,
	"not_allowed": `.. versionadded:: 2015.8.0
.. versionchanged:: 2019.2.0

Print a list of all minions that are NOT up according to Salt's presence
detection (no commands will be sent)

subset : None
    Pass in a list of minion ids.

show_ip : False
    Also show the IP address each minion is connecting from.

CLI Example:

.. code-block:: bash

    salt-run manage.not_allowed`,
	"alived": `.. versionadded:: 2015.8.0
.. versionchanged:: 2019.2.0

Print a list of all minions that are up according to Salt's presence
detection (no commands will be sent to minions)

subset : None
    Pass in a list of minion ids.

show_ip : False
    Also show the IP address each minion is connecting from.

CLI Example:

.. code-block:: bash

    salt-run manage.alived`,
	"not_alived": `.. versionadded:: 2015.8.0
.. versionchanged:: 2019.2.0

Print a list of all minions that are NOT up according to Salt's presence
detection (no commands will be sent)

subset : None
    Pass in a list of minion ids.

show_ip : False
    Also show the IP address each minion is connecting from.

CLI Example:

.. code-block:: bash

    salt-run manage.not_alived`,
	"reaped": `.. versionadded:: 2015.8.0
.. versionchanged:: 2019.2.0

Print a list of all minions that are up according to Salt's presence
detection (no commands will be sent to minions)

subset : None
    Pass in a list of minion ids.

show_ip : False
    Also show the IP address each minion is connecting from.

CLI Example:

.. code-block:: bash

    salt-run manage.reaped`,
	"not_reaped": `.. versionadded:: 2015.8.0
.. versionchanged:: 2019.2.0

Print a list of all minions that are NOT up according to Salt's presence
detection (no commands will be sent)

subset : None
    Pass in a list of minion ids.

show_ip : False
    Also show the IP address each minion is connecting from.

CLI Example:

.. code-block:: bash

    salt-run manage.not_reaped`,
}
