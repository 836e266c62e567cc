// Package auth is Salt's external authentication and its access checks:
// salt.auth.LoadAuth (eauth modules, tokens, check_authentication), the
// localfs token store (salt/tokens/localfs.py), the ACL checks of
// salt.utils.minions.CkMinions (fill_auth_list, auth_check, runner_check,
// wheel_check, spec_check), the publisher ACL blacklist (salt/acl) and the
// permissions rest_cherrypy's /login shows (salt.netapi.sum_permissions).
//
// The master's publish checks and salt-api-raet both use it; it reads the
// master's options from config.Master (the typed fields and Raw) and does
// no logging of its own beyond the Logf hook, so a password never reaches a
// log through it.
//
// Where this package departs from Salt 3006.3 on purpose (known bugs of the
// original are not copied, DESIGN.md):
//
//   - fill_auth_list calls expr_match(config_key, username), the user's name
//     used as the pattern: with auto or sharedsecret, which take any name, a
//     user named ".*" would collect every entry. Here a user's entry is the
//     key equal to the name.
//   - auth_check allows a compound command (a list of functions) when any
//     one of them is allowed, and when any is saltutil.find_job. Here every
//     function of the list must be allowed.
//   - sum_permissions extends the configured list in place, so each /login
//     grows the master's external_auth; here the list is copied.
//   - validate_tgt expands an entry's target greedily, so a G@ word allows
//     a minion whose grains the master has not cached; the master's
//     TargetMatch here matches the cached grains only.
//   - With keep_acl_in_token, Salt stores the eauth module's acl() (None
//     for every module here) and then refuses every call made with the
//     token; here the token keeps the list the configuration gives.
//   - A publisher_acl or external_auth entry that is a string rather than
//     a list is one entry, not its characters.
package auth
