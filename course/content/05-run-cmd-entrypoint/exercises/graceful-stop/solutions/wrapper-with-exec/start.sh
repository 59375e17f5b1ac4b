#!/bin/sh
echo "starting the server"
# exec replaces this shell with python3, which becomes PID 1 and receives SIGTERM.
exec python3 server.py
