# Shared by scripts/build-snapshot.sh and the tests (sourced; POSIX sh).
# A V8 start-up snapshot loads only into the node binary that wrote it (Node refuses any other), so
# the blob is stamped with that binary's identity: the node on PATH, its size, mtime and inode.
# scripts/aix-gdbstub checks it with shell builtins only (every program it started cost a fork):
# the path on the file's first field, and the file's own mtime, which is the binary's.
snapshot_dir() { echo "$1/build/snapshot"; }
node_identity() {
  _node=$(command -v node) || return 1
  echo "$_node $(stat -L -c '%s %Y %i' "$_node")"
}
# write_node_identity FILE: the identity, in a file whose mtime is the node binary's.
write_node_identity() {
  node_identity >"$1" && touch -r "$(command -v node)" "$1"
}
