package main

import (
	"fmt"
	"runtime"
)

func main() {
	fmt.Printf("Hello from a tiny image! (built with %s)\n", runtime.Version())
}
