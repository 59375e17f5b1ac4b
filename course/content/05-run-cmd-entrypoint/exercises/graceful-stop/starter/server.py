import signal
import sys
import time


def stop(signum, frame):
    print("bye", flush=True)
    sys.exit(0)


signal.signal(signal.SIGTERM, stop)
print("ready", flush=True)
while True:
    time.sleep(0.1)
