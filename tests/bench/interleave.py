"""Interleaved launch timing: each round runs every command once, in a shuffled order, so that
drift in the machine's load falls on all of them alike (SPEC §9 "measured interleaved").
Usage: interleave.py ROUNDS NAME=COMMAND... ; prints JSON {name: median_ms}."""
import json, os, random, shlex, shutil, statistics, sys, time

rounds = int(sys.argv[1])
commands = [arg.split("=", 1) for arg in sys.argv[2:]]
argvs = {name: shlex.split(cmd) for name, cmd in commands}
for argv in argvs.values():
    argv[0] = shutil.which(argv[0]) or argv[0]  # posix_spawn does not search PATH
samples = {name: [] for name, _ in commands}
devnull = os.open(os.devnull, os.O_RDWR)
for r in range(rounds + 5):
    order = list(argvs)
    random.shuffle(order)
    for name in order:
        start = time.perf_counter_ns()
        pid = os.posix_spawn(argvs[name][0], argvs[name], os.environ,
                             file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 0),
                                           (os.POSIX_SPAWN_DUP2, devnull, 1)])
        _, status = os.waitpid(pid, 0)
        elapsed = time.perf_counter_ns() - start
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"interleave: {name} failed: {shlex.join(argvs[name])}")
        if r >= 5:  # warm-up rounds are not counted
            samples[name].append(elapsed / 1e6)
print(json.dumps({name: statistics.median(v) for name, v in samples.items()}))
