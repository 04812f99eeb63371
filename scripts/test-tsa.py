#!/usr/bin/env python3
"""A local RFC 3161 time-stamp authority for the signature tests: `openssl ts -reply`
behind an HTTP server on 127.0.0.1.

    scripts/test-tsa.py FOLDER

Makes a test TSA root and time-stamping certificate in FOLDER (tsa-root.pem is the root
to trust), starts serving, and prints `http://127.0.0.1:PORT/` on its first line.
Stops when its standard input closes or it is killed.
"""
import http.server
import os
import subprocess
import sys
import tempfile
import threading

folder = os.path.abspath(sys.argv[1])
os.makedirs(folder, exist_ok=True)


def run(*args):
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=folder)


def make_authority():
    with open(os.path.join(folder, "tsa-ext.cnf"), "w") as ext:
        ext.write("[tsa]\nbasicConstraints=critical,CA:false\nkeyUsage=critical,digitalSignature\n"
                  "extendedKeyUsage=critical,timeStamping\n"
                  "[root]\nbasicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\n")
    run("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "tsa-root.key")
    run("openssl", "req", "-new", "-x509", "-key", "tsa-root.key", "-out", "tsa-root.pem", "-days", "3650",
        "-subj", "/O=CreditPress tests/CN=Test TSA Root", "-extensions", "root", "-config", "tsa-ext.cnf")
    run("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "tsa.key")
    run("openssl", "req", "-new", "-key", "tsa.key", "-out", "tsa.csr", "-subj", "/O=CreditPress tests/CN=Test TSA",
        "-config", "tsa-ext.cnf")
    run("openssl", "x509", "-req", "-in", "tsa.csr", "-CA", "tsa-root.pem", "-CAkey", "tsa-root.key",
        "-CAcreateserial", "-out", "tsa.pem", "-days", "3650", "-extfile", "tsa-ext.cnf", "-extensions", "tsa")
    with open(os.path.join(folder, "tsa.cnf"), "w") as config:
        config.write(f"""[tsa]
default_tsa = local
[local]
dir = {folder}
serial = $dir/tsa-serial
crypto_device = builtin
signer_cert = $dir/tsa.pem
certs = $dir/tsa.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
""")
    with open(os.path.join(folder, "tsa-serial"), "w") as serial:
        serial.write("01\n")


class Handler(http.server.BaseHTTPRequestHandler):
    lock = threading.Lock()

    def do_POST(self):
        query = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with self.lock, tempfile.TemporaryDirectory() as work:
            query_file = os.path.join(work, "query.tsq")
            reply_file = os.path.join(work, "reply.tsr")
            with open(query_file, "wb") as out:
                out.write(query)
            result = subprocess.run(["openssl", "ts", "-reply", "-config", os.path.join(folder, "tsa.cnf"),
                                     "-queryfile", query_file, "-out", reply_file],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            if result.returncode != 0:
                self.send_error(500, result.stderr.decode(errors="replace")[:200])
                return
            with open(reply_file, "rb") as reply:
                body = reply.read()
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


make_authority()
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(f"http://127.0.0.1:{server.server_address[1]}/", flush=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
sys.stdin.read()
