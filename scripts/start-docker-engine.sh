#!/usr/bin/env bash
# Makes sure a Docker engine answers on this machine: if none does, installs Debian's docker.io (as root) and
# starts dockerd in the background, logging to $DOCKERD_LOG, and waits until it answers (deadline).
set -euo pipefail

DOCKERD_LOG=${DOCKERD_LOG:-/var/log/dockerd.log}
DEADLINE_SECONDS=${DOCKER_START_DEADLINE:-120}

engine_answers() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

if command -v docker >/dev/null 2>&1 && engine_answers; then
  echo "Docker engine $(docker version --format '{{.Server.Version}}') is running."
  exit 0
fi

if ! command -v dockerd >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then
    echo "No Docker engine answers and dockerd is not installed; install Docker (or run this as root to install Debian's docker.io)." >&2
    exit 1
  fi
  echo "Installing Debian's docker.io ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq docker.io >/dev/null
fi

if [ "$(id -u)" != 0 ]; then
  echo "dockerd is installed but not running, and only root can start it: start the docker service." >&2
  exit 1
fi

echo "Starting dockerd (log: $DOCKERD_LOG) ..."
nohup dockerd >"$DOCKERD_LOG" 2>&1 &
for ((i = 0; i < DEADLINE_SECONDS * 2; i++)); do
  if engine_answers; then
    echo "Docker engine $(docker version --format '{{.Server.Version}}') is running."
    exit 0
  fi
  sleep 0.5
done
echo "dockerd did not answer within ${DEADLINE_SECONDS}s; last lines of $DOCKERD_LOG:" >&2
tail -n 20 "$DOCKERD_LOG" >&2
exit 1
