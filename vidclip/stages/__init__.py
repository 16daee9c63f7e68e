"""The stages of one video's analysis, in the order :meth:`Pipeline.run` calls them.

Each is a function from a context (:mod:`vidclip.context`, built once) and
a typed input to a typed output:

    encode_video     AnalysisContext, source       -> StreamedVideo    (decode + encode, streamed)
    encode_many      AnalysisContext, sources      -> StreamedVideo each (several videos into
                                                       shared encoder batches; run_many)
    segment_video    AnalysisContext, StreamedVideo -> SegmentedVideo  (scenes, timeline)
    tag_video        AnalysisContext, SegmentedVideo -> TagResult
    moderate_video   AnalysisContext, SegmentedVideo -> ModerationResult | None
    assemble         ... -> VideoAnalysis                               (the result contract)
    moderate_said_and_written AnalysisContext, VideoAnalysis -> VideoAnalysis (the policy's
                                                       lexicons and classifiers over speech
                                                       and on-screen text)
    lay_out_captions AnalysisContext, VideoAnalysis -> VideoAnalysis    (the caption track of
                                                       the transcript, timed-text rules)
    caption_analysis CaptionContext, VideoAnalysis -> VideoAnalysis    (captions, summary)
"""
