#!/usr/bin/env bash
# trixie-vm.sh: a throwaway Debian trixie VM (QEMU; KVM where it can run it, see below) with cgroup v2 (unified), AppArmor enforcing and Debian's
# Docker 26 (docker.io), to measure cfiddle-cluster's containers on the kind of host most users have, from a
# host whose own kernel is cgroup v1 only without AppArmor. Nothing is fetched but Debian's mirror.
#
# Usage (as root; needs qemu-system-x86 (and /dev/kvm for KVM), debootstrap, e2fsprogs >= 1.43, socat):
#   scripts/dev/trixie-vm.sh build      debootstrap the rootfs, make the disk image, take out kernel and initrd
#                                       (the VM must be stopped; rebuilding discards the VM's disk)
#   scripts/dev/trixie-vm.sh start      boot the VM in the background, wait until its Docker engine answers
#   scripts/dev/trixie-vm.sh stop       clean poweroff (ACPI), killed if it has not gone within a deadline
#   scripts/dev/trixie-vm.sh status     is it running, does its engine answer
#   scripts/dev/trixie-vm.sh check      docker info's cgroup/security lines; the mirror reached from a container
#   scripts/dev/trixie-vm.sh load-base  copy cfiddle-cluster/base:latest from the host engine into the VM's
#   scripts/dev/trixie-vm.sh probe      the cgroup/AppArmor probes in containers (needs load-base)
#   scripts/dev/trixie-vm.sh swarm      docker swarm init in the VM (single node) unless already a manager
#   scripts/dev/trixie-vm.sh console    attach to the serial console (root autologin; leave with Ctrl-])
# Then, on the host:  DOCKER_HOST=tcp://127.0.0.1:23750 docker ...
#
# Environment: VM_DIR (default /var/tmp/cfiddle-trixie-vm), VM_MEM (8G), VM_CPUS (2), VM_DISK (30G),
# VM_PORT (23750), DEBIAN_MIRROR (http://deb.debian.org/debian), BOOT_TIMEOUT (300 s with KVM, 900 with TCG),
# VM_ACCEL (auto, kvm or tcg), VM_NICE (0; niceness of qemu, e.g. 10 to spare a shared host).
#
# Acceleration: auto means KVM (-accel kvm -cpu host) unless /dev/kvm is served by kvm-pvm (a PVM nested
# hypervisor, as in a Firecracker sandbox): PVM only runs kernels built with CONFIG_PVM_GUEST, and Debian's
# is not (it stops in the kernel's decompressor with "KVM internal error. Suberror: 1 / emulation failure").
# There the VM runs under TCG (software emulation, -cpu max): same kernel, cgroups, AppArmor and Docker,
# only several times slower, so time nothing absolute in it.
set -euo pipefail

VM_DIR=${VM_DIR:-/var/tmp/cfiddle-trixie-vm}
VM_MEM=${VM_MEM:-8G}
VM_CPUS=${VM_CPUS:-2}
VM_DISK=${VM_DISK:-30G}
VM_PORT=${VM_PORT:-23750}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
VM_ACCEL=${VM_ACCEL:-auto}
VM_NICE=${VM_NICE:-0}
if [ "$VM_ACCEL" = auto ]; then
  if [ -c /dev/kvm ] && ! { [ -d /sys/module/kvm_pvm ] && ! [ -d /sys/module/kvm_intel ] && ! [ -d /sys/module/kvm_amd ]; }
  then VM_ACCEL=kvm; else VM_ACCEL=tcg; fi
fi
case $VM_ACCEL in
  kvm) ACCEL_OPTS=(-accel kvm -cpu host); BOOT_TIMEOUT=${BOOT_TIMEOUT:-300} ;;
  tcg) ACCEL_OPTS=(-accel tcg,thread=multi -cpu max); BOOT_TIMEOUT=${BOOT_TIMEOUT:-900} ;;
  *) echo "VM_ACCEL must be auto, kvm or tcg" >&2; exit 2 ;;
esac
SUITE=trixie

ROOTFS=$VM_DIR/rootfs
DISK=$VM_DIR/disk.raw
KERNEL=$VM_DIR/vmlinuz
INITRD=$VM_DIR/initrd.img
PIDFILE=$VM_DIR/qemu.pid
QMP=$VM_DIR/qmp.sock
SERIAL=$VM_DIR/serial.sock
CONSOLE_LOG=$VM_DIR/console.log
BASE_IMAGE=cfiddle-cluster/base:latest
# The address QEMU's user-mode network (slirp) gives the guest by DHCP.
VM_ADDR=10.0.2.15

