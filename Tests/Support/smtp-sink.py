#!/usr/bin/env python3
"""A real SMTP server on loopback for the tests (aiosmtpd): every message it accepts is
saved as FOLDER/N.eml (written under a temporary name, then renamed), with the envelope in
FOLDER/N.envelope. Prints "PORT n" once listening; stops when its standard input closes,
so it never outlives the test that started it. Recipients listed in FOLDER/refuse are
refused with 550, to test delivery failures.

    smtp-sink.py FOLDER
"""
import os
import socket
import sys
import threading

from aiosmtpd.controller import Controller

folder = sys.argv[1]
os.makedirs(folder, exist_ok=True)
lock = threading.Lock()
count = 0


class Sink:
    async def handle_RCPT(self, server, session, envelope, address, options):
        refused = os.path.join(folder, "refuse")
        if os.path.exists(refused) and address in open(refused).read().split():
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        global count
        with lock:
            count += 1
            number = count
        base = os.path.join(folder, str(number))
        with open(base + ".envelope", "w") as out:
            out.write("MAIL FROM:%s\nRCPT TO:%s\n" % (envelope.mail_from, ",".join(envelope.rcpt_tos)))
        with open(base + ".tmp", "wb") as out:
            out.write(envelope.original_content)
        os.rename(base + ".tmp", base + ".eml")
        return "250 2.0.0 accepted"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


for attempt in range(20):
    port = free_port()
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    try:
        controller.start()
        break
    except Exception:
        continue
else:
    sys.exit("no free port for the SMTP sink")

print("PORT", port, flush=True)
sys.stdin.read()
controller.stop()
