#!/usr/bin/env python3
"""`msidl check` against Wine's `widl -h -p` on mshtml.idl, interleaved.

Runs each command in turn, ROUNDS times, and prints the median and fastest
wall time of each, then the peak RSS of one more run each (GNU time).
Interleaving puts the machine's slow and fast moments on every command
alike. Other msidl binaries (an older build) can be passed to compare:

    cli/benches/interleaved.py [ROUNDS] [MSIDL_BINARY ...]

Default: 15 rounds of target/release/msidl (build it with
`cargo build --release -p msidl`).
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

WINE = "/usr/include/wine/wine/windows"
ROOT = os.path.join(WINE, "mshtml.idl")
WIDL = "x86_64-w64-mingw32-widl"

rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 15
binaries = sys.argv[2:] or [
    os.path.join(os.path.dirname(__file__), "../../target/release/msidl")
]
out = tempfile.mkdtemp(prefix="msidl-interleaved-")
commands = {
    f"msidl check ({b})": [b, "check", "-I", WINE, ROOT] for b in binaries
}
commands["widl -h -p"] = [
    WIDL, "-I", WINE, "-h", "-H", os.path.join(out, "h.h"),
    "-p", "-P", os.path.join(out, "p.c"), ROOT,
]

times = {name: [] for name in commands}
for _ in range(rounds):
    for name, cmd in commands.items():
        start = time.perf_counter()
        # msidl check exits 1 on mshtml.idl (Wine's `[out] BOOL fAtStart`).
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times[name].append(time.perf_counter() - start)

widl = statistics.median(times["widl -h -p"])
for name, cmd in commands.items():
    t = times[name]
    rss = subprocess.run(
        ["/usr/bin/time", "-f", "%M"] + cmd,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    ).stderr.strip().splitlines()[-1]
    print(
        f"{name}: median {statistics.median(t) * 1000:.0f} ms, "
        f"fastest {min(t) * 1000:.0f} ms, "
        f"{statistics.median(t) / widl:.2f}x widl, "
        f"peak RSS {int(rss) / 1024:.1f} MiB"
    )