export VM_DOCKER_HOST=tcp://127.0.0.1:$VM_PORT
vm_docker() { DOCKER_HOST=$VM_DOCKER_HOST docker "$@"; }


die() { echo "trixie-vm: $*" >&2; exit 1; }

running() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

engine_answers() { timeout 10 env DOCKER_HOST=$VM_DOCKER_HOST docker version >/dev/null 2>&1; }

# Run a command chrooted in the rootfs inside a private mount namespace, so the /proc, /sys and /dev mounts
# that apt and update-initramfs need vanish with it and can never be left behind on the host.
in_rootfs() {
  unshare --mount --propagation private -- bash -euo pipefail -c '
    r=$1; shift
    mount -t proc proc "$r/proc"; mount -t sysfs sys "$r/sys"; mount --bind /dev "$r/dev"
    mount -t devpts devpts "$r/dev/pts"
    exec chroot "$r" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 "$@"
  ' in_rootfs "$ROOTFS" "$@"
}

cmd_build() {
  [ "$(id -u)" = 0 ] || die "build needs root (debootstrap, chroot)"
  running && die "the VM is running; stop it first ($0 stop)"
  for t in debootstrap mke2fs unshare qemu-system-x86_64; do
    command -v "$t" >/dev/null || die "$t missing (apt-get install debootstrap e2fsprogs util-linux qemu-system-x86)"
  done
  local t0=$SECONDS
  # The host has few cores and is shared: the whole build runs at CPU and I/O priority.
  renice -n 10 -p $$ >/dev/null; ionice -c3 -p $$
  mkdir -p "$VM_DIR"
  # Never recurse into something mounted (there should be nothing: in_rootfs mounts privately).
  if [ -d "$ROOTFS" ]; then
    findmnt -rn -o TARGET | grep -q "^$ROOTFS" && die "something is mounted under $ROOTFS"
    rm -rf --one-file-system "$ROOTFS"
  fi
  rm -f "$DISK" "$KERNEL" "$INITRD" "$CONSOLE_LOG"

  echo "== debootstrap $SUITE (minbase) from $MIRROR"
  debootstrap --variant=minbase --include=ca-certificates "$SUITE" "$ROOTFS" "$MIRROR"

  # No service may start inside the chroot on the build host.
  printf '#!/bin/sh\nexit 101\n' >"$ROOTFS/usr/sbin/policy-rc.d"; chmod 755 "$ROOTFS/usr/sbin/policy-rc.d"
  echo "deb $MIRROR $SUITE main" >"$ROOTFS/etc/apt/sources.list"
  # The initramfs must mount a virtio disk whatever initramfs-tools guesses from the build host.
  mkdir -p "$ROOTFS/etc/initramfs-tools"
  printf 'virtio_pci\nvirtio_blk\next4\n' >>"$ROOTFS/etc/initramfs-tools/modules"

  echo "== packages"
  in_rootfs apt-get update -qq
  # trixie ships systemd-networkd in a package of its own; install it only where it exists.
  local networkd=""
  in_rootfs apt-cache show systemd-networkd >/dev/null 2>&1 && networkd=systemd-networkd
  # udev: device names and the power button (clean ACPI poweroff); dbus: Docker's systemd cgroup driver
  # talks to systemd over it; qemu's slirp needs nothing else but DHCP, done by networkd.
  in_rootfs apt-get install -y -q --no-install-recommends \
    systemd-sysv udev dbus kmod linux-image-amd64 initramfs-tools apparmor docker.io iproute2 procps \
    ca-certificates iptables $networkd
  in_rootfs apt-get clean
  rm -f "$ROOTFS/usr/sbin/policy-rc.d"

  echo "== configuration"
  echo trixie-vm >"$ROOTFS/etc/hostname"
  printf '127.0.0.1 localhost\n127.0.1.1 trixie-vm\n' >"$ROOTFS/etc/hosts"
  # No fsck pass: e2fsprogs' fsck is not in minbase and the disk is throwaway.
  echo '/dev/vda / ext4 rw,errors=remount-ro 0 0' >"$ROOTFS/etc/fstab"
  # Slirp's DHCP gives 10.0.2.15, gateway 10.0.2.2, DNS 10.0.2.3 (reachable from containers too: not loopback).
  mkdir -p "$ROOTFS/etc/systemd/network"
  printf '[Match]\nName=eth0\n\n[Network]\nDHCP=ipv4\n' >"$ROOTFS/etc/systemd/network/10-eth0.network"
  rm -f "$ROOTFS/etc/resolv.conf"; echo 'nameserver 10.0.2.3' >"$ROOTFS/etc/resolv.conf"
  in_rootfs systemctl enable systemd-networkd.service docker.service apparmor.service >/dev/null
  # Serial console: root logs in without a password (nothing but the host's root can reach this console).
  mkdir -p "$ROOTFS/etc/systemd/system/serial-getty@ttyS0.service.d"
  cat >"$ROOTFS/etc/systemd/system/serial-getty@ttyS0.service.d/autologin.conf" <<'EOF'
[Service]
ExecStart=
ExecStart=-/sbin/agetty --autologin root --keep-baud 115200,57600,38400,9600 - $TERM
EOF
  # Docker API on tcp 0.0.0.0:2375 without TLS besides its socket: this is a throwaway test VM whose port is
  # only forwarded to the host's 127.0.0.1. --tls=false says so explicitly (no deprecation delay at start).
  mkdir -p "$ROOTFS/etc/systemd/system/docker.service.d"
  cat >"$ROOTFS/etc/systemd/system/docker.service.d/tcp.conf" <<'EOF'
[Service]
ExecStart=
ExecStart=/usr/sbin/dockerd -H fd:// -H tcp://0.0.0.0:2375 --tls=false --containerd=/run/containerd/containerd.sock
EOF
  # systemd makes a fresh machine-id at first boot.
  : >"$ROOTFS/etc/machine-id"

  echo "== kernel, initrd"
  local vmlinuz initrd
  vmlinuz=$(ls "$ROOTFS"/boot/vmlinuz-* | sort -V | tail -1)
  initrd=$(ls "$ROOTFS"/boot/initrd.img-* | sort -V | tail -1)
  cp "$vmlinuz" "$KERNEL"; cp "$initrd" "$INITRD"
  in_rootfs lsinitramfs "/boot/$(basename "$initrd")" | grep virtio_blk >/dev/null || echo "warning: virtio_blk not seen in $INITRD" >&2

  echo "== disk image ($VM_DISK, sparse) from the rootfs, no loop device"
  mke2fs -q -t ext4 -L trixie-root -d "$ROOTFS" -F "$DISK" "$VM_DISK"
  echo "built in $((SECONDS - t0)) s: kernel $(basename "$vmlinuz"), disk $(du -h "$DISK" | cut -f1) used" \
    "of $(du -h --apparent-size "$DISK" | cut -f1)"
}

