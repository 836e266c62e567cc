"""Writes python_outputs.json: values and what Salt 3006's outputters make of
them, computed with the real Python and PyYAML, for output_test.go.

    python3 python_outputs.py   # PyYAML 6.x

json: salt/output/json_out.py (json.dumps(data, indent=4));
yaml: salt/output/yaml_out.py (salt.utils.yaml.safe_dump, i.e. yaml.dump with
      default_flow_style=False, allow_unicode=True and Salt's
      SafeOrderedDumper, which writes plain dicts as SafeDumper does);
txt:  salt/output/txt.py; raw: salt/output/raw.py (str(data)).
"""
import json
import pprint
import sys

import yaml

KEY = "0123456789abcdef" * 4
CASES = [
    {"accepted": ["min1", "min2"], "pending": [], "rejected": []},
    {"accepted": {"min1": "pub: " + KEY + "\nverify: " + KEY[::-1]}},
    {"accepted": {"web1": ":".join(["7a"] * 32)}, "local": {"local.key": ":".join(["0c"] * 32)}},
    {"pending": ["B", "a", "yes", "1.5", ""]},
    {},
    "abc", "", "yes", "no", "123", "1.5", "0x1f", "null", "~", "2020-01-01", "a: b", "- x", "#c",
    "a #b", "a#b", " lead", "trail ", "multi\nline", "tab\there", "uni \u00fc \u2713",
    "emoji \U0001F600", "quote'it", 'dq"x', "\x1b[0m", "=", "<<", "on", "On", "1_000", "1:20", ".5",
    "+.inf", "-", "-a", "?x", "? x", ":x", "x:", "a,b", "[x]", "{x}", "@x", "`x", "%x", "!x", "&x",
    "*x", "|x", ">x", "---", "...x", "a\n\nb", "a \nb", "a\n b", "\nx", "x\n", "word " * 30,
    "w" * 100 + " " + "v" * 20, "a'b " * 30, "\t" + "x " * 50, None, True, False, 0, -5, 1.0, 1e16,
    1e-5, 0.1, 1.5e300, [], [[]], [{}], [1, [2, 3], {"a": 1, "b": [4]}], {"a": {"b": {"c": []}}},
    {"": 1}, {"x" * 130: 1}, {"yes": "no", "k": None, "n": 3}, [["a", "b"], ["c"]],
    {"list": [{"x": 1, "y": [1, 2]}]}, {"m": "a\nb\nc"}, ["a\nb"], {"\u00fc": "\u00e9"},
    {"key with: colon": 1, "#k": 2, "a b": "c d"}, "x" * 85, "a " + "b" * 90,
    {"k": "a " + "b" * 90 + " c"}, "\u2028x", "\x85y", "\ufeffz", "\xa0a", "a\u00a0",
]


def txt(data):
    ret = ""
    if hasattr(data, "keys"):
        for key in data:
            value = data[key]
            try:
                for line in value.splitlines():
                    ret += "{}: {}\n".format(key, line)
            except AttributeError:
                ret += "{}: {}\n".format(key, value)
    else:
        try:
            ret += data + "\n"
        except TypeError:
            ret += "{}\n".format(pprint.pformat(data))
    return ret


out = []
for c in CASES:
    out.append({
        "value": c,
        "json": json.dumps(c, indent=4),
        "yaml": yaml.safe_dump(c, default_flow_style=False, allow_unicode=True),
        "txt": txt(c),
        "raw": str(c),
    })
with open("python_outputs.json", "w") as f:
    json.dump({"python": sys.version.split()[0], "pyyaml": yaml.__version__, "cases": out}, f, indent=1)
