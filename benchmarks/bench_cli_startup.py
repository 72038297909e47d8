"""`roleplay --help` must be instant: it may not import litellm, gradio or deepeval (seconds each here).

Prints the wall time of `roleplay --help` (median of N runs, fresh process each) and which heavy modules a
`--help` run imported. Run: python benchmarks/bench_cli_startup.py [N]
"""

import statistics
import subprocess
import sys
import time

HEAVY = ("litellm", "gradio", "deepeval", "llama_cpp", "simplemma", "sqlalchemy", "rapidfuzz")


def main(n: int = 10) -> None:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "roleplay", "--help"], check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
    probe = (
        "import sys, runpy; sys.argv=['roleplay','--help']\n"
        "try:\n    runpy.run_module('roleplay', run_name='__main__')\nexcept SystemExit:\n    pass\n"
        f"print('LOADED=' + ','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True).stdout
    loaded = next(line for line in out.splitlines() if line.startswith("LOADED=")).removeprefix("LOADED=")
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    bare = time.perf_counter() - t0
    print(
        f"roleplay --help: median {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms "
        f"over {n} runs (a bare `python -c pass` takes {bare * 1000:.0f} ms)"
    )
    print(f"heavy modules imported by --help: {loaded or 'none'}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
