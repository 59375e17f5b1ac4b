#!/bin/sh
echo "app ready with $(wc -l < /opt/deps/installed) dependencies"
