#!/bin/sh
echo "notes: $(cat /app/data/notes.txt)"
