# Shared toolchain locations for install-toolchains.sh and build-fixtures.sh.
# Sourced, not executed. Everything private lives under $REPO/.cache (ignored by git).

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE_DIR="$REPO/.cache"
TOOLCHAINS_DIR="$CACHE_DIR/toolchains"

# Go 1.24 is unpacked from Debian trixie's golang-1.24-go/-src packages, never installed.
GO124_UNPACK_DIR="$TOOLCHAINS_DIR/go-1.24"
GO124_ROOT="$GO124_UNPACK_DIR/usr/lib/go-1.24"
GO124="$GO124_ROOT/bin/go"

# Go 1.19 is Debian bookworm's golang-go (installed system-wide).
GO119_ROOT="/usr/lib/go-1.19"
GO119="$GO119_ROOT/bin/go"

GDB_MULTIARCH="/usr/bin/gdb-multiarch"
QEMU_PPC64="/usr/bin/qemu-ppc64"
OBJDUMP="/usr/bin/objdump"

# Keep Go away from $HOME and the network: build cache, module path, config and
# telemetry (os.UserConfigDir) all under .cache/, never a toolchain download.
use_private_go_env() {
  export GOPATH="$CACHE_DIR/gopath"
  export GOMODCACHE="$GOPATH/pkg/mod"
  export GOCACHE="$CACHE_DIR/go-build"
  export XDG_CONFIG_HOME="$CACHE_DIR/go-config"
  export GOFLAGS="" GOTOOLCHAIN=local GOPROXY=off GOSUMDB=off GOWORK=off CGO_ENABLED=0
  unset GOOS GOARCH GOROOT GOBIN
}

step() { printf '[%s] %s\n' "$(basename "$0" .sh)" "$*"; }
die() { printf '[%s] error: %s\n' "$(basename "$0" .sh)" "$*" >&2; exit 1; }
