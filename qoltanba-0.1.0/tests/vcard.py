#!/usr/bin/env python3
"""A very small virtual smart card for the vpcd reader (vsmartcard).

It connects to the vpcd driver inside pcscd, which then sees a card in
its reader: starting it inserts the card, stopping it removes it.  It
presents the ATR it is given and answers every APDU with 6D00
(instruction not supported): enough for PC/SC detection, not a token.

vpcd protocol: each message is a 2-byte big-endian length and the data.
A 1-byte message from the driver is a control code: 0 power off, 1 power
on, 2 reset, 4 "send the ATR" (answered with the ATR).  Anything longer
is a command APDU, answered with a response APDU.

Usage: vcard.py --port PORT --atr HEX [--host 127.0.0.1]
"""
import argparse
import signal
import socket
import struct
import sys
import time


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def send_msg(sock, data):
    sock.sendall(struct.pack(">H", len(data)) + data)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--atr", required=True, help="ATR in hex")
    args = ap.parse_args()
    atr = bytes.fromhex(args.atr)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

    # The driver listens once pcscd has loaded it: retry for a while.
    deadline = time.monotonic() + 20
    while True:
        try:
            sock = socket.create_connection((args.host, args.port), timeout=5)
            break
        except OSError:
            if time.monotonic() > deadline:
                print("vcard: cannot connect to vpcd on port %d" % args.port, file=sys.stderr)
                return 1
            time.sleep(0.1)
    sock.settimeout(None)
    print("vcard: connected", flush=True)
    while True:
        hdr = recv_exact(sock, 2)
        if hdr is None:
            return 0
        (n,) = struct.unpack(">H", hdr)
        data = recv_exact(sock, n)
        if data is None:
            return 0
        if n == 1:
            if data[0] == 4:
                send_msg(sock, atr)
            # 0 off, 1 on, 2 reset: no answer
            continue
        send_msg(sock, b"\x6d\x00")


if __name__ == "__main__":
    sys.exit(main())
