"""The caption track for deaf and hard-of-hearing viewers: transcript words laid
out as cues by the timed-text rules (:mod:`.segmenter`), and an independent
checker of those rules (:mod:`.rules`)."""
