#!/bin/sh
# Makes the build's work file at the path given: 20 MiB of zeros.
dd if=/dev/zero of="$1" bs=1M count=20 2>/dev/null
