#!/usr/bin/env python3
"""Per-connection summary of a guest capture (`unibuild run --pcap FILE`, server port 8080): each
client port split into connections by SYN sequence number; prints retransmitted SYNs (the same ISN
again), connections with a RST, and connections that carried no request. Usage: bench/pcap_conns.py FILE"""
import struct, sys, collections
# Split each client port's frames into connections by SYN sequence number; report retransmitted
# SYNs (same ISN again), RSTs, and connections that carried no request.
f = open(sys.argv[1], 'rb'); f.read(24)
ev = collections.defaultdict(list); t0 = None
while True:
    h = f.read(16)
    if len(h) < 16: break
    ts, tu, incl, orig = struct.unpack('<IIII', h); d = f.read(incl)
    t = ts + tu / 1e6; t0 = t0 or t
    if len(d) < 34 or d[12:14] != b'\x08\x00' or d[23] != 6: continue
    tcp = d[14 + (d[14] & 15) * 4:]
    sp, dp = struct.unpack('>HH', tcp[:4]); fl = tcp[13]; seq, ack = struct.unpack('>II', tcp[4:12])
    plen = len(d) - 14 - (d[14] & 15) * 4 - (tcp[12] >> 4) * 4
    ev[dp if sp == 8080 else sp].append((t - t0, sp == 8080, fl, seq, ack, plen))
resyn = rst = nodata = 0; shown = 0
for p, es in ev.items():
    conns = []
    for e in es:
        if not e[1] and e[2] & 2 and not (conns and conns[-1][0][3] == e[3]):
            conns.append([])
        if conns: conns[-1].append(e)
    for c in conns:
        syns = sum(1 for e in c if not e[1] and e[2] & 2)
        r = any(e[2] & 4 for e in c); nd = not any(not e[1] and e[5] > 0 for e in c)
        resyn += syns > 1; rst += r; nodata += nd
        if (syns > 1 or r or nd) and shown < 15:
            shown += 1
            print(p, ' '.join(f"{e[0]:.3f}{'>' if e[1] else '<'}{''.join(ch for ch, b in zip('FSRPA', (1,2,4,8,16)) if e[2] & b)}:{e[5]}" for e in c))
print('ports', len(ev), 'resyn', resyn, 'rst', rst, 'nodata', nodata)
