import signal
import sys
import time


def on_sigterm(signum, frame):
    print("bye", flush=True)
    sys.exit(0)


signal.signal(signal.SIGTERM, on_sigterm)
print("serving", flush=True)
while True:
    time.sleep(1)
