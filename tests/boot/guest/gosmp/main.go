// gosmp: Go's runtime on several CPUs. Goroutines spread over GOMAXPROCS threads, timers fire
// from whichever thread runs the timer heap, a contended mutex and channels hand work between
// threads, and the garbage collector stops and restarts the world. Prints what it found; the
// same binary under qemu-aarch64-static (Linux) is the oracle.
package main

import (
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

func spin(n int) int {
	x := 0
	for i := 0; i < n; i++ {
		x += i ^ (x >> 3)
	}
	return x
}

func main() {
	fmt.Printf("NumCPU %d GOMAXPROCS %d\n", runtime.NumCPU(), runtime.GOMAXPROCS(0))

	// Timers: 1000 goroutines sleep 1..10 ms each; every one must wake.
	var woke int64
	var wg sync.WaitGroup
	for i := 0; i < 1000; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			time.Sleep(time.Duration(1+i%10) * time.Millisecond)
			atomic.AddInt64(&woke, 1)
		}(i)
	}
	wg.Wait()
	fmt.Printf("timers %d of 1000 woke\n", woke)

	// A mutex contended by 8 goroutines, 20000 increments each.
	var mu sync.Mutex
	counter := 0
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20000; i++ {
				mu.Lock()
				counter++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	fmt.Printf("mutex counter %d\n", counter)

	// A pipeline of unbuffered channels: 10000 values through 4 stages.
	in := make(chan int)
	stage := in
	for s := 0; s < 4; s++ {
		out := make(chan int)
		go func(from <-chan int, to chan<- int) {
			for v := range from {
				to <- v + 1
			}
			close(to)
		}(stage, out)
		stage = out
	}
	go func() {
		for i := 0; i < 10000; i++ {
			in <- i
		}
		close(in)
	}()
	sum := 0
	for v := range stage {
		sum += v
	}
	fmt.Printf("pipeline sum %d\n", sum)

	// Garbage: the collector runs while goroutines allocate.
	var kept int64
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var last []byte
			for i := 0; i < 2000; i++ {
				last = make([]byte, 4096)
				last[0] = byte(i)
			}
			atomic.AddInt64(&kept, int64(len(last)))
		}()
	}
	runtime.GC()
	wg.Wait()
	fmt.Printf("gc ok, kept %d\n", kept)

	// Parallel work: as many busy goroutines as GOMAXPROCS; the time goes to stderr.
	procs := runtime.GOMAXPROCS(0)
	start := time.Now()
	for g := 0; g < procs; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			spin(50000000)
		}()
	}
	wg.Wait()
	fmt.Fprintf(os.Stderr, "gosmp: %d busy goroutines took %v\n", procs, time.Since(start))
	fmt.Println("done")
}
