#!/bin/sh
# Runs a C generator of ours into a scratch dir, then the Go reference checker
# over what it wrote. Usage: run-go-check.sh GENERATOR CHECKER.go GOCACHE
set -eu
gen=$1
checker=$2
export GOCACHE=$3
export GO111MODULE=off
export GOPATH=/usr/share/gocode
export HOME=${HOME:-/tmp}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$gen" "$work"
go run "$checker" "$work"
