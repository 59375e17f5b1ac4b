#!/bin/sh
set -e
echo "entrypoint: getting ready"
# replace this shell with the command (CMD or docker run arguments)
exec "$@"
