# Shared by scripts/build-snapshot.sh and the tests (sourced; POSIX sh).
# A V8 start-up snapshot loads only into the node binary that wrote it (Node refuses any other), so
# the blob is stamped with that binary: node-identity holds the path of the node on PATH, on one
# line, and has that binary's mtime. scripts/aix-gdbstub compares both with shell builtins only
# (every program it started cost a fork); an upgrade in place shows as another mtime.
snapshot_dir() { echo "$1/build/snapshot"; }
# write_node_identity FILE
write_node_identity() {
  _node=$(command -v node) || return 1
  printf '%s\n' "$_node" >"$1" && touch -r "$_node" "$1"
}
