import os
import platform

print(f"Hello from Python {platform.python_version()}!")
print(f"This script is {os.path.abspath(__file__)}")
