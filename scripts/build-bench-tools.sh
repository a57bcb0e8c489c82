#!/usr/bin/env bash
# Real tools from Go 1.24's own tree for `make bench`'s "real tools" rows, built twice: for aix/ppc64
# (what we run) and linux/ppc64 (what qemu-ppc64 runs), into build/bench-tools/<goos>/:
#   gofmt, compile                     the tools
#   importcfg                          export data of fmt and strings (and their deps) for that GOOS,
#                                      so `compile` can build a small package importing them
# and gofmt's input, build/bench-tools/expr.go (go/types/expr.go, 40 KB). compile builds
# test/inputs/point.go (a package importing fmt and strings, as test/integration/run-compile.test.ts).
# Only `make bench` needs them (CI does not build them). Rebuilt when the toolchain changes.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib-toolchains.sh"

OUT="$REPO/build/bench-tools"
BUILD_FLAGS=(-trimpath -buildvcs=false)
[[ -x $GO124 ]] || die "Go 1.24 missing at $GO124 (run: make toolchains)"
use_private_go_env

version="$(GOROOT="$GO124_ROOT" "$GO124" version)"
cache="$CACHE_DIR/go-build/$(echo "$version" | awk '{print $3}')"
mkdir -p "$OUT"
cp "$GO124_ROOT/src/go/types/expr.go" "$OUT/expr.go"
for goos in aix linux; do
  out="$OUT/$goos"
  stamp="$(echo "$version $goos/ppc64 ${BUILD_FLAGS[*]} gofmt compile importcfg" | sha256sum | cut -d' ' -f1)"
  if [[ -f $out/.stamp && "$(cat "$out/.stamp")" == "$stamp" ]]; then
    step "bench-tools/$goos: up to date"
    continue
  fi
  step "bench-tools/$goos: building gofmt and compile ($version, $goos/ppc64)"
  mkdir -p "$out"
  export GOROOT="$GO124_ROOT" GOCACHE="$cache" GOOS="$goos" GOARCH=ppc64
  "$GO124" build "${BUILD_FLAGS[@]}" -o "$out/gofmt" cmd/gofmt
  "$GO124" build "${BUILD_FLAGS[@]}" -o "$out/compile" cmd/compile
  "$GO124" list "${BUILD_FLAGS[@]}" -export -deps -f '{{if .Export}}packagefile {{.ImportPath}}={{.Export}}{{end}}' fmt strings > "$out/importcfg"
  unset GOROOT GOCACHE GOOS GOARCH
  echo "$stamp" > "$out/.stamp"
done
