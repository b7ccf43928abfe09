# Ruby with sockets, fork, pipes and a thread (run by tests/boot/test_interpreters.py, also on
# Linux): only the parent prints.
require 'socket'
srv = TCPServer.new('127.0.0.1', 0)
port = srv.addr[1]
pid = fork do
  c = TCPSocket.new('127.0.0.1', port)
  c.puts "hello from the child"
  exit!(c.gets == "ok\n" ? 7 : 1)
end
conn = srv.accept
puts "parent got: #{conn.gets}"
conn.puts "ok"
conn.close
Process.wait(pid)
puts "child exit: #{$?.exitstatus}"
r, w = IO.pipe
if fork.nil?
  r.close
  w.puts "via a pipe"
  exit!(0)
end
w.close
puts "pipe: #{r.gets}"
Process.wait
puts "thread: #{Thread.new { (1..5).map { |i| i * 2 }.join(',') }.value}"
