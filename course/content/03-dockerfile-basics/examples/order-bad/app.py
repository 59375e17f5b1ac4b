print("Hello from the web app!")
