from vidclip.ocr.sampling import plan


def test_each_scene_is_looked_at_after_its_cut_and_then_every_interval():
    # 10 fps: a 1 s scene gets one look, an 8 s scene one every 2 s.
    assert plan([(0, 10), (10, 90)], fps=10, interval_s=2.0) == [2, 12, 32, 52, 72]


def test_a_scene_shorter_than_the_settling_time_is_still_looked_at():
    assert plan([(0, 1)], fps=30, interval_s=2.0) == [0]
