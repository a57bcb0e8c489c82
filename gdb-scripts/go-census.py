# go-census.py: scripted debugging through gdb's Python API. Stops at main.main, lists every
# goroutine (monitor goroutines) and gdb's threads, then runs the program to its end counting the
# libc calls it makes by name (catch syscall entries). Load after connecting:
#   gdb-multiarch -batch -ex 'target remote :1234' -x gdb-scripts/go-census.py
import collections
import re

import gdb

gdb.execute("set pagination off")
gdb.execute("set confirm off")

gdb.execute("break main.main", to_string=True)
gdb.execute("continue", to_string=True)
gdb.execute("delete", to_string=True)

threads = gdb.selected_inferior().threads()
print("census: at main.main, %d gdb threads" % len(threads))
goroutines = gdb.execute("monitor goroutines", to_string=True)
rows = [line for line in goroutines.splitlines() if re.match(r"^\s*\*?\s*\d+\s", line)]
print("census: %d goroutines" % len(rows))
for line in rows:
    print("census:   " + " ".join(line.split()))

calls = collections.Counter()
ended = []
gdb.events.exited.connect(lambda ev: ended.append(getattr(ev, "exit_code", None)))
gdb.execute("catch syscall", to_string=True)
while not ended:
    try:
        gdb.execute("continue", to_string=True)
    except gdb.error:
        break  # the program is no longer running
    if ended:
        break
    # A catch-syscall stop: at an entry the stub's libcall view says "in libc.a(shr_64.o):write"
    # (at the return, "returned from ...", not counted).
    entry = re.search(r": in \S+:(\w+)$", gdb.execute("monitor libcall selected", to_string=True), re.M)
    if entry:
        calls[entry.group(1)] += 1
print("census: the program exited with status %s" % (ended[0] if ended and ended[0] is not None else "?"))

print("census: %d libc calls after main.main, by name:" % sum(calls.values()))
for name, n in sorted(calls.items(), key=lambda kv: (-kv[1], kv[0])):
    print("census:   %-16s %d" % (name, n))
