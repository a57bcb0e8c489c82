# Shared by scripts/build-snapshot.sh and scripts/aix-gdbstub (sourced; POSIX sh).
# A V8 start-up snapshot loads only into the node binary that wrote it (Node refuses any other), so
# the blob is stamped with that binary's identity: the node on PATH, its size, mtime and inode.
snapshot_dir() { echo "$1/build/snapshot"; }
node_identity() {
  _node=$(command -v node) || return 1
  echo "$_node $(stat -L -c '%s %Y %i' "$_node")"
}
