print("Hello from Layerlab!")
