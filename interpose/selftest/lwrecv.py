#!/usr/bin/env python3
"""lwrecv.py — a stand-alone receiver for liblockwatch.so records, for testing the runtime
without the driver.

It listens on an AF_UNIX SOCK_STREAM socket in a private directory, runs the program with
LD_PRELOAD=<lib> and LOCKWATCH_SOCKET=<secret>:<path>, checks that every connection starts with
the secret, decodes every record per
detector/include/lockwatch/wire.h and prints one line per record (or, with --count, only a
count per record type). --symbolize resolves stack addresses with addr2line through the
MODULE records. Exit status: the program's.

  lwrecv.py [--lib PATH] [--count] [--symbolize] [--runtime OPTS] -- program args...
"""
import argparse
import collections
import ctypes
import mmap
import os
import selectors
import socket
import tempfile
import struct
import subprocess
import sys
import time

HDR = struct.Struct("<HBBIiiIIQ")
MAX_RECORD = 4096  # LW_WIRE_MAX_RECORD
WIRE_VERSION = 7  # LW_WIRE_VERSION
REF = struct.Struct("<QIBBBB")
HELD = struct.Struct("<QIBBBBQ")
TYPES = {1: "PROCESS", 2: "MODULE", 3: "STACK", 4: "THREAD", 5: "THREAD_NAME",
         6: "THREAD_EXIT", 7: "ACQUIRE", 8: "WAIT", 9: "WAIT_END", 10: "MISUSE",
         11: "OVERFLOW", 12: "HOLDS", 13: "RING", 14: "WATCH", 15: "HELD",
         16: "JOIN", 17: "LOCK_SEEN", 18: "SEM_SIGNAL", 19: "BARRIER", 20: "STEER",
         21: "SEM", 22: "REAP", 23: "PYTHON", 24: "PYSTACK", 25: "PYCODE"}
LOCK_TYPES = {1: "mutex", 2: "rwlock", 3: "spin", 4: "mtx", 5: "sem"}
SEM_SIGNAL_WHY = {1: "POSTED_UNHELD", 2: "RETAKEN", 3: "INITIAL_VALUE"}
MISUSE = {1: "DOUBLE_LOCK", 2: "UNLOCK_UNOWNED", 3: "DESTROY_LOCKED", 4: "EXIT_HOLDING"}
OVERFLOW = {1: "CHAINS", 2: "STACKS", 3: "HELD", 4: "THREADS", 5: "CHANNEL"}


def cstr(b):
    return b.split(b"\0", 1)[0].decode(errors="replace")


def fmt_ref(addr, gen, typ, flags, mode, acq):
    f = "".join(c for bit, c in ((1, "R"), (2, "E"), (4, "W"), (8, "P")) if flags & bit)
    a = "".join(c for bit, c in ((1, "try"), (2, "timed"), (4, "cond")) if acq & bit)
    return "%s@%#x#%d%s%s%s" % (LOCK_TYPES.get(typ, "?%d" % typ), addr, gen,
                                 "[" + f + "]" if f else "", ":rd" if mode else "",
                                 "{" + a + "}" if a else "")


