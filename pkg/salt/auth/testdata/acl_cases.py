# Computes the expected results of acl_cases.json with Salt 3006.3's own
# salt.utils.minions.CkMinions, so the Go tables say what Salt's code
# returns, not what someone remembers. Run from /tmp:
#   PYTHONPATH=/tmp/salt-reference/src:/tmp/salt-reference/shims \
#     python3 acl_cases.py > acl_cases.json
import fnmatch
import json

import salt.utils.minions

ACCEPTED = ["web1", "web2", "db1"]


class Ck(salt.utils.minions.CkMinions):
    def __init__(self, permissive=False):
        self.opts = {"permissive_acl": permissive}

    def check_minions(self, expr, tgt_type="glob", delimiter=":", greedy=True):
        # Globs only: the cases' targets are globs and lists.
        if tgt_type == "list":
            ids = expr if isinstance(expr, list) else expr.split(",")
            return {"minions": [i for i in ACCEPTED if i in ids], "missing": []}
        return {"minions": [i for i in ACCEPTED if fnmatch.fnmatch(i, expr)], "missing": []}


AUTH = [
    # name, auth_list, fun, arg, tgt, tgt_type
    ("regex allows", ["test.*"], "test.ping", [], "*", "glob"),
    ("regex refuses", ["test.*"], "cmd.run", ["id"], "*", "glob"),
    ("anchored at start only", ["test"], "test.ping", [], "*", "glob"),
    ("not anchored at end", ["test.ping"], "test.ping_extra", [], "*", "glob"),
    ("dot star", [".*"], "cmd.run", ["id"], "*", "glob"),
    ("invalid regex", ["test.(*"], "test.ping", [], "*", "glob"),
    ("target allows", [{"web*": ["test.*"]}], "test.ping", [], "web*", "glob"),
    ("target refuses wider", [{"web*": ["test.*"]}], "test.ping", [], "*", "glob"),
    ("target refuses fun", [{"web*": ["test.*"]}], "cmd.run", [], "web1", "glob"),
    ("target subset", [{"web*": ["test.*"]}], "test.ping", [], "web2", "glob"),
    ("target list", [{"web*": ["test.*"]}], "test.ping", [], ["web1", "web2"], "list"),
    ("target list wider", [{"web*": ["test.*"]}], "test.ping", [], ["web1", "db1"], "list"),
    ("two-key dict ignored", [{"web*": ["test.*"], "db*": [".*"]}], "test.ping", [], "web1", "glob"),
    ("args match", [{"*": [{"cmd.run": {"args": ["ls.*"]}}]}], "cmd.run", ["ls -l"], "*", "glob"),
    ("args refuse", [{"*": [{"cmd.run": {"args": ["ls.*"]}}]}], "cmd.run", ["rm -rf /"], "*", "glob"),
    ("args missing", [{"*": [{"cmd.run": {"args": ["ls.*"]}}]}], "cmd.run", [], "*", "glob"),
    ("args None any", [{"*": [{"test.arg": {"args": [None, "b"]}}]}], "test.arg", ["zzz", "b"], "*", "glob"),
    ("args str of int", [{"*": [{"test.arg": {"args": ["4."]}}]}], "test.arg", [42], "*", "glob"),
    ("kwargs match", [{"*": [{"test.arg": {"kwargs": {"x": "1.*"}}}]}], "test.arg", [{"x": "12", "__kwarg__": True}], "*", "glob"),
    ("kwargs missing", [{"*": [{"test.arg": {"kwargs": {"x": "1.*"}}}]}], "test.arg", [{"y": "12", "__kwarg__": True}], "*", "glob"),
    ("kwargs not marked", [{"*": [{"test.arg": {"kwargs": {"x": "1.*"}}}]}], "test.arg", [{"x": "12"}], "*", "glob"),
    ("args list of specs", [{"*": [{"test.arg": [{"args": ["a"]}, {"args": ["b"]}]}]}], "test.arg", ["b"], "*", "glob"),
    ("args and kwargs", [{"*": [{"test.arg": {"args": ["a"], "kwargs": {"k": "v"}}}]}], "test.arg", ["a", {"k": "v", "__kwarg__": True}], "*", "glob"),
    ("compound all allowed", ["test.*"], ["test.ping", "test.echo"], [[], ["hi"]], "*", "glob"),
    ("non-string fun", ["test.*"], 7, [], "*", "glob"),
    ("empty list", [], "test.ping", [], "*", "glob"),
]

