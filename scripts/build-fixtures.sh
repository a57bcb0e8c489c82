#!/usr/bin/env bash
# Builds every Go fixture in test/fixtures/<name>/ for each target:
#   build/fixtures/go1.24-aix/<name>    GOOS=aix   GOARCH=ppc64, Go 1.24 (what the emulator runs)
#   build/fixtures/go1.19-aix/<name>    GOOS=aix   GOARCH=ppc64, Go 1.19
#   build/fixtures/go1.24-linux/<name>  GOOS=linux GOARCH=ppc64, Go 1.24 (reference under qemu-ppc64)
#   build/fixtures/go1.24-host/<name>   the host's GOOS/GOARCH, Go 1.24 (expected output)
# A fixture is rebuilt only when its sources, the toolchain or the flags changed
# (a hash stamp sits next to each binary). All Go state stays under .cache/.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib-toolchains.sh"

FIXTURES_SRC="$REPO/test/fixtures"
FIXTURES_OUT="$REPO/build/fixtures"
BUILD_FLAGS=(-trimpath -buildvcs=false)

[[ -x $GO124 ]] || die "Go 1.24 missing at $GO124 (run: make toolchains)"
[[ -x $GO119 ]] || die "Go 1.19 missing at $GO119 (run: make toolchains)"

use_private_go_env

mapfile -t FIXTURES < <(cd "$FIXTURES_SRC" && for d in */; do [[ -f $d/main.go ]] && echo "${d%/}"; done)
[[ ${#FIXTURES[@]} -gt 0 ]] || die "no fixtures found under $FIXTURES_SRC"

# A fixture may add one go build flag in test/fixtures/<name>/build-flag (e.g. values keeps its locals
# readable in gdb with -gcflags=-N -l, as `dlv debug` builds); it is then built on its own.
extra_flags() {
  local file="$FIXTURES_SRC/$1/build-flag"
  if [[ -f $file ]]; then head -n1 "$file"; fi
}

# build_target TOOLCHAIN_DIR GO GOROOT GOOS GOARCH
build_target() {
  local tc="$1" go="$2" goroot="$3" goos="$4" goarch="$5"
  local out="$FIXTURES_OUT/$tc" version stale=() name stamp
  mkdir -p "$out"
  version="$(GOROOT="$goroot" "$go" version)"
  for name in "${FIXTURES[@]}"; do
    stamp="$( { extra="$(extra_flags "$name")"; echo "$version $goos/$goarch ${BUILD_FLAGS[*]}${extra:+ $extra}"
                cat "$FIXTURES_SRC/go.mod" "$FIXTURES_SRC/$name"/*.go; } | sha256sum | cut -d' ' -f1)"
    if [[ -x $out/$name && -f $out/.$name.stamp && "$(cat "$out/.$name.stamp")" == "$stamp" ]]; then
      continue
    fi
    stale+=("$name")
    echo "$stamp" > "$out/.$name.stamp.new"
  done
  if [[ ${#stale[@]} -eq 0 ]]; then
    step "$tc: up to date (${#FIXTURES[@]} fixtures)"
    return
  fi
  step "$tc: building ${stale[*]} ($version, $goos/$goarch)"
  local pkgs=() cache_tag extra
  cache_tag="$(echo "$version" | awk '{print $3}')"
  go_build() {
    (cd "$FIXTURES_SRC" && GOROOT="$goroot" GOCACHE="$CACHE_DIR/go-build/$cache_tag" GOOS="$goos" GOARCH="$goarch" \
       "$go" build "${BUILD_FLAGS[@]}" "$@")
  }
  for name in "${stale[@]}"; do
    extra="$(extra_flags "$name")"
    if [[ -z $extra ]]; then pkgs+=("./$name"); else go_build "$extra" -o "$out/" "./$name"; fi
  done
  [[ ${#pkgs[@]} -eq 0 ]] || go_build -o "$out/" "${pkgs[@]}"
  for name in "${stale[@]}"; do
    mv "$out/.$name.stamp.new" "$out/.$name.stamp"
  done
}

HOST_GOOS="$(GOROOT="$GO124_ROOT" "$GO124" env GOHOSTOS)"
HOST_GOARCH="$(GOROOT="$GO124_ROOT" "$GO124" env GOHOSTARCH)"

build_target go1.24-aix   "$GO124" "$GO124_ROOT" aix   ppc64
build_target go1.19-aix   "$GO119" "$GO119_ROOT" aix   ppc64
build_target go1.24-linux "$GO124" "$GO124_ROOT" linux ppc64
build_target go1.24-host  "$GO124" "$GO124_ROOT" "$HOST_GOOS" "$HOST_GOARCH"

# Go 1.24's own compiler built for aix/ppc64: a real program the emulator must run
# (test/integration/run-compile.test.ts compiles a package with it and compares the object with
# the host compiler's). Rebuilt only when the toolchain changes.
build_aix_tool() {
  local pkg="$1" name out stamp version
  name="$(basename "$pkg")"
  out="$FIXTURES_OUT/go1.24-aix-tools"
  mkdir -p "$out"
  version="$(GOROOT="$GO124_ROOT" "$GO124" version)"
  stamp="$(echo "$version aix/ppc64 $pkg ${BUILD_FLAGS[*]}" | sha256sum | cut -d' ' -f1)"
  if [[ -x $out/$name && -f $out/.$name.stamp && "$(cat "$out/.$name.stamp")" == "$stamp" ]]; then
    step "go1.24-aix-tools: $name up to date"
    return
  fi
  step "go1.24-aix-tools: building $pkg ($version, aix/ppc64)"
  GOROOT="$GO124_ROOT" GOCACHE="$CACHE_DIR/go-build/$(echo "$version" | awk '{print $3}')" GOOS=aix GOARCH=ppc64 \
    "$GO124" build "${BUILD_FLAGS[@]}" -o "$out/$name" "$pkg"
  echo "$stamp" > "$out/.$name.stamp"
}

build_aix_tool cmd/compile
