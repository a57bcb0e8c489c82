# teach-syscall.gdb: a guided walk from fmt.Println down to the libc `write` import, on the
# hello fixture (fmt.Println("hello from aix/ppc64")). At each step it shows where we are, the
# g register (R30), which M and pthread run it, and the stack.
#   gdb-multiarch -batch -ex 'target remote :1234' -x gdb-scripts/teach-syscall.gdb
set pagination off
set confirm off

echo \n=== Step 1: main.main calls fmt.Println ===\n
echo Go code keeps the current goroutine's g in R30; the g points at its M (g.m).\n
tbreak fmt.Println
continue
echo g (R30) =\ 
p/x $r30
bt 3
monitor threads

echo \n=== Step 2: the os.File write reaches the syscall package: syscall.write(fd=1, ...) ===\n
echo syscall.write is generated code: it calls syscall6 with &libc_write, the import slot.\n
eval "tbreak syscall.write thread %d", $_thread
continue
bt 6

echo \n(The runtime's own prints take runtime.write1 -> runtime.syscall3, the same libcall path.)\n

echo \n=== Step 3: runtime.syscall_syscall6 builds a libcall {fn, n, args} on the goroutine stack ===\n
echo It marks the goroutine _Gsyscall (entersyscall), then asmcgocall switches to the M's g0 stack.\n
eval "tbreak runtime.syscall_syscall6 thread %d", $_thread
continue
bt 4
info registers r1 r30
echo fn is the address of the import slot libc_write (not of the function):\ 
p/x fn
set $write_slot = fn

echo \n=== Step 4: asmsyscall6 on g0: R3 = &libcall; it loads fn and the six args, calls callCfunction ===\n
echo (entersyscall may first wake another P through sem_post: skip asmsyscall6 calls for other slots)\n
set language c
eval "tbreak asmsyscall6 thread %d if *(unsigned long *)$r3 == $write_slot", $_thread
set language auto
continue
echo R3 = &libcall =\ 
p/x $r3
echo g (R30) is now the M's g0:\ 
p/x $r30
monitor libcall selected

echo \n=== Step 5: the libc import itself: catch syscall write stops at its entry ===\n
echo callCfunction loaded the function descriptor from the slot and branched to libc write.\n
catch syscall write
continue
info registers pc lr r3 r4 r5
monitor libcall selected

echo \n=== Step 6: back from libc: R3 holds the result (21 bytes) ===\n
continue
monitor libcall selected
delete
echo \n=== The rest of the program runs to its end ===\n
continue
echo teach-syscall: done\n
