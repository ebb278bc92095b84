#!/usr/bin/env bash
# Checks the release archives `make tarball` wrote to .tarballs/: each holds the binary, LICENSE,
# README.md, docs/ (every page the work tree's docs/ has), modules.yml and web-config.yml in
# netbackup_exporter-<version>.<os>-<arch>/; each binary is built for its platform with the
# release version stamped in; the linux/amd64 one runs and its --version says what it is (the
# others can only be inspected on this machine).
set -euo pipefail
cd "$(dirname "$0")/.."
version=${VERSION:-$(cat VERSION)}
platforms=${PLATFORMS:-linux/amd64 linux/arm64 windows/amd64}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "check-tarballs: $*" >&2; exit 1; }

for p in $platforms; do
  os=${p%/*} arch=${p#*/}
  ext=; [ "$os" = windows ] && ext=.exe
  name=netbackup_exporter-$version.$os-$arch
  archive=.tarballs/$name.tar.gz
  [ -f "$archive" ] || fail "$archive is missing"
  want=$( (printf '%s\n' "$name/" "$name/LICENSE" "$name/README.md" "$name/docs/" "$name/modules.yml" \
    "$name/netbackup_exporter$ext" "$name/web-config.yml"; for doc in docs/*; do echo "$name/$doc"; done) | sort)
  got=$(tar -tzf "$archive" | sort)
  [ "$got" = "$want" ] || fail "$archive holds:"$'\n'"$got"$'\n'"want:"$'\n'"$want"
  tar -xzf "$archive" -C "$tmp"
  bin=$tmp/$name/netbackup_exporter$ext
  info=$(go version -m "$bin")
  grep -q "GOOS=$os\$" <<<"$info" || fail "$bin is not built for GOOS=$os"
  grep -q "GOARCH=$arch\$" <<<"$info" || fail "$bin is not built for GOARCH=$arch"
  grep -q "version.Version=$version " <<<"$info" || fail "$bin lacks the version $version in its ldflags"
  echo "$archive: $os/$arch, version $version"
done

# The one we can run.
bin=$tmp/netbackup_exporter-$version.linux-amd64/netbackup_exporter
if [ "$(go env GOHOSTOS)/$(go env GOHOSTARCH)" = linux/amd64 ] && [ -x "$bin" ]; then
  out=$("$bin" --version 2>&1)
  grep -q "^netbackup_exporter, version $version " <<<"$out" || fail "--version says:"$'\n'"$out"
  echo "linux/amd64 --version: $(head -1 <<<"$out")"
fi
(cd .tarballs && sha256sum -c --quiet sha256sums.txt) || fail "sha256sums.txt does not match"
