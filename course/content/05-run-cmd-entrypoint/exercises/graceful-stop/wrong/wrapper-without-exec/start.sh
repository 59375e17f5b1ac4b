#!/bin/sh
echo "starting the server"
python3 server.py
