# aix-go.gdb: Go-on-AIX runtime commands for gdb connected to aix-gdbstub.
#   (gdb) source gdb-scripts/aix-go.gdb
#   (gdb) target remote :1234
# Each command wraps an aix-gdbstub `monitor` command (`monitor help` lists them all).

define libcalls
  if $argc == 0
    monitor libcall all
  else
    monitor libcall $arg0
  end
end
document libcalls
Show the libc call of each Go M: import name, decoded arguments, the libcall frame
(fn, n, args, r1, r2, err), libcallsp/libcallpc/libcallg.
Usage: libcalls [PTHREAD|M<id>|all]
end

define mthreads
  monitor threads
end
document mthreads
Show the pthread <-> M <-> G mapping: pthread id, gdb thread id, M id, m.procid, which g the
thread runs on (g0, gsignal or curg), curg and its status, lockedg, spinning/blocked, PC.
Usage: mthreads
end

define goroutines
  if $argc == 0
    monitor goroutines
  else
    monitor goroutines $arg0
  end
end
document goroutines
List every goroutine: id, status, wait reason, the M running it, PC and start function.
Usage: goroutines [all]     (all: include dead goroutines)
end

define break-libc
  if $argc == 0
    monitor break-libcall
  end
  if $argc == 1
    monitor break-libcall $arg0
  end
  if $argc == 2
    monitor break-libcall $arg0 $arg1
  end
  if $argc == 3
    monitor break-libcall $arg0 $arg1 $arg2
  end
end
document break-libc
Stop when any thread enters the named libc imports (the stop prints the call and its libcall frame).
Usage: break-libc NAME [NAME [NAME]]  |  break-libc all  |  break-libc off
end

define libc-stats
  if $argc == 0
    monitor syscalls
  else
    monitor syscalls $arg0
  end
end
document libc-stats
Calls, errors and guest time per libc import since start (or since `libc-stats reset`).
Usage: libc-stats [reset]
end
