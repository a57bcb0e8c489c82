package main

import (
	"fmt"
	"strings"
)

type point struct{ x, y int }

func (p point) String() string { return fmt.Sprintf("(%d,%d)", p.x, p.y) }

func main() {
	fmt.Println(strings.Repeat("=", 3), point{1, 2}, []int{3, 4})
}
