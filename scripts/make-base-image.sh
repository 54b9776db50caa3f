#!/usr/bin/env bash
# Makes sure the Debian base image all cfiddle-cluster images derive from exists in the local engine (the build
# runs this before the base image; it can be run by hand too). Where a registry is reachable it is pulled; on an
# air-gapped host it is built with debootstrap from a Debian mirror and imported under the same name, so every
# Dockerfile's FROM works unchanged. The Debian release is the image's tag (debian.image in the parent pom).
set -euo pipefail

IMAGE=${1:?usage: make-base-image.sh DEBIAN_IMAGE, e.g. debian:bookworm (debian.image in the root pom)}
SUITE=${DEBIAN_SUITE:-${IMAGE##*:}}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

if docker image inspect "$IMAGE" >/dev/null 2>&1; then
  echo "Base image $IMAGE is present."
  exit 0
fi
if timeout 60 docker pull "$IMAGE" >/dev/null 2>&1; then
  echo "Pulled base image $IMAGE."
  exit 0
fi

echo "Cannot pull $IMAGE; building it with debootstrap ($SUITE from $MIRROR) ..."
if [ "$(id -u)" != 0 ]; then
  echo "$IMAGE is not on this Docker engine and cannot be pulled; making it needs debootstrap as root: run" \
    "'sudo scripts/make-base-image.sh $IMAGE' once (or load the image from a host that reaches a registry), then build again." >&2
  exit 1
fi
if ! command -v debootstrap >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi
rootfs=$(mktemp -d /tmp/debian-rootfs.XXXXXX)
trap 'rm -rf "$rootfs"' EXIT
debootstrap --variant=minbase "$SUITE" "$rootfs" "$MIRROR" >/tmp/debootstrap.log 2>&1 || {
  echo "debootstrap failed; last lines of /tmp/debootstrap.log:" >&2; tail -n 20 /tmp/debootstrap.log >&2; exit 1; }
# Like the official image: no apt caches, and the mirror the image was made from.
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
tar -C "$rootfs" -c . | docker import --change 'CMD ["bash"]' - "$IMAGE" >/dev/null
echo "Imported $IMAGE from debootstrap."