cmd_start() {
  [ -f "$DISK" ] && [ -f "$KERNEL" ] && [ -f "$INITRD" ] || die "no VM built in $VM_DIR; run $0 build"
  [ "$VM_ACCEL" = tcg ] || [ -c /dev/kvm ] || die "/dev/kvm missing (VM_ACCEL=tcg runs without it)"
  if running; then echo "already running (pid $(cat "$PIDFILE"))"; else
    rm -f "$QMP" "$SERIAL"
    # Serial console to a socket (for 'console') that also logs to console.log; QMP for a clean poweroff.
    echo "accelerator: $VM_ACCEL (${ACCEL_OPTS[*]})"
    nice -n "$VM_NICE" qemu-system-x86_64 -name cfiddle-trixie-vm "${ACCEL_OPTS[@]}" -smp "$VM_CPUS" -m "$VM_MEM" \
      -kernel "$KERNEL" -initrd "$INITRD" \
      -append "root=/dev/vda rw console=ttyS0 net.ifnames=0 systemd.unified_cgroup_hierarchy=1 apparmor=1 security=apparmor" \
      -drive file="$DISK",format=raw,if=virtio,discard=unmap \
      -netdev user,id=net0,hostfwd=tcp:127.0.0.1:"$VM_PORT"-:2375 -device virtio-net-pci,netdev=net0 \
      -device virtio-rng-pci \
      -chardev socket,id=ser0,path="$SERIAL",server=on,wait=off,logfile="$CONSOLE_LOG",logappend=off \
      -serial chardev:ser0 -qmp unix:"$QMP",server=on,wait=off \
      -display none -vga none -daemonize -pidfile "$PIDFILE"
    echo "qemu started (pid $(cat "$PIDFILE")), console log $CONSOLE_LOG"
  fi
  local t0=$SECONDS
  until engine_answers; do
    running || die "qemu exited; see $CONSOLE_LOG"
    [ $((SECONDS - t0)) -lt "$BOOT_TIMEOUT" ] || die "engine not answering on $VM_DOCKER_HOST after ${BOOT_TIMEOUT}s; see $CONSOLE_LOG"
    sleep 2
  done
  echo "engine answers on $VM_DOCKER_HOST after $((SECONDS - t0)) s: $(vm_docker version --format 'server {{.Server.Version}}')"
}

