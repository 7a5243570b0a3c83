#!/usr/bin/env bash
# Writes tools/controlplane/kubernetes-<minor>/go.mod + go.sum pinning one Kubernetes release for the
# test control plane (kube-apiserver and kubectl): `tools/controlplane/pin-kubernetes.sh 1.35.4`.
# k8s.io/kubernetes replaces its staging modules with local paths, so a module that requires it must
# replace each k8s.io/<staging> with the published k8s.io/<staging> v0.<minor>.<patch>; the list is the
# `=> ./staging/...` lines of that release's own go.mod. See tools/controlplane/README.md.
set -euo pipefail
version="${1:?usage: pin-kubernetes.sh <1.Y.Z>}"
minor="${version%.*}"
staging_version="v0.${version#1.}"
dir="$(cd "$(dirname "$0")" && pwd)/kubernetes-${minor}"
export GOTOOLCHAIN=local GOFLAGS=-mod=mod
upstream_mod="$(go mod download -json "k8s.io/kubernetes@v${version}" | sed -n 's/^\s*"GoMod": "\(.*\)",$/\1/p')"
mkdir -p "$dir"
{
  echo "// Pins kube-apiserver and kubectl ${version} for the test control plane (KUBE_VERSION=${minor}); see tools/controlplane/README.md."
  echo "module dbuser-operator/tools/controlplane/kubernetes-${minor}"
  echo
  echo "go 1.26.0"
  echo
  echo "require k8s.io/kubernetes v${version}"
  echo
  echo "replace ("
  sed -n 's/^\s*\(k8s\.io\/[a-z0-9-]*\) => \.\/staging\/.*$/\1/p' "$upstream_mod" | sort -u | while read -r module; do
    echo "	${module} => ${module} ${staging_version}"
  done
  echo ")"
  echo
  echo "tool ("
  echo "	k8s.io/kubernetes/cmd/kube-apiserver"
  echo "	k8s.io/kubernetes/cmd/kubectl"
  echo ")"
} >"$dir/go.mod"
rm -f "$dir/go.sum"
(cd "$dir" && go mod tidy)
echo "pinned Kubernetes ${version} in ${dir}"
