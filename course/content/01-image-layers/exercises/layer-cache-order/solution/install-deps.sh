#!/bin/sh
# Pretends to install the dependencies listed in $1: slow on purpose, like a real package install.
set -e
mkdir -p /opt/deps
sleep 1
while read -r name; do
  [ -n "$name" ] && echo "installed $name" >> /opt/deps/installed
done < "$1"
echo "dependencies installed"
