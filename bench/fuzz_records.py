"""The thorough run of the structured record fuzzer (``tests/test_fuzz_records.py``).

``python bench/fuzz_records.py [--records 100000] [--files 2000]``

Drives the fuzzer's two properties with many more examples than the suite does: hostile
records (valid hashes, hostile fields) read from memory until ``--records`` of them have
been read and verified, then ``--files`` logs through the file store, ``load()`` and the
``validate`` and ``show`` commands. Any exception other than a library error fails the run
(hypothesis prints the smallest record it found). Prints what was tried and how it ended.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the fuzzer lives with the tests

import test_fuzz_records as fuzz


def main(argv: list[str] | None = None) -> int:
    """Run the fuzzer until the requested number of records was read; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000, help="hostile records to read from memory")
    parser.add_argument("--files", type=int, default=2_000, help="hostile logs to read as files and through the CLI")
    args = parser.parse_args(argv)
    quiet = {"deadline": None, "database": None, "suppress_health_check": list(HealthCheck)}
    start = time.monotonic()
    # Each example holds up to 20 records (about 10 on average); run batches until enough were read.
    while fuzz.FUZZED["records"] < args.records:
        batch = max(100, (args.records - fuzz.FUZZED["records"]) // 10)
        run = given(records=fuzz.MANY_RECORDS, ascii_only=st.booleans())(fuzz.fuzz_memory)
        settings(max_examples=batch, **quiet)(run)()
    print(f"memory: {fuzz.FUZZED['records']} hostile records read, {fuzz.FUZZED['verified']} verified "
          f"(valid despite the changes), the rest refused with a library error; "
          f"{time.monotonic() - start:.0f} s")
    if args.files:
        import tempfile

        import pytest

        start = time.monotonic()
        with tempfile.TemporaryDirectory() as folder:
            factory = pytest.TempPathFactory(Path(folder), retention_count=1, retention_policy="none",
                                             trace=lambda *a: None, _ispytest=True)
            run = given(records=fuzz.FEW_RECORDS, ascii_only=st.booleans())(fuzz.fuzz_files)
            settings(max_examples=args.files, **quiet)(run)(tmp_path_factory=factory)
        print(f"files: {args.files} logs of 1 to 3 hostile records through load(), verify(), validate and show: "
              f"only library errors; {time.monotonic() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
