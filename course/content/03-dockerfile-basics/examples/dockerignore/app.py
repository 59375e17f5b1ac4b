print("Only this file and the build instructions belong in the image.")
