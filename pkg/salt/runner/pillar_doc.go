package runner

// pillarDocs are the docstrings of Salt 3006's salt/runners/pillar.py (cleaned
// as inspect.cleandoc), for salt-run-raet -d and the "Passed invalid
// arguments" usage. Generated from Salt's source; edit there, not here.
var pillarDocs = map[string]string{
	"show_pillar": `Returns the compiled pillar either of a specific minion
or just the global available pillars. This function assumes
that no minion has the id ` + "``" + `*` + "``" + `.
Function also accepts pillarenv as attribute in order to limit to a specific pillar branch of git

CLI Example:

shows minion specific pillar:

.. code-block:: bash

    salt-run pillar.show_pillar 'www.example.com'

shows global pillar:

.. code-block:: bash

    salt-run pillar.show_pillar

shows global pillar for 'dev' pillar environment:
(note that not specifying pillarenv will merge all pillar environments
using the master config option pillar_source_merging_strategy.)

.. code-block:: bash

    salt-run pillar.show_pillar 'pillarenv=dev'

shows global pillar for 'dev' pillar environment and specific pillarenv = dev:

.. code-block:: bash

    salt-run pillar.show_pillar 'saltenv=dev' 'pillarenv=dev'

API Example:

.. code-block:: python

    import salt.config
    import salt.runner
    opts = salt.config.master_config('/etc/salt/master')
    runner = salt.runner.RunnerClient(opts)
    pillar = runner.cmd('pillar.show_pillar', [])
    print(pillar)`,
	"show_top": `Returns the compiled top data for pillar for a specific minion.  If no
minion is specified, we use the first minion we find.

CLI Example:

.. code-block:: bash

    salt-run pillar.show_top`,
}
