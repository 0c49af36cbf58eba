#!/usr/bin/env bash
# tools/build-deb.sh (make deb): build the Debian package libapache2-mod-cors
# with `dpkg-buildpackage -us -uc -b` from a copy of the source tree in
# build/deb/src, so that neither the build output nor dpkg-buildpackage's
# ../*.deb, .buildinfo and .changes land in or next to the source tree. The
# package, unsigned, ends up in build/deb/ and its path is printed last.
#
# First checks that debian/changelog carries MOD_CORS_VERSION (mod_cors.c) as
# its version, Debian revision aside. The build dependencies are those of
# debian/control (make deb installs them first with tools/deps.sh deb).
#
# Environment: none.
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
out=$src/build/deb
cd "$src"

mod_version=$(sed -n 's/^#define MOD_CORS_VERSION "\(.*\)"$/\1/p' mod_cors.c)
deb_version=$(dpkg-parsechangelog -l debian/changelog -S Version)
# 1.0.0 (native) or 1.0.0-1: the part before the Debian revision.
upstream_version=${deb_version%-*}
if [ -z "$mod_version" ]; then
    echo "build-deb: no '#define MOD_CORS_VERSION \"...\"' in mod_cors.c" >&2
    exit 1
fi
if [ "$upstream_version" != "$mod_version" ]; then
    echo "build-deb: debian/changelog says $deb_version but mod_cors.c's" \
         "MOD_CORS_VERSION is $mod_version; add a changelog entry" \
         "(dch -v $mod_version) or fix the version" >&2
    exit 1
fi

rm -rf "$out"
mkdir -p "$out/src"

# The files git knows or would add (ignored build output left out); every
# file but build/ when the tree is not a git checkout.
if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git -C "$src" ls-files -z --cached --others --exclude-standard \
        | while IFS= read -r -d '' file; do
              # A tracked file deleted in the work tree is left out.
              if [ -e "$file" ]; then
                  printf '%s\0' "$file"
              fi
          done \
        | tar --null -T - -cf - | tar -C "$out/src" -xf -
else
    tar --exclude=./build --exclude=./.libs --exclude='./*.la' \
        --exclude='./*.lo' --exclude='./*.slo' --exclude='./*.o' \
        -cf - . | tar -C "$out/src" -xf -
fi

(cd "$out/src" && dpkg-buildpackage -us -uc -b)

arch=$(dpkg --print-architecture)
deb=$out/libapache2-mod-cors_${deb_version}_${arch}.deb
if [ ! -f "$deb" ]; then
    echo "build-deb: dpkg-buildpackage did not write $deb" >&2
    exit 1
fi
echo
echo "build-deb: ${deb#"$src"/}"
