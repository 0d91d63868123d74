"""Benchmarks of eurasia_events (not shipped): a synthetic log generator and a runner."""
