trap 'echo bye; exit 0' TERM
echo serving
while true; do
  sleep 1
done
