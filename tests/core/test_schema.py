import json

from vidclip.schema import SCHEMA_PATH, json_schema


def test_committed_json_schema_matches_the_models():
    """Regenerate with `python -m vidclip.schema` after changing vidclip/schema.py."""
    committed = json.loads(SCHEMA_PATH.read_text())
    assert committed == json.loads(json.dumps(json_schema())), "run: python -m vidclip.schema"
