package main

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
)

func main() {
	fmt.Println("Hello from a static Go binary!")
	fmt.Printf("built with %s for %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	if _, err := os.Stat("/bin/sh"); err == nil {
		fmt.Println("shell in this image: /bin/sh")
	} else {
		fmt.Println("shell in this image: none")
	}
	if path, err := exec.LookPath("go"); err == nil {
		fmt.Println("Go toolchain in this image:", path)
	} else {
		fmt.Println("Go toolchain in this image: none")
	}
}
