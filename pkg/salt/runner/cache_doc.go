package runner

// cacheDocs are the docstrings of Salt 3006's salt/runners/cache.py (cleaned
// as inspect.cleandoc), for salt-run-raet -d and the "Passed invalid
// arguments" usage. Generated from Salt's source; edit there, not here.
var cacheDocs = map[string]string{
	"grains": `.. versionchanged:: 2017.7.0
    The ` + "``" + `expr_form` + "``" + ` argument has been renamed to ` + "``" + `tgt_type` + "``" + `, earlier
    releases must use ` + "``" + `expr_form` + "``" + `.

Return cached grains of the targeted minions.

tgt
    Target to match minion ids.

    .. versionchanged:: 2017.7.5,2018.3.0
        The ` + "``" + `tgt` + "``" + ` argument is now required to display cached grains. If
        not used, the function will not return grains. This optional
        argument will become mandatory in the Salt ` + "``" + `3001` + "``" + ` release.

tgt_type
    The type of targeting to use for matching, such as ` + "``" + `glob` + "``" + `, ` + "``" + `list` + "``" + `,
    etc.

CLI Example:

.. code-block:: bash

    salt-run cache.grains '*'`,
	"pillar": `.. versionchanged:: 2017.7.0
    The ` + "``" + `expr_form` + "``" + ` argument has been renamed to ` + "``" + `tgt_type` + "``" + `, earlier
    releases must use ` + "``" + `expr_form` + "``" + `.

Return cached pillars of the targeted minions if tgt is set.
If tgt is not set will return cached pillars for all minions.

CLI Example:

.. code-block:: bash

    salt-run cache.pillar`,
	"mine": `.. versionchanged:: 2017.7.0
    The ` + "``" + `expr_form` + "``" + ` argument has been renamed to ` + "``" + `tgt_type` + "``" + `, earlier
    releases must use ` + "``" + `expr_form` + "``" + `.

Return cached mine data of the targeted minions

CLI Example:

.. code-block:: bash

    salt-run cache.mine`,
	"clear_pillar": `.. versionchanged:: 2017.7.0
    The ` + "``" + `expr_form` + "``" + ` argument has been renamed to ` + "``" + `tgt_type` + "``" + `, earlier
    releases must use ` + "``" + `expr_form` + "``" + `.

Clear the cached pillar data of the targeted minions

CLI Example:

.. code-block:: bash

    salt-run cache.clear_pillar`,
	"clear_grains": `.. versionchanged:: 2017.7.0
    The ` + "``" + `expr_form` + "``" + ` argument has been renamed to ` + "``" + `tgt_type` + "``" + `, earlier
    releases must use ` + "``" + `expr_form` + "``" + `.

Clear the cached grains data of the targeted minions

CLI Example:

.. code-block:: bash

    salt-run cache.clear_grains`,
	"clear_mine": `.. versionchanged:: 2017.7.0
    The ` + "``" + `expr_form` + "``" + ` argument has been renamed to ` + "``" + `tgt_type` + "``" + `, earlier
    releases must use ` + "``" + `expr_form` + "``" + `.

Clear the cached mine data of the targeted minions

CLI Example:

.. code-block:: bash

    salt-run cache.clear_mine`,
	"clear_all": `.. versionchanged:: 2017.7.0
    The ` + "``" + `expr_form` + "``" + ` argument has been renamed to ` + "``" + `tgt_type` + "``" + `, earlier
    releases must use ` + "``" + `expr_form` + "``" + `.

Clear the cached pillar, grains, and mine data of the targeted minions

CLI Example:

.. code-block:: bash

    salt-run cache.clear_all`,
}
