// The gdb command files of the gdb benchmark (src/bench/gdb.ts). They time themselves with gdb's
// Python (`time.time()` for wall time, `time.process_time()` for gdb's own CPU) and print
// `BENCH key value` lines; `check_*` lines show that the run did what it claims (hit counts, the
// value of i at the conditional stop). The port comes from $BENCH_PORT so a script can be rerun
// by hand against any stub.

export type GdbMetric = 'stepi' | 'hits' | 'cond' | 'dump' | 'gstepi';

export interface MetricSizes {
  /** Single steps from the entry point. */
  stepi: number;
  /** `continue`s, each to the next call of main.work (cpuheavy calls it 2000 times). */
  hits: number;
  /** MiB of the first heap arena dumped per `dump` (qemu maps the first 4 MiB of it). */
  heapMiB: number;
  heapRepeat: number;
  /** How many times the whole text segment is dumped. */
  textRepeat: number;
  /** Single steps, each its own command (gdb re-reads the thread list after each), in migrate. */
  gstepi: number;
}

export const DEFAULT_SIZES: MetricSizes = { stepi: 2000, hits: 500, heapMiB: 4, heapRepeat: 4, textRepeat: 8, gstepi: 200 };

/** Settings, the report/timed/run helpers and the connection every bench script starts with. */
export const GDB_PRELUDE = `set pagination off
set confirm off
set width 0
set height 0
python
import os, sys, time
def report(key, value):
    print("BENCH %s %s" % (key, value))
    sys.stdout.flush()
def timed(key, fn):
    t, c = time.time(), time.process_time()
    fn()
    report(key, "%.6f" % (time.time() - t))
    report(key + "_gdbcpu", "%.6f" % (time.process_time() - c))
def run(cmd):
    return gdb.execute(cmd, to_string=True)
timed("connect", lambda: run("target remote 127.0.0.1:%s" % os.environ["BENCH_PORT"]))
report("connected_at", "%.6f" % time.time())
def to_work():
    run("break main.work")
    run("continue")
    run("delete")
end
`;

const EPILOGUE = `python report("done", 1)
kill
`;

function body(metric: GdbMetric, s: MetricSizes): string {
  switch (metric) {
    case 'stepi':
      return `python
timed("stepi", lambda: [run("stepi") for _ in range(${s.stepi})])
report("check_stopped_in", gdb.selected_frame().name())
end
`;
    case 'gstepi':
      return `python
run("break %s" % os.environ["BENCH_BREAK"])
run("continue")
timed("gstepi", lambda: [run("stepi") for _ in range(${s.gstepi})])
report("check_threads", len(gdb.selected_inferior().threads()))
end
`;
    case 'hits':
      return `python
run("break main.work")
run("continue")
first = int(gdb.parse_and_eval("i"))
timed("hits", lambda: [run("continue") for _ in range(${s.hits})])
# A stub may report the same call more than once (qemu does under threads): count calls reached.
report("hits_calls", int(gdb.parse_and_eval("i")) - first)
report("check_continues", ${s.hits})
report("check_hit_count", gdb.breakpoints()[0].hit_count)
end
`;
    case 'cond':
      return `python
to_work()
run("break main.work if i == 1999")
timed("cond", lambda: run("continue"))
report("check_i", int(gdb.parse_and_eval("i")))
report("check_hit_count", gdb.breakpoints()[0].hit_count)
end
`;
    case 'dump':
      return `python
to_work()
out = os.environ.get("BENCH_DUMP_FILE", "/tmp/aix-gdbstub-bench-dump.bin")
# The first heap arena (64 MiB aligned) holds the first span Go allocated.
span = gdb.parse_and_eval("'runtime.mheap_'")["allspans"]["array"][0].dereference()
heap = int(span["startAddr"]) & ~((64 << 20) - 1)
heap_end = heap + (${s.heapMiB} << 20)
def dump_heap():
    for _ in range(${s.heapRepeat}):
        run("dump binary memory %s %d %d" % (out, heap, heap_end))
timed("dump_heap", dump_heap)
report("dump_heap_mib", ${s.heapMiB * s.heapRepeat})
text = int(gdb.parse_and_eval("&'runtime.text'"))
etext = int(gdb.parse_and_eval("&'runtime.etext'"))
def dump_text():
    for _ in range(${s.textRepeat}):
        run("dump binary memory %s %d %d" % (out, text, etext))
timed("dump_text", dump_text)
report("dump_text_mib", "%.6f" % ((etext - text) * ${s.textRepeat} / 1048576))
report("check_heap", hex(heap))
report("check_text", "%#x-%#x" % (text, etext))
end
`;
  }
}

export function gdbScript(metric: GdbMetric, sizes: MetricSizes): string {
  return GDB_PRELUDE + body(metric, sizes) + EPILOGUE;
}
