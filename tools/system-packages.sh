#!/usr/bin/env bash
# Installs the Debian packages the test tiers drive (a fresh machine or CI has none of them).
# Only what is missing is installed; nothing happens when everything is present.
#   tmux               the command line's prompts, driven through a real pseudo-terminal
#   postgresql-client  psql, the real client that logs in with a credentials Secret's uri and pgpass
#   chromium           the dashboard's page, driven headless by playwright-core (which downloads no browser)
#   fonts-dejavu-core  the page's fonts, so its screenshot (docs/dashboard.png) looks the same everywhere
#   openssl            a certificate for the test's TLS proxy that offers no HTTP/2
#   pgbouncer          a real pooler in transaction mode in front of the test PostgreSQL
# The end-to-end tier (test/e2e, a real node in namespaces of its own) also needs:
#   runc                          the OCI runtime containerd starts the pods with (crun refuses hybrid cgroups)
#   containernetworking-plugins   the CNI bridge, host-local and loopback plugins
#   iptables conntrack            kube-proxy's Service rules and the bridge's masquerade, inside the node's netns
#   buildah                       builds the image from the Dockerfile without a daemon
#   debootstrap                   the local stand-in for the node:24-bookworm-slim base image
set -euo pipefail
packages=(tmux postgresql-client chromium fonts-dejavu-core openssl pgbouncer runc containernetworking-plugins iptables conntrack buildah debootstrap)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "tools/system-packages.sh: run as root (or with sudo) to install: ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "installed: ${missing[*]}"
