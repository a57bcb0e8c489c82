# trace-libc.gdb: run the program to its end, stopping at every libc call (entry and return,
# through `catch syscall`) to print the calling thread's libcall frame.
#   gdb-multiarch -batch -ex 'target remote :1234' -x gdb-scripts/trace-libc.gdb
set pagination off
set confirm off
catch syscall
commands
  silent
  monitor libcall selected
  continue
end
continue
echo \ntrace-libc: the program ran to its end\n