class Decoder:
    def __init__(self, symbolize):
        self.symbolize = symbolize
        self.modules = {}  # pid-independent: (start, end, base, path)
        self.stacks = {}
        self.counts = collections.Counter()
        self.errors = 0

    def sym(self, pc, ret=True):
        for (start, end), (base, path) in self.modules.items():
            if start <= pc < end:
                off = pc - base
                if not self.symbolize:
                    return "%s+%#x" % (os.path.basename(path), off)
                try:
                    out = subprocess.run(["addr2line", "-f", "-C", "-e", path, "%#x" % (off - ret)],
                                         capture_output=True, text=True).stdout.split("\n")
                    return "%s (%s)" % (out[0], os.path.basename(out[1]))
                except OSError:
                    return "%s+%#x" % (os.path.basename(path), off)
        return "%#x" % pc

    def decode(self, msg):
        """Returns (text line, record dict)."""
        self.last = {}
        line = self._decode(msg)
        return line, self.last

    def _decode(self, msg):
        if len(msg) < HDR.size:
            self.errors += 1
            return "SHORT record (%d bytes)" % len(msg)
        magic, ver, typ, size, pid, tid, thread, epoch, t = HDR.unpack_from(msg)
        if magic != 0x574C or ver != WIRE_VERSION or size != len(msg):
            self.errors += 1
            return "BAD header magic=%#x ver=%d size=%d len=%d" % (magic, ver, size, len(msg))
        name = TYPES.get(typ, "?%d" % typ)
        self.counts[name] += 1
        r = self.last
        r.update(type=name, pid=pid, tid=tid, thread=thread, epoch=epoch)
        body = msg[HDR.size:]
        head = "%-11s pid=%d tid=%d T%d" % (name, pid, tid, thread)
        if typ == 1:
            ppid, origin, fth, held, exe = struct.unpack_from("<iIII1024s", body)
            r.update(ppid=ppid, origin=origin, fork_thread=fth, held_at_fork=held, exe=cstr(exe))
            return "%s ppid=%d origin=%s fork_thread=%d held_at_fork=%d exe=%s" % (
                head, ppid, {1: "EXEC", 2: "FORK"}.get(origin, origin), fth, held, cstr(exe))
        if typ == 2:
            base, start, end, path = struct.unpack_from("<QQQ1024s", body)
            self.modules[(start, end)] = (base, cstr(path))
            r.update(base=base, start=start, end=end, path=cstr(path))
            return "%s base=%#x [%#x,%#x) %s" % (head, base, start, end, cstr(path))
        if typ == 3:
            sid, n, _ = struct.unpack_from("<QII", body)
            pcs = struct.unpack_from("<%dQ" % n, body, 16)
            self.stacks[sid] = pcs
            r.update(id=sid, pcs=pcs)
            return "%s id=%#x n=%d %s" % (head, sid, n, " < ".join(self.sym(p) for p in pcs[:6]))
        if typ == 4:
            parent, parent_epoch, cstack, start = struct.unpack_from("<IIQQ", body)
            r.update(parent=parent, parent_epoch=parent_epoch, created_stack=cstack,
                     start_routine=start)
            return "%s parent=%s@%d created_stack=%#x start=%s" % (
                head, "?" if parent == 0xFFFFFFFF else "T%d" % parent, parent_epoch, cstack,
                self.sym(start, False))
        if typ == 16:
            joined, jstack = struct.unpack_from("<QQ", body)
            r.update(joined=joined, stack=jstack)
            return "%s epoch=%d joined=%#x stack=%#x" % (head, epoch, joined, jstack)
        if typ == 18:
            ref = REF.unpack_from(body)
            why, _ = struct.unpack_from("<II", body, REF.size)
            r.update(sem=ref, why=SEM_SIGNAL_WHY.get(why, why))
            return "%s sem=%s why=%s" % (head, fmt_ref(*ref), SEM_SIGNAL_WHY.get(why, why))
        if typ == 19:
            barrier, bstack, count, flags = struct.unpack_from("<QQII", body)
            r.update(barrier=barrier, stack=bstack, count=count, flags=flags)
            return "%s epoch=%d barrier=%#x count=%d stack=%#x" % (head, epoch, barrier, count,
                                                                   bstack)
        if typ == 22:
            child, _, wstack = struct.unpack_from("<iIQ", body)
            r.update(child=child, stack=wstack)
            return "%s epoch=%d child=%d stack=%#x" % (head, epoch, child, wstack)
        if typ == 21:
            sem, sstack, op, value = struct.unpack_from("<QQII", body)
            r.update(sem=sem, stack=sstack, op=op, value=value)
            return "%s epoch=%d sem=%#x op=%d value=%d" % (head, epoch, sem, op, value)
        if typ == 20:
            outcome, site = struct.unpack_from("<II", body)
            r.update(outcome=outcome, site=site)
            return "%s steer %s site=%d" % (head, "met" if outcome == 1 else "alone", site)
        if typ == 5:
            r.update(name=cstr(body[:32]))
            return "%s name=%s" % (head, cstr(body[:32]))
        if typ == 6:
            nheld, _ = struct.unpack_from("<II", body)
            r.update(nheld=nheld)
            return "%s nheld=%d" % (head, nheld)
        if typ in (7, 8):
            ref = REF.unpack_from(body)
            off = REF.size
            if typ == 7:
                stack, nheld, total = struct.unpack_from("<QII", body, off)
                off += 16
                extra = ""
            else:
                stack, owner, _, deadline, nheld, total = struct.unpack_from("<QiIQII", body, off)
                off += 32
                extra = " owner_tid=%d deadline=%d" % (owner, deadline)
            held = []
            r.update(lock=ref, stack=stack, nheld=nheld, held_total=total, held=[])
            if typ == 8:
                r.update(owner_tid=owner, deadline=deadline)
            for i in range(nheld):
                h = HELD.unpack_from(body, off + i * HELD.size)
                r["held"].append((h[:6], h[6]))
                held.append("%s(%#x)" % (fmt_ref(*h[:6]), h[6]))
            return "%s lock=%s stack=%#x%s held(%d/%d)=[%s]" % (
                head, fmt_ref(*ref), stack, extra, nheld, total, ", ".join(held))
        if typ == 9:
            ref = REF.unpack_from(body)
            result, _ = struct.unpack_from("<iI", body, REF.size)
            r.update(lock=ref, result=result)
            return "%s lock=%s result=%d" % (head, fmt_ref(*ref), result)
        if typ == 10:
            kind, will_block = struct.unpack_from("<II", body)
            ref = REF.unpack_from(body, 8)
            stack, other, other_thread, _ = struct.unpack_from("<QQII", body, 8 + REF.size)
            r.update(kind=MISUSE.get(kind, kind), will_block=will_block, lock=ref, stack=stack,
                     other_stack=other, other_thread=other_thread)
            return "%s %s will_block=%d lock=%s stack=%#x other_stack=%#x other=%s" % (
                head, MISUSE.get(kind, kind), will_block, fmt_ref(*ref), stack, other,
                "?" if other_thread == 0xFFFFFFFF else "T%d" % other_thread)
        if typ == 11:
            table, _, limit = struct.unpack_from("<IIQ", body)
            r.update(table=OVERFLOW.get(table, table), limit=limit)
            return "%s table=%s limit=%d" % (head, OVERFLOW.get(table, table), limit)
        return head


