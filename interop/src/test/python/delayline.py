#!/usr/bin/env python3
"""A userspace stand-in for `tc netem` between network namespaces.

The router namespace of the multi-host tests sends every forwarded IPv4 packet into the TUN device
IN; this program reads each one, drops it (random loss, or a partition between two sets of
addresses) or holds it for a delay drawn uniformly from DELAY +/- JITTER, and then writes it to the
TUN device OUT, from where the router forwards it to its destination. Packets of one flow drawn
different delays leave out of order, as with netem's jitter.

It exists because the kernel the tests run on may be built without sch_netem; a TUN device and
the Python standard library are all it needs.

Commands, one per line on stdin, each answered with one line on stdout:
  impair DELAY_MS JITTER_MS LOSS_PERCENT    from now on (0 0 0: none)
  partition ADDR,ADDR,... ADDR,ADDR,...     drop every packet from one set to the other
  heal                                      end the partition
  stats                                     "stats key=value ..." counted since start
  quit
"""
import fcntl
import heapq
import os
import random
import select
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
MAX_PACKET = 65535
# a packet held longer than this is a bug in the caller's numbers, not a network
MAX_DELAY_MS = 10_000
MAX_HELD = 100_000


def open_tun(name):
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    return fd


def address(packet, offset):
    return ".".join(str(b) for b in packet[offset:offset + 4])


class DelayLine:
    def __init__(self, seed):
        self.random = random.Random(seed)
        self.delay_ms = 0.0
        self.jitter_ms = 0.0
        self.loss = 0.0
        self.sides = None  # (set, set) while partitioned
        self.held = []  # (release time, sequence, packet, flow)
        self.sequence = 0
        self.last_released = {}  # flow -> highest sequence released
        self.counts = dict(packets=0, forwarded=0, lost=0, partitioned=0, reordered=0, overflow=0, not_ipv4=0)
        self.delay_total_ms = 0.0

    def command(self, line):
        words = line.split()
        if not words:
            return "error empty command"
        if words[0] == "impair" and len(words) == 4:
            delay, jitter, loss = float(words[1]), float(words[2]), float(words[3])
            if not (0 <= jitter <= delay <= MAX_DELAY_MS and 0 <= loss <= 100):
                return "error want 0 <= JITTER <= DELAY <= %d and 0 <= LOSS <= 100" % MAX_DELAY_MS
            self.delay_ms, self.jitter_ms, self.loss = delay, jitter, loss / 100.0
            return "ok impair %g %g %g" % (delay, jitter, loss)
        if words[0] == "partition" and len(words) == 3:
            self.sides = (set(words[1].split(",")), set(words[2].split(",")))
            return "ok partition %d %d" % (len(self.sides[0]), len(self.sides[1]))
        if words[0] == "heal" and len(words) == 1:
            self.sides = None
            return "ok heal"
        if words[0] == "stats" and len(words) == 1:
            forwarded = self.counts["forwarded"]
            mean = self.delay_total_ms / forwarded if forwarded else 0.0
            return "stats " + " ".join("%s=%d" % kv for kv in self.counts.items()) + " held=%d mean_delay_ms=%.1f" % (
                len(self.held), mean)
        return "error unknown command: " + line.strip()

    def take(self, packet, now):
        self.counts["packets"] += 1
        if len(packet) < 20 or packet[0] >> 4 != 4:
            self.counts["not_ipv4"] += 1  # IPv6 router solicitations and the like: not part of the test network
            return
        source, destination = address(packet, 12), address(packet, 16)
        if self.sides and ((source in self.sides[0] and destination in self.sides[1])
                           or (source in self.sides[1] and destination in self.sides[0])):
            self.counts["partitioned"] += 1
            return
        if self.loss and self.random.random() < self.loss:
            self.counts["lost"] += 1
            return
        if len(self.held) >= MAX_HELD:
            self.counts["overflow"] += 1
            return
        delay = self.delay_ms + self.random.uniform(-self.jitter_ms, self.jitter_ms) if self.delay_ms else 0.0
        self.sequence += 1
        heapq.heappush(self.held, (now + delay / 1000.0, self.sequence, packet, (source, destination), delay))

    def release(self, out, now):
        while self.held and self.held[0][0] <= now:
            _, sequence, packet, flow, delay = heapq.heappop(self.held)
            if sequence < self.last_released.get(flow, 0):
                self.counts["reordered"] += 1
            else:
                self.last_released[flow] = sequence
            try:
                os.write(out, packet)
            except OSError:
                continue  # no route to a host being torn down: dropped, as a router would
            self.counts["forwarded"] += 1
            self.delay_total_ms += delay

    def wait(self, now):
        return max(0.0, self.held[0][0] - now) if self.held else None


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit("usage: delayline.py IN_TUN OUT_TUN [SEED]")
    inbound, outbound = open_tun(sys.argv[1]), open_tun(sys.argv[2])
    line = DelayLine(int(sys.argv[3]) if len(sys.argv) == 4 else 1)
    stdin = sys.stdin.fileno()
    print("ready", flush=True)
    pending = b""
    while True:
        readable, _, _ = select.select([inbound, stdin], [], [], line.wait(time.monotonic()))
        now = time.monotonic()
        if inbound in readable:
            for _ in range(256):  # drain what arrived, without starving the release of held packets
                try:
                    line.take(os.read(inbound, MAX_PACKET), now)
                except BlockingIOError:
                    break
                if not select.select([inbound], [], [], 0)[0]:
                    break
        if stdin in readable:
            chunk = os.read(stdin, 4096)
            if not chunk:
                return  # the test ended without saying quit
            pending += chunk
            while b"\n" in pending:
                text, pending = pending.split(b"\n", 1)
                if text.strip() == b"quit":
                    print("ok quit", flush=True)
                    return
                print(line.command(text.decode("utf-8", "replace")), flush=True)
        line.release(outbound, time.monotonic())


if __name__ == "__main__":
    main()
