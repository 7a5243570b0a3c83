#!/bin/sh
# Runs as the first process of the node's new network and mount namespaces (unshare --net --mount).
# Everything below exists only inside them and disappears with their last process.
#   $1  the run directory (on the host's disk; holds what would otherwise go to fixed host paths)
#   $2  the node's address (on lo: the API server, PostgreSQL and kubelet listen there; pods reach it
#       through the bridge's gateway; no dummy interface, since the module may not be loaded)
#   $3  the file to create once the namespaces are ready
#   $4  the pod bridge's gateway (CIDR notation); $5 the Service range
set -eu
run="$1"
address="$2"
# The fixed paths kubelet, containerd, runc and CNI write to: private directories of this run.
for dir in /var/lib /var/log /run; do
  mkdir -p "$run/fs$dir"
  mount --bind "$run/fs$dir" "$dir"
done
mkdir -p /var/lib/kubelet /var/lib/cni /var/log/pods /var/log/containers /run/netns
ip link set lo up
ip addr add "$address/32" dev lo
# The pod bridge exists before the first pod (the CNI bridge plugin adopts it), so the Service range
# can be routed to it: without a route, a ClusterIP is unreachable from here before kube-proxy's DNAT.
ip link add cni0 type bridge
ip addr add "$4" dev cni0
ip link set cni0 up
ip route add "$5" dev cni0 src "$address"
# Per network namespace: pods are routed through this one, never beyond it (there is no default route).
echo 1 >/proc/sys/net/ipv4/ip_forward
echo 1 >/proc/sys/net/ipv4/conf/all/route_localnet
touch "$3"
exec sleep infinity