class Ring:
    """The reading end of a record ring (detector/include/lockwatch/ring.h): a header page
    (beat at 16, closed at 24, head at 64, tail at 128) and the data after it."""
    DATA_OFFSET = 4096
    DATA_SIZE = 1 << 20

    def __init__(self, fd, file_size):
        self.map = mmap.mmap(fd, file_size)
        os.close(fd)
        magic, version, data_size = struct.unpack_from("<IIQ", self.map, 0)
        if (magic, version, data_size) != (0x4E52574C, WIRE_VERSION, self.DATA_SIZE):
            raise ValueError("not a record ring")
        self.beat = ctypes.c_uint64.from_buffer(self.map, 16)
        self.closed = ctypes.c_uint32.from_buffer(self.map, 24)
        self.beat.value = 1
        self.head = ctypes.c_uint64.from_buffer(self.map, 64)
        self.tail = ctypes.c_uint64.from_buffer(self.map, 128)  # one 8-byte store per update

    def _copy(self, pos, n):
        off = pos % self.DATA_SIZE
        first = min(n, self.DATA_SIZE - off)
        base = self.DATA_OFFSET
        return (self.map[base + off:base + off + first] +
                self.map[base:base + n - first])

    def _zero(self, pos, n):
        off = pos % self.DATA_SIZE
        first = min(n, self.DATA_SIZE - off)
        base = self.DATA_OFFSET
        self.map[base + off:base + off + first] = bytes(first)
        self.map[base:base + n - first] = bytes(n - first)

    def drain(self):
        """Returns the whole records published since the last call, in order."""
        self.beat.value += 1  # writers waiting for room see that we are here
        out = []
        while self.tail.value != self.head.value:
            tail = self.tail.value
            magic, _ver, _typ, size = HDR.unpack_from(self._copy(tail, HDR.size))[:4]
            if magic != 0x574C:
                break  # reserved, not yet published (or never: the selftest does not skip)
            span = (size + 7) & ~7
            out.append(self._copy(tail, size))
            self._zero(tail, span)
            self.tail.value = tail + span
        return out


DEFAULT_LIB = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                           "../../build-interpose/lib/liblockwatch.so")


