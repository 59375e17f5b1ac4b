#!/bin/sh
echo "$GREETING from $(pwd)"
echo "modules:" $(ls modules)
