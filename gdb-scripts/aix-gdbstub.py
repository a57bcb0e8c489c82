# The project's gdb Python (Go pretty printers and whatever else sits in gdb-scripts/python/) for a
# gdb connected to `serve`. One line in gdb, before or after `target remote`:
#   source /path/to/aix-gdbstub/gdb-scripts/aix-gdbstub.py
# It runs every gdb-scripts/python/*.py in name order: the same scripts the ELF view carries in its
# .debug_gdb_scripts section, which gdb never auto-loads from a file it read over `target:`.
import glob
import os

_scripts_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "python")
for _path in sorted(glob.glob(os.path.join(_scripts_dir, "*.py"))):
    with open(_path, encoding="utf-8") as _file:
        exec(compile(_file.read(), _path, "exec"), {"__name__": "aix_gdbstub." + os.path.basename(_path)[:-3], "__file__": _path})