def run(cmd, lib=DEFAULT_LIB, runtime=None, symbolize=False, echo=False, stdout=None,
        kill_after=None):
    """Runs cmd under the runtime; returns (records as dicts, decoder, exit status). With
    kill_after, a program still running after that many seconds is killed (SIGKILL)."""
    private_dir = tempfile.mkdtemp(prefix="lwrecv-")
    path = os.path.join(private_dir, "s")
    secret = os.urandom(16).hex().encode()
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(64)
    srv.setblocking(False)
    env = dict(os.environ, LD_PRELOAD=os.path.abspath(lib),
               LOCKWATCH_SOCKET=secret.decode() + ":" + path)
    if runtime:
        env["LOCKWATCH_RUNTIME"] = runtime
    proc = subprocess.Popen(cmd, env=env, stdout=stdout)
    sel = selectors.DefaultSelector()
    sel.register(srv, selectors.EVENT_READ)
    dec = Decoder(symbolize)
    dec.connections = 0
    records = []
    exited_at = None
    started = time.time()
    rings = []

    def take(rec):
        line, decoded = dec.decode(rec)
        records.append(decoded)
        if echo:
            print(line, flush=True)

    while True:
        if kill_after is not None and proc.poll() is None and time.time() - started > kill_after:
            proc.kill()
        if exited_at is None and proc.poll() is not None:
            exited_at = time.time()
        if exited_at is not None and time.time() - exited_at > 0.3:
            break
        ready = sel.select(timeout=0.05)
        drained = False
        for key, _ in ready:
            if key.fileobj is srv:
                c, _ = srv.accept()
                c.setblocking(False)
                dec.connections += 1
                sel.register(c, selectors.EVENT_READ,
                             {"pending": bytearray(), "fds": [], "secret": bytearray()})
                continue
            try:
                data, anc, _flags, _addr = key.fileobj.recvmsg(65536, socket.CMSG_SPACE(16))
            except BlockingIOError:
                continue
            for level, kind, payload in anc:
                if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                    key.data["fds"] += list(struct.unpack("<%di" % (len(payload) // 4), payload))
            if not data:
                sel.unregister(key.fileobj)
                key.fileobj.close()
                continue
            pending = key.data["pending"]  # the secret, then records back to back
            pending += data
            proof = key.data["secret"]
            if len(proof) < len(secret):
                take_n = min(len(secret) - len(proof), len(pending))
                proof += pending[:take_n]
                del pending[:take_n]
                if not secret.startswith(bytes(proof)):
                    print("BAD secret: %r" % bytes(proof), flush=True)
                    dec.errors += 1
                    sel.unregister(key.fileobj)
                    key.fileobj.close()
                    continue
            while len(pending) >= HDR.size:
                magic, ver, typ, size = HDR.unpack_from(pending)[:4]
                if magic != 0x574C or ver != WIRE_VERSION or not HDR.size <= size <= MAX_RECORD:
                    # not records: there is no next record to find, so the connection is done
                    print("BAD stream: magic=%#x ver=%d size=%d" % (magic, ver, size), flush=True)
                    dec.errors += 1
                    pending.clear()
                    sel.unregister(key.fileobj)
                    key.fileobj.close()
                    break
                if len(pending) < size:
                    break
                rec = bytes(pending[:size])
                del pending[:size]
                take(rec)
                if typ == 13:  # RING: the rest of this image's records are in the ring
                    file_size = struct.unpack_from("<Q", rec, HDR.size)[0]
                    try:
                        rings.append(Ring(key.data["fds"].pop(0), file_size))
                    except (IndexError, ValueError, OSError) as e:
                        print("BAD ring: %s" % (e or "no descriptor"), flush=True)
                        dec.errors += 1
        # A ring outlives its connection (the program may close the socket): drain them all.
        for ring in rings:
            for rec in ring.drain():
                drained = True
                take(rec)
        if (ready or drained) and exited_at is not None:
            exited_at = time.time()  # still draining: wait for quiet
    srv.close()
    os.unlink(path)
    os.rmdir(private_dir)
    for ring in rings:
        ring.closed.value = 1  # writers still running stop waiting for room
    return records, dec, proc.returncode


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lib", default=DEFAULT_LIB)
    ap.add_argument("--count", action="store_true")
    ap.add_argument("--symbolize", action="store_true")
    ap.add_argument("--runtime", default=None)
    ap.add_argument("cmd", nargs="+")
    args = ap.parse_args()
    _, dec, rc = run(args.cmd, args.lib, args.runtime, args.symbolize, echo=not args.count)
    summary = " ".join("%s=%d" % kv for kv in sorted(dec.counts.items()))
    print("# connections=%d records: %s%s" % (dec.connections, summary or "none",
                                                 " ERRORS=%d" % dec.errors if dec.errors else ""),
          file=sys.stderr)
    sys.exit(rc if rc >= 0 else 128 - rc)


if __name__ == "__main__":
    main()
