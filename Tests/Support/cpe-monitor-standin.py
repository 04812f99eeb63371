#!/usr/bin/env python3
"""A stand-in for ACPE's CPE Monitor web service, for the tests: one HTTP GET per record,
every parameter checked, a JSON answer with a status and a message, as CreditPress's client
expects (the parameter names are CreditPress's defaults). It listens on 127.0.0.1, prints
its port, appends each request's parameters (the password replaced by whether it matched)
as a JSON line to LOG, and stops when its standard input closes.

    cpe-monitor-standin.py LOG USER PASSWORD

e-Profile ID 0000000 is answered as unknown to NABP (rejected); 9999999 with HTTP 503.
"""
import json
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

LOG, USER, PASSWORD = sys.argv[1], sys.argv[2], sys.argv[3]
CHECKS = {
    "providerID": r"[A-Z0-9]{4,10}",
    "ePID": r"[0-9]{6,7}",
    "dob": r"(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])",
    "uan": r"[A-Z0-9]{4,9}-[0-9]{4}-[0-9]{2}-[0-9]{3}-[LH][0-9]{2}-[PT]",
    "participationDate": r"[0-9]{4}-[0-9]{2}-[0-9]{2}",
    "action": r"I",
}
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    def answer(self, code, status, message):
        body = json.dumps({"status": status, "message": message}).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        query = parse_qs(urlparse(self.path).query, keep_blank_values=True)
        params = {key: values[0] for key, values in query.items()}
        logged = dict(params)
        logged["password"] = params.get("password") == PASSWORD
        with lock, open(LOG, "a", encoding="utf-8") as log:
            log.write(json.dumps(logged) + "\n")
        if params.get("userID") != USER or params.get("password") != PASSWORD:
            return self.answer(401, "error", "Authentication failed")
        for name, pattern in CHECKS.items():
            if name not in params:
                return self.answer(400, "rejected", "Missing parameter %s" % name)
            if not re.fullmatch(pattern, params[name]):
                return self.answer(400, "rejected", "Invalid %s: %s" % (name, params[name]))
        if params["ePID"] == "9999999":
            return self.answer(503, "error", "Service unavailable")
        if params["ePID"] == "0000000":
            return self.answer(200, "rejected", "e-Profile ID not found in NABP")
        if not params["uan"].endswith("-P") and not params["uan"].endswith("-T"):
            return self.answer(200, "rejected", "UAN audience not recognised")
        return self.answer(200, "accepted", "Record accepted")

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
sys.stdin.read()
server.shutdown()
