#!/bin/sh
echo "web 1.0: hello from the app"