qmp() {
  printf '{"execute":"qmp_capabilities"}\n{"execute":"%s"}\n' "$1" | timeout 5 socat - UNIX-CONNECT:"$QMP" >/dev/null
}

cmd_stop() {
  running || { echo "not running"; rm -f "$PIDFILE"; return 0; }
  local pid t0=$SECONDS; pid=$(cat "$PIDFILE")
  echo "ACPI poweroff (pid $pid) ..."
  qmp system_powerdown || true
  while kill -0 "$pid" 2>/dev/null && [ $((SECONDS - t0)) -lt 90 ]; do sleep 1; done
  if kill -0 "$pid" 2>/dev/null; then echo "no poweroff after 90 s; killing qemu $pid"; kill "$pid"; fi
  rm -f "$PIDFILE"; echo "stopped after $((SECONDS - t0)) s"
}

cmd_status() {
  if running; then
    echo "qemu running, pid $(cat "$PIDFILE"); disk $(du -h "$DISK" | cut -f1) used of $(du -h --apparent-size "$DISK" | cut -f1)"
    if engine_answers; then echo "engine: $(vm_docker version --format '{{.Server.Version}}') on $VM_DOCKER_HOST"
    else echo "engine: not answering on $VM_DOCKER_HOST"; return 1; fi
  else echo "not running"; return 3; fi
}

cmd_check() {
  vm_docker info 2>&1 | grep -E '^ (Server Version|Storage Driver|Cgroup Driver|Cgroup Version|Kernel Version|Operating System|CPUs|Total Memory|Docker Root Dir|Security Options):|^  (apparmor|seccomp|cgroupns|userns|rootless|selinux)$|^   Profile:' || true
  vm_docker info --format 'CgroupVersion={{.CgroupVersion}} CgroupDriver={{.CgroupDriver}} SecurityOptions={{json .SecurityOptions}}'
  if vm_docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
    echo "== mirror from a container:"
    vm_docker run --rm "$BASE_IMAGE" python3 -c "import urllib.request as u; r=u.urlopen('$MIRROR/dists/$SUITE/Release', timeout=20); print(r.status, r.url, r.read(200).decode().splitlines()[:3])"
  else echo "(no $BASE_IMAGE in the VM: run $0 load-base, then check again for the mirror test)"; fi
}

cmd_load_base() {
  # Only reads the image on the host's engine.
  docker save "$BASE_IMAGE" | vm_docker load
}

cmd_probe() {
  echo "== --cap-add SYS_ADMIN, remount /sys/fs/cgroup rw"
  vm_docker run --rm --cap-add SYS_ADMIN "$BASE_IMAGE" sh -c 'cat /proc/self/cgroup; grep cgroup /proc/self/mountinfo; cat /proc/self/attr/current 2>/dev/null; mount -o remount,bind,rw /sys/fs/cgroup; echo remount rc=$?' || echo "docker run rc=$?"
  local probe='cat /proc/self/cgroup; ls /hostcg | head; cat /hostcg/cgroup.subtree_control; mkdir /hostcg/cfiddle-probe && echo mkdir-ok && rmdir /hostcg/cfiddle-probe'
  echo "== host cgroup2 tree bind-mounted rw, no extra capabilities"
  vm_docker run --rm -v /sys/fs/cgroup:/hostcg:rw "$BASE_IMAGE" sh -c "$probe" || echo "docker run rc=$?"
  echo "== the same with --cap-drop MKNOD"
  vm_docker run --rm --cap-drop MKNOD -v /sys/fs/cgroup:/hostcg:rw "$BASE_IMAGE" sh -c "$probe" || echo "docker run rc=$?"
}

cmd_swarm() {
  if [ "$(vm_docker info --format '{{.Swarm.LocalNodeState}}')" = active ]; then echo "swarm already active"
  else vm_docker swarm init --advertise-addr "$VM_ADDR"; fi
  vm_docker node ls
}

cmd_console() { exec socat -,raw,echo=0,escape=0x1d UNIX-CONNECT:"$SERIAL"; }

case "${1:-}" in
  build) cmd_build ;; start) cmd_start ;; stop) cmd_stop ;; status) cmd_status ;; check) cmd_check ;;
  load-base) cmd_load_base ;; probe) cmd_probe ;; swarm) cmd_swarm ;; console) cmd_console ;;
  *) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
