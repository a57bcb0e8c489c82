# rr-style navigation for a recorded serve run (the default; `serve --no-record` turns it off).
# `source gdb-scripts/reverse.gdb`, then:
#   rwhen          the current position (instruction count of the whole process)
#   rgoto N        go to instruction N (also: rgoto start, rgoto end)
#   rcheckpoint    bookmark the current position; rcheckpoints lists them
#   rrestart N     go back (or forward) to bookmark N
# monitor goto/restart change the guest behind gdb's back: these also flush gdb's register cache
# and show the frame, so gdb's view follows.
define rwhen
  monitor when
end
define rgoto
  monitor goto $arg0
  maintenance flush register-cache
  frame
end
define rcheckpoint
  monitor checkpoint
end
define rcheckpoints
  monitor checkpoints
end
define rrestart
  monitor restart $arg0
  maintenance flush register-cache
  frame
end
