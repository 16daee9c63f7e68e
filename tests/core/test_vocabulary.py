import numpy as np
import pytest

from vidclip import vocabulary
from vidclip.errors import ConfigError


def test_default_vocabulary_is_large_and_has_templates():
    vocab = vocabulary.load_vocabulary()
    assert len(vocab.labels) >= 500
    assert len(vocab.templates) >= 4 and all("{}" in t for t in vocab.templates)
    assert len(set(l.casefold() for l in vocab.labels)) == len(vocab.labels)


def test_user_vocabulary_file_and_inline_labels(tmp_path):
    path = tmp_path / "mine.txt"
    path.write_text("# my labels\nforklift\n\npallet  jack\nForklift\n")
    vocab = vocabulary.load_vocabulary(str(path))
    assert vocab.labels == ("forklift", "pallet jack") and vocab.name == "mine"
    inline = vocabulary.load_vocabulary(labels=["cat", "dog"], templates="single")
    assert inline.labels == ("cat", "dog") and inline.templates == ("a photo of {}.",)


def test_bad_vocabulary_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="no such file"):
        vocabulary.load_vocabulary("does-not-exist")
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing\n")
    with pytest.raises(ConfigError, match="no label"):
        vocabulary.load_vocabulary(str(empty))


def test_text_embeddings_are_cached_on_disk(tiny_encoder, monkeypatch, tmp_path):
    vocab = vocabulary.load_vocabulary(labels=["red car", "blue boat"], templates="default")
    first = vocabulary.embed_vocabulary(tiny_encoder, vocab, tmp_path)
    assert list((tmp_path / "text").glob("*.npy"))
    np.testing.assert_allclose(np.linalg.norm(first, axis=1), 1.0, rtol=1e-5)

    def refuse(texts):
        raise AssertionError("re-embedded a cached vocabulary")

    monkeypatch.setattr(tiny_encoder, "encode_texts", refuse)
    np.testing.assert_array_equal(vocabulary.embed_vocabulary(tiny_encoder, vocab, tmp_path), first)


def test_a_cache_miss_reports_progress_and_keeps_prompt_order(tiny_encoder, tmp_path):
    vocab = vocabulary.load_vocabulary()
    sets = [vocab.prompts(label) for label in vocab.labels[:100]]  # 1,400 prompts, 3 chunks
    seen = []
    out = vocabulary.embed_prompt_sets(tiny_encoder, sets, "test:progress", tmp_path,
                                       progress=lambda done, total: seen.append((done, total)),
                                       bar=False)
    total = sum(len(s) for s in sets)
    assert seen[-1] == (total, total) and len(seen) == -(-total // vocabulary.EMBED_CHUNK)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    # chunks run shortest prompts first; every label still gets its own prompts' mean
    direct = tiny_encoder.encode_texts(sets[7])
    mean = direct.mean(axis=0)
    np.testing.assert_allclose(out[7], mean / np.linalg.norm(mean), atol=1e-5)
    # a cache hit embeds nothing and reports nothing
    seen.clear()
    vocabulary.embed_prompt_sets(tiny_encoder, sets, "test:progress", tmp_path,
                                 progress=lambda d, t: seen.append(d), bar=False)
    assert seen == []


def test_the_progress_bar_says_what_it_embeds_and_that_it_happens_once(tiny_encoder,
                                                                        monkeypatch, capsys,
                                                                        tmp_path):
    monkeypatch.setattr(vocabulary, "BAR_DELAY_S", 0.0)
    vocab = vocabulary.load_vocabulary(labels=["red car", "blue boat", "green tree"])
    vocabulary.embed_vocabulary(tiny_encoder, vocab, tmp_path, bar=True)
    err = capsys.readouterr().err
    assert "3 labels x 14 templates" in err and "first run only, then cached" in err
    vocab = vocabulary.load_vocabulary(labels=["red car", "yellow bus"])
    vocabulary.embed_vocabulary(tiny_encoder, vocab, tmp_path, bar=False)
    assert capsys.readouterr().err == ""
