"""Many API requests at once against a running server: requests per second, p95, errors.

    python bench/burst.py --base http://127.0.0.1:8501 [--clients 200] [--seconds 60]

Each address is first asked once, alone (the quiet answers); then ``--clients`` threads ask
the mixed addresses (good and bad ones) again and again for ``--seconds``. Every answer must
equal its quiet answer, status and body; a refused connection, a timeout or a different
answer is an error. The process behind the address must still answer at the end.
Nothing is asserted here: the test suite's load test (tests/test_load.py) asserts a bounded
burst with the same helpers (tests/load.py).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.load import API_ADDRESSES, burst, quiet_answers  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="the server, e.g. http://127.0.0.1:8501")
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60.0)
    arguments = parser.parse_args()
    expected = quiet_answers(arguments.base, API_ADDRESSES)
    result = burst(arguments.base, expected, clients=arguments.clients, seconds=arguments.seconds)
    print(result.table())
    sys.exit(0 if result.ok else 1)


if __name__ == "__main__":
    main()
