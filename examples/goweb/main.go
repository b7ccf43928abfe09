// goweb: a small Go HTTP server, the kind of program the unikernel exists to run. Go's runtime
// leans on exactly the kernel features a C server does not: threads (clone), futexes, signals
// (SIGURG preemption on an alternate signal stack), timers and epoll.
//
//	goweb [PORT [MAX_REQUESTS]]   default port 8080; exit 0 after MAX_REQUESTS (0 = never)
package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// squares sums n*n over [0, count) with one goroutine per number, each sleeping first, so the
// answer needs goroutines, channels, timers and the scheduler to work.
func squares(count int) int {
	var wg sync.WaitGroup
	results := make(chan int, count)
	for i := 0; i < count; i++ {
		wg.Add(1)
		go func(n int) {
			defer wg.Done()
			time.Sleep(time.Millisecond)
			results <- n * n
		}(i)
	}
	wg.Wait()
	close(results)
	sum := 0
	for r := range results {
		sum += r
	}
	return sum
}

func main() {
	port, limit := "8080", int64(0)
	if len(os.Args) > 1 {
		port = os.Args[1]
	}
	if len(os.Args) > 2 {
		limit, _ = strconv.ParseInt(os.Args[2], 10, 64)
	}
	fmt.Printf("goweb: goroutines ok (sum %d), %d CPU\n", squares(100), runtime.NumCPU())

	var served int64
	done := make(chan struct{})
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/squares" {
			fmt.Fprintf(w, "%d\n", squares(50))
		} else {
			fmt.Fprintf(w, "hello from goweb: %s\n", r.URL.Path)
		}
		if n := atomic.AddInt64(&served, 1); limit > 0 && n == limit {
			close(done)
		}
	})
	go func() {
		<-done
		time.Sleep(50 * time.Millisecond) // let the last response go out
		os.Exit(0)
	}()
	ln, err := net.Listen("tcp", ":"+port) // listening before saying so: clients may connect at once
	if err != nil {
		fmt.Fprintln(os.Stderr, "goweb:", err)
		os.Exit(1)
	}
	fmt.Printf("goweb: listening on port %s\n", port)
	if err := http.Serve(ln, nil); err != nil {
		fmt.Fprintln(os.Stderr, "goweb:", err)
		os.Exit(1)
	}
}
