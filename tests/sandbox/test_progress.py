"""Layer progress is thinned before it is stored and sent: a push of a big layer reports every chunk."""
from engine.engine import throttled
from engine.facts import LayerProgress, LogLine


def test_repeats_of_a_status_are_dropped_but_changes_and_other_events_pass():
    events = [
        LayerProgress("push", "a", "Pushing", 1, 10),
        LayerProgress("push", "a", "Pushing", 2, 10),
        LayerProgress("push", "b", "Pushing", 1, 10),
        LogLine("build", "between"),
        LayerProgress("push", "a", "Pushed"),
    ]
    assert list(throttled(iter(events), every=60)) == [events[0], events[2], events[3], events[4]]


def test_a_status_repeats_once_the_interval_has_passed():
    events = [LayerProgress("pull", "a", "Downloading", n, 10) for n in range(3)]
    assert list(throttled(iter(events), every=0)) == events
