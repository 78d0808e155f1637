#!/usr/bin/env bash
# Installs the Debian packages the integration tests drive (real sshd, haproxy, RabbitMQ, OVN,
# ansible-core for the golden suites). Skips what is already installed; needs root for apt.
set -euo pipefail
packages=(openssh-server openssh-client sudo openssl iproute2 util-linux procps ansible-core
  haproxy rabbitmq-server ovn-central ovn-host openvswitch-switch)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "missing Debian packages: ${missing[*]} (run as root, or install them)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # Services must not start on install: the tests start their own, on loopback, inside namespaces.
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  rm -f /usr/sbin/policy-rc.d
fi
mkdir -p /run/sshd
