"""Python's cyclic garbage collector, set for the API's traffic.

By default a young-generation collection runs every 700 allocations. A process serving dozens of requests at
once holds thousands of objects in flight, so each of those collections walks them all again,
finds nothing to free (they die by reference counting moments later) and promotes them, which makes the older
generations' collections walk them too. With 10,000 the objects of one request have usually come and gone
between two collections: measured on the action path, the API spent a fifth less CPU per request. Reference
counting still frees nearly everything at once; only cycles wait longer, and 10,000 allocations' worth of them
is a few megabytes at most.

Not in the worker. With the SDK's sandbox (`PRAXIS_WORKER_SANDBOX`), a workflow evicted from its cache leaves
its sandbox behind as cycles of module dicts and functions, which only a full collection frees, and with young
collections this rare the full ones came so much later that 10,000 open projects took the worker from about 440
to 730 MiB. Without it (the default), alternating benchmark runs showed no difference in the worker's CPU.
"""

from __future__ import annotations

import gc

YOUNG_GENERATION_THRESHOLD = 10_000


def tune_collector() -> None:
    """Collect the young generation every `YOUNG_GENERATION_THRESHOLD` allocations; the older ones as before."""
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, middle, oldest)