# Salt allows a compound command when any one function is allowed; these
# cases hold Salt's answer and the Go answer apart (package doc).
AUTH_DEVIATIONS = [
    ("compound one refused", ["test.*"], ["test.ping", "cmd.run"], [[], ["id"]], "*", "glob", False),
]

SPEC = [
    # name, auth_list, fun, args, form
    ("@runner", ["@runner"], "jobs.lookup_jid", {}, "runner"),
    ("@runners", ["@runners"], "manage.up", {}, "runner"),
    ("@wheel for runner", ["@wheel"], "manage.up", {}, "runner"),
    ("@jobs module", ["@jobs"], "jobs.list_jobs", {}, "runner"),
    ("@jobs other module", ["@jobs"], "manage.up", {}, "runner"),
    ("@wheel", ["@wheel"], "key.list_all", {}, "wheel"),
    ("@key module", ["@key"], "key.list_all", {}, "wheel"),
    ("regex only", [".*"], "key.list_all", {}, "wheel"),
    ("empty", [], "key.list_all", {}, "wheel"),
    ("syntax", ["@runner"], "lookup_jid", {}, "runner"),
    ("syntax three", ["@runner"], "a.b.c", {}, "runner"),
    ("dict module funs", [{"@jobs": ["lookup_.*"]}], "jobs.lookup_jid", {}, "runner"),
    ("dict module funs refuse", [{"@jobs": ["lookup_.*"]}], "jobs.list_jobs", {}, "runner"),
    ("dict form full name", [{"@runner": ["jobs.*"]}], "jobs.list_jobs", {}, "runner"),
    ("dict form refuse", [{"@runner": ["jobs.*"]}], "manage.up", {}, "runner"),
    ("dict form args", [{"@wheel": [{"key.accept": {"kwargs": {"match": "web.*"}}}]}], "key.accept", {"kwarg": {"match": "web1"}}, "wheel"),
    ("dict form args refuse", [{"@wheel": [{"key.accept": {"kwargs": {"match": "web.*"}}}]}], "key.accept", {"kwarg": {"match": "db1"}}, "wheel"),
    ("dict form arg list", [{"@runner": [{"jobs.lookup_jid": {"args": ["2026.*"]}}]}], "jobs.lookup_jid", {"arg": ["20261208"]}, "runner"),
    ("mixed, later allows", ["test.*", {"@wheel": ["key.list_.*"]}], "key.list_all", {}, "wheel"),
]

FILL = [
    # name, provider, name, groups, permissive
    ("own entry", {"alice": ["test.*"], "bob": [".*"]}, "alice", [], False),
    ("star for others", {"alice": ["test.*"], "*": ["test.echo"]}, "carol", [], False),
    ("star not for named", {"alice": ["test.*"], "*": ["test.echo"]}, "alice", [], False),
    ("group", {"admins%": [".*"], "alice": ["test.*"]}, "alice", ["admins"], False),
    ("group and star", {"admins%": [".*"], "*": ["test.echo"]}, "bob", ["admins"], False),
    ("no entry", {"alice": ["test.*"]}, "bob", [], False),
    ("file options", {"^filename": "/x", "^filetype": "text", "carol": ["test.ping"], "*": ["test.echo"]}, "carol", [], False),
    ("permissive star", {"alice": ["test.*"], "*": ["test.echo"]}, "alice", [], True),
]

