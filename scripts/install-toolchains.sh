#!/usr/bin/env bash
# Installs what the tests need when it is missing:
#   - Debian packages gdb-multiarch, qemu-user, binutils-multiarch, golang-go (Go 1.19);
#   - Go 1.24, downloaded from Debian trixie through a private apt configuration and
#     unpacked with dpkg -x under .cache/toolchains/go-1.24: the system's package set
#     is never changed for it.
# A second run is a fast no-op. The mirror is read from this machine's own apt sources.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib-toolchains.sh"

SYSTEM_PACKAGES=(gdb-multiarch qemu-user binutils-multiarch golang-go)
GO124_PACKAGES=(golang-1.24-go golang-1.24-src)
GO124_SUITE=trixie

as_root() {
  if [[ $EUID -eq 0 ]]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "need root (or sudo) to run: $*"
  fi
}

package_installed() {
  [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" == "install ok installed" ]]
}

apt_lists_present() {
  compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null
}

install_system_packages() {
  local missing=() pkg
  for pkg in "${SYSTEM_PACKAGES[@]}"; do
    package_installed "$pkg" || missing+=("$pkg")
  done
  if [[ ${#missing[@]} -eq 0 ]]; then
    step "system packages present: ${SYSTEM_PACKAGES[*]}"
    return
  fi
  # Wait for another apt/dpkg run instead of failing on the lock.
  local apt_opts=(-o DPkg::Lock::Timeout=600)
  if ! apt_lists_present; then
    step "apt-get update (no package lists yet)"
    as_root apt-get "${apt_opts[@]}" update -qq
  fi
  step "apt-get install ${missing[*]}"
  if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install -y -qq --no-install-recommends "${missing[@]}"; then
    step "install failed; apt-get update and retry"
    as_root apt-get "${apt_opts[@]}" update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

# Prints "URI<TAB>KEYRING" of the machine's main Debian archive (not the security one).
machine_debian_mirror() {
  local deb822=/etc/apt/sources.list.d/debian.sources
  if [[ -r $deb822 ]]; then
    awk '
      function flush() {
        if (uri != "" && suites !~ /-security/ && !done) { print uri "\t" key; done = 1 }
        uri = ""; suites = ""; key = ""
      }
      /^[[:space:]]*$/ { flush(); next }
      /^URIs:/       { uri = $2 }
      /^Suites:/     { suites = $0 }
      /^Signed-By:/  { key = $2 }
      END { flush() }
    ' "$deb822"
    return
  fi
  if [[ -r /etc/apt/sources.list ]]; then
    awk '
      $1 == "deb" && $0 !~ /-security/ {
        key = ""; i = 2
        if ($2 ~ /^\[/) {
          for (; i <= NF; i++) {
            if ($i ~ /signed-by=/) { key = $i; sub(/.*signed-by=/, "", key); sub(/\]$/, "", key) }
            if ($i ~ /\]$/) { i++; break }
          }
        }
        print $i "\t" key; exit
      }
    ' /etc/apt/sources.list
  fi
}

go124_works() {
  [[ -x $GO124 ]] && GOROOT="$GO124_ROOT" "$GO124" version >/dev/null 2>&1
}

install_go124() {
  if go124_works; then
    step "go 1.24 present: $(GOROOT="$GO124_ROOT" "$GO124" version)"
    return
  fi
  local mirror_line uri keyring
  mirror_line="$(machine_debian_mirror)"
  uri="${mirror_line%%$'\t'*}"
  keyring="${mirror_line#*$'\t'}"
  [[ -n $uri ]] || die "no Debian mirror found in /etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list"
  [[ -n $keyring ]] || keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  [[ -r $keyring ]] || die "keyring $keyring not readable (needed to verify $GO124_SUITE)"

  local apt_dir="$CACHE_DIR/apt-$GO124_SUITE"
  rm -rf "$apt_dir"
  mkdir -p "$apt_dir/sources.list.d" "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/debs"
  printf 'deb [signed-by=%s] %s %s main\n' "$keyring" "$uri" "$GO124_SUITE" > "$apt_dir/sources.list"
  local private=(
    -o "Dir::Etc::sourcelist=$apt_dir/sources.list"
    -o "Dir::Etc::sourceparts=$apt_dir/sources.list.d"
    -o "Dir::State::lists=$apt_dir/lists"
    -o "Dir::Cache=$apt_dir/cache"
  )
  # apt drops to the _apt user for downloads; let it write into our private dirs.
  if [[ $EUID -eq 0 ]] && id _apt >/dev/null 2>&1; then chown -R _apt "$apt_dir"; fi

  step "apt-get update (private, $GO124_SUITE from $uri, signed-by $keyring)"
  apt-get "${private[@]}" update -qq
  step "apt-get download ${GO124_PACKAGES[*]}"
  (cd "$apt_dir/debs" && apt-get "${private[@]}" download -qq "${GO124_PACKAGES[@]}")

  # Unpack beside the target, then rename, so a half-unpacked tree never looks complete.
  local staging="$GO124_UNPACK_DIR.partial" deb
  rm -rf "$staging"
  mkdir -p "$staging"
  for deb in "$apt_dir"/debs/*.deb; do
    step "dpkg -x $(basename "$deb")"
    dpkg -x "$deb" "$staging"
  done
  rm -rf "$GO124_UNPACK_DIR"
  mv "$staging" "$GO124_UNPACK_DIR"
  rm -rf "$apt_dir"
  go124_works || die "unpacked Go 1.24 at $GO124 does not run"
  step "go 1.24 ready: $(GOROOT="$GO124_ROOT" "$GO124" version)"
}

use_private_go_env
install_system_packages
install_go124
