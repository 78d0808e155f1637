"""Runs a command and reports what it cost the controller, as one JSON line on fd 3.

    python3 measure.py -- COMMAND [ARGS...]

wall_ms: from fork to exit (this wrapper's own start-up is not counted); cpu_ms: user + system
time of the command and every descendant it waited for; max_rss_kb: the largest resident set of
any one of those processes (getrusage); tree_rss_kb: the largest sum of the resident sets of the
command's whole process tree, sampled every 100 ms for 2 s, then every 500 ms (Ansible runs one
process per fork).
The command's stdout and stderr pass through unchanged.
"""
import json
import os
import resource
import subprocess
import sys
import threading
import time

PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def tree_rss_kb(root):
    """Sum of RSS over root and its descendants (walks only this tree, through /proc children)."""
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        try:
            with open(f"/proc/{pid}/statm", "rb") as f:
                total += int(f.read().split()[1]) * PAGE_KB
            for tid in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{tid}/children", "rb") as f:
                    todo.extend(int(c) for c in f.read().split())
        except (OSError, ValueError, IndexError):
            continue  # exited meanwhile
    return total


def main():
    argv = sys.argv[1:]
    if argv[:1] == ["--"]:
        argv = argv[1:]
    out = os.fdopen(3, "w")
    started = time.perf_counter()
    proc = subprocess.Popen(argv)
    done = threading.Event()
    peak = [0]

    def sample():
        # Every 100 ms for the first 2 s, then every 500 ms: long runs hold their peak for long.
        n = 0
        while not done.is_set():
            peak[0] = max(peak[0], tree_rss_kb(proc.pid))
            n += 1
            done.wait(0.1 if n < 20 else 0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    # A blocking wait4 returns the moment the command exits, with its own resource usage.
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    out.write(
        json.dumps(
            {
                "status": os.waitstatus_to_exitcode(status),
                "wall_ms": wall * 1000,
                "cpu_ms": (usage.ru_utime + usage.ru_stime) * 1000,
                "max_rss_kb": usage.ru_maxrss,
                "tree_rss_kb": max(peak[0], usage.ru_maxrss),
            }
        )
        + "\n"
    )
    out.close()


main()
