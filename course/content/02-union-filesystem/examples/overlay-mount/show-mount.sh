#!/bin/sh
# Print the overlay mount behind "/", one option per line, with the long
# storage path of the engine shortened to "...".
opts=$(awk '$2 == "/" && $3 == "overlay" { print $4 }' /proc/mounts)
echo "$opts" | tr ',' '\n' | while IFS='=' read -r key value; do
  case "$key" in
    lowerdir)
      echo "lowerdir (top first):"
      echo "$value" | tr ':' '\n' | sed 's|.*/overlay2/|  .../|'
      ;;
    upperdir|workdir)
      echo "$key: $value" | sed 's|/.*/overlay2/|.../|'
      ;;
  esac
done
