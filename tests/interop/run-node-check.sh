#!/bin/sh
# Runs a real consent-node through a C driver of ours and, while it serves,
# the Go reference checker against it over HTTPS on 127.0.0.1.
# Usage: run-node-check.sh DRIVER CHECKER.go GOCACHE
set -eu
driver=$1
checker=$2
export GOCACHE=$3
export GO111MODULE=off
export GOPATH=/usr/share/gocode
export HOME=${HOME:-/tmp}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Compiled first, so that the node is not kept waiting for the compiler.
go build -o "$work/checker" "$checker"
mkdir "$work/data"
"$driver" "$work/data" "$work/checker" "$work/data"