PUBACL = [
    ("exact", {"alice": ["test.*"]}, "alice"),
    ("glob", {"web*": ["test.*"]}, "webadmin"),
    ("regex", {"dev[0-9]+": ["test.*", "cmd.run"]}, "dev42"),
    ("none", {"alice": ["test.*"]}, "bob"),
    ("two", {"alice": ["test.*"], "a.*": ["pkg.*"]}, "alice"),
]

BLACK = [
    ("user", {"users": ["root", "^bad.*"]}, "badguy", "test.ping"),
    ("user glob", {"users": ["x*"]}, "xavier", "test.ping"),
    ("module", {"modules": ["cmd.*"]}, "alice", "cmd.run"),
    ("module list", {"modules": ["cmd.*"]}, "alice", ["test.ping", "cmd.run"]),
    ("clean", {"users": ["root"], "modules": ["cmd.*"]}, "alice", "test.ping"),
    ("empty", {}, "alice", "cmd.run"),
]

import salt.acl
import salt.netapi

PERMS = [
    # eauth config, token
    ({"alice": ["test.*", "@wheel"], "*": ["test.echo"], "admins%": [".*", "test.*"]}, {"name": "alice", "groups": ["admins", "x"]}),
    ({"bob": [{"web*": ["test.*"]}, "@wheel", {"db*": ["test.*"]}]}, {"name": "bob"}),
    ({"carol": ["test.ping", "@runner"], "*": ["test.echo"], "^filename": "/x"}, {"name": "carol"}),
    ({"dave": []}, {"name": "zed"}),
]


def main():
    out = {"auth": [], "auth_deviations": [], "spec": [], "fill": [], "pubacl": [], "blacklist": [], "perms": []}
    for name, al, fun, arg, tgt, tt in AUTH:
        ck = Ck()
        minions = ck.check_minions(tgt, tt)["minions"]
        got = ck.auth_check(al, fun, arg, tgt, tt, minions=minions)
        out["auth"].append({"name": name, "auth_list": al, "fun": fun, "arg": arg, "tgt": tgt, "tgt_type": tt, "minions": minions, "want": bool(got)})
    for name, al, fun, arg, tgt, tt, ours in AUTH_DEVIATIONS:
        ck = Ck()
        minions = ck.check_minions(tgt, tt)["minions"]
        got = ck.auth_check(al, fun, arg, tgt, tt, minions=minions)
        out["auth_deviations"].append({"name": name, "auth_list": al, "fun": fun, "arg": arg, "tgt": tgt, "tgt_type": tt, "minions": minions, "salt": bool(got), "want": ours})
    for name, al, fun, args, form in SPEC:
        got = Ck().spec_check(al, fun, args, form)
        rec = {"name": name, "auth_list": al, "fun": fun, "args": args, "form": form}
        if isinstance(got, dict):
            rec["want"] = False
            rec["error"] = got["error"]
        else:
            rec["want"] = bool(got)
        out["spec"].append(rec)
    for name, prov, user, groups, perm in FILL:
        got = Ck(perm).fill_auth_list(prov, user, groups)
        out["fill"].append({"name": name, "provider": prov, "user": user, "groups": groups, "permissive": perm, "want": got})
    for name, acl, user in PUBACL:
        import salt.utils.master
        out["pubacl"].append({"name": name, "acl": acl, "user": user, "want": salt.utils.master.get_values_of_matching_keys(acl, user)})
    for name, bl, user, fun in BLACK:
        p = salt.acl.PublisherACL(bl)
        out["blacklist"].append({"name": name, "blacklist": bl, "user": user, "fun": fun, "user_blacklisted": p.user_is_blacklisted(user), "cmd_blacklisted": p.cmd_is_blacklisted(fun)})
    for cfg, tok in PERMS:
        import copy
        perms = salt.netapi.sorted_permissions(salt.netapi.sum_permissions(tok, copy.deepcopy(cfg)))
        out["perms"].append({"eauth": cfg, "token": tok, "want": perms})
    print(json.dumps(out, indent=1))


main()
