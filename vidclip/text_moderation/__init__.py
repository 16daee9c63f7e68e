"""Moderation that reads: the policy's categories matched against what is said
(the transcript) and what is written on screen (on-screen text).

Design
------
- :mod:`~vidclip.text_moderation.tokens`: a text's words, normalised the same
  way as the lexicon's (case, accents, contractions), with their characters.
- :mod:`~vidclip.text_moderation.lexicon`: a category's ``lexicon`` (words
  and phrases on word boundaries, inflection-tolerant unless ``exact``,
  ``word*`` prefixes) less its ``allow`` look-alikes.
- :mod:`~vidclip.text_moderation.classifier`: text classifiers by name
  (``profanity``: alt-profanity-check, whose model ships in its wheel).
- :mod:`~vidclip.text_moderation.units`: transcript segments and on-screen
  text items as units of text with the time of each word.
- :mod:`~vidclip.text_moderation.moderator`: the rules over the units, as
  :class:`~vidclip.text_moderation.moderator.WordScore` verdicts.
- :mod:`~vidclip.text_moderation.merge`: verdicts into the result's
  categories and scene hits, each flagged segment with ``source``
  (speech | text), ``evidence`` (the words) and ``rule`` (lexicon |
  classifier), so the moderation queue receives them like visual flags.

:func:`~vidclip.text_moderation.apply.moderate_words` is the whole of it over
one analysis; the stage (:mod:`vidclip.stages.words`) calls it after
``assemble``. This package module imports nothing, so the policy parser
(:mod:`vidclip.moderate`) can use the lexicon and classifier names. Nothing here
imports a model until a policy's classifier first scores a text.
"""
