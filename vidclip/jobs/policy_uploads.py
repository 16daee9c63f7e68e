"""A tenant's own moderation policy, as uploaded: checked before it is stored.

An upload is a YAML document in the format of the bundled policies
(``vidclip/data/policies/*.yaml``). It is accepted only when
:func:`vidclip.moderate.parse_policy` -- what a worker runs it with -- accepts
it, so whatever that format grows (new category fields, lexicons) is checked
here with no change. Around it, what a file from the network needs:

- at most :data:`POLICY_MAX_BYTES`, UTF-8 text;
- no YAML anchors or aliases (a few lines of them expand to gigabytes once
  the document is stored as JSON) and no tags beyond YAML's plain ones;
- a mapping whose values are text, numbers, booleans, lists and mappings
  (the store keeps it as JSON), with at least one enabled category.

The URL's name is the policy's name: a ``name`` and ``version`` in the file
are replaced by the stored name and version number.
"""

from __future__ import annotations

import json
import re

import yaml

from vidclip.errors import ConfigError

POLICY_MAX_BYTES = 64 * 1024
#: A tenant's policy names: plain words that cannot be taken for a file path.
POLICY_NAME_PATTERN = r"^[a-z][a-z0-9_-]{0,63}$"


class PolicyInvalid(ConfigError):
    code = "invalid_policy"


class UnknownPolicy(ConfigError):
    code = "unknown_policy"


def is_policy_name(name: object) -> bool:
    return isinstance(name, str) and re.match(POLICY_NAME_PATTERN, name) is not None


def check_policy_name(name: str) -> str:
    if not is_policy_name(name):
        raise PolicyInvalid(f"policy name {name[:80]!r}: use 1-64 lower-case letters, digits, "
                            "'_' or '-', starting with a letter.")
    return name


def _yaml_problem(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return f"{problem}{where}"


def _no_aliases(text: str) -> None:
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise PolicyInvalid("the policy uses YAML anchors or aliases (& and *); write "
                                "each value out.")


def parse_upload(data: bytes, name: str) -> dict:
    """The policy document an upload holds, ready to store; :class:`PolicyInvalid`
    (one line saying what is wrong, and where) otherwise."""
    from vidclip.moderate import parse_policy

    check_policy_name(name)
    if len(data) > POLICY_MAX_BYTES:
        raise PolicyInvalid(f"the policy is {len(data):,} bytes; at most "
                            f"{POLICY_MAX_BYTES:,} are accepted.")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise PolicyInvalid("the policy is not UTF-8 text.") from None
    try:
        _no_aliases(text)
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PolicyInvalid(f"the policy is not valid YAML: {_yaml_problem(exc)}.") from None
    except RecursionError:
        raise PolicyInvalid("the policy nests too deeply.") from None
    if not isinstance(document, dict):
        raise PolicyInvalid("the policy must be a YAML mapping with a 'categories' list.")
    try:
        json.dumps(document, allow_nan=False)
    except (TypeError, ValueError):
        raise PolicyInvalid("the policy holds values other than text, numbers, booleans, "
                            "lists and mappings (dates, binary or special numbers).") from None
    document = {**document, "name": name}
    try:
        policy = parse_policy(document, name)
    except ConfigError as exc:
        raise PolicyInvalid(exc.message) from None
    if not policy.categories:
        raise PolicyInvalid(f"moderation policy {name!r} has no enabled category.")
    return document
