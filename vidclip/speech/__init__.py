"""Speech: audio in, voice activity, recognisers behind one interface, the transcript."""
