"""Aliases in vocabulary files: ``label | alias, alias``."""

from __future__ import annotations

from vidclip.vocabulary import Vocabulary, load_templates, load_vocabulary


def test_aliases_are_read_without_changing_the_labels(tmp_path):
    path = tmp_path / "boats.txt"
    path.write_text("speedboat | boat,  motor boat\n# a comment\nSailboat|boat\nsailboat\ncanoe\n")
    vocab = load_vocabulary(str(path))
    assert vocab.labels == ("speedboat", "Sailboat", "canoe")
    assert dict(vocab.aliases) == {"speedboat": ("boat", "motor boat"), "Sailboat": ("boat",)}


def test_a_file_without_aliases_keeps_its_hash(tmp_path):
    plain = tmp_path / "plain.txt"
    plain.write_text("speedboat\ncanoe\n")
    vocab = load_vocabulary(str(plain))
    # The hash as it was computed before aliases existed: labels, a NUL, templates.
    before = Vocabulary("plain", ("speedboat", "canoe"), load_templates())
    assert vocab.sha256 == before.sha256 == before.embedding_sha256
    with_aliases = tmp_path / "aliased.txt"
    with_aliases.write_text("speedboat | boat\ncanoe\n")
    aliased = load_vocabulary(str(with_aliases))
    assert aliased.sha256 != vocab.sha256
    # Aliases are not embedded: the text-embedding cache stays valid.
    assert aliased.embedding_sha256 == vocab.embedding_sha256


def test_the_bundled_vocabulary_carries_aliases():
    vocab = load_vocabulary("default")
    assert "boat" in vocab.aliases["speedboat"]
    assert all(label in vocab.labels for label in vocab.aliases)
    assert not any("|" in label for label in vocab.labels)
