// The pod sandbox's pause process for the end-to-end node (no image can be pulled); see ../README.md.
module dbuser-operator/tools/controlplane/pause

go 1.26.0
