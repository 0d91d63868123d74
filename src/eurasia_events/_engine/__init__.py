"""The engine behind :class:`~eurasia_events.log.Log` (private): compact rows, the one
decoding point, correction merging, ``known_at`` replay, the checkpoint index and the
collector policy. Its modules import nothing from the log; the log talks to
:class:`~eurasia_events._engine.engine.Engine` through the interface that module declares.
"""
