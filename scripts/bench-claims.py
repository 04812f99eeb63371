#!/usr/bin/env python3
"""Claims on a running `creditpress serve`, as learners make them, timed: for each sign-in
link given on standard input (one per line), redeem it, open the claim form of ACTIVITY,
and post a claim of AMOUNT AMA credits; the time from the claim's POST to the service's
answer (the certificate issued, signed and kept) is what is measured. Prints p50, p99 and
the largest, and the last learner's cookie and certificate id for the download run. The service must trust
127.0.0.1 as a proxy (`--trusted-proxy 127.0.0.1`): each learner comes from her own address.

    bench-claims.py BASE_URL ACTIVITY AMOUNT < links
"""
import http.client
import re
import sys
import time
import urllib.parse

base, activity, amount = sys.argv[1], sys.argv[2], sys.argv[3]
url = urllib.parse.urlsplit(base)
connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)


def request(method, path, cookie=None, body=None):
    # Each learner from an address of her own (198.18.0.0/15, the benchmarking range), as
    # the service behind its proxy sees real learners: the per-address limits apply to each.
    headers = {"X-Forwarded-For": "198.18.%d.%d" % (learner // 250, learner % 250 + 1)}
    if cookie:
        headers["Cookie"] = cookie
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    return response, response.read().decode("utf-8", "replace")


times = []
cookie = certificate = None
learner = 0
for line in sys.stdin:
    link = line.strip()
    if not link:
        continue
    learner += 1
    response, _ = request("GET", urllib.parse.urlsplit(link).path)
    cookie = response.getheader("Set-Cookie").split(";")[0]
    path = "/activities/%s/claim" % activity
    _, page = request("GET", path, cookie)
    token = re.search(r'name="csrf" value="([A-Za-z0-9_-]+)"', page).group(1)
    body = urllib.parse.urlencode({"csrf": token, "amount-ama-pra-category-1": amount,
                                   "completionDate": "2018-06-05", "attest": "yes"})
    start = time.perf_counter()
    response, text = request("POST", path, cookie, body)
    times.append((time.perf_counter() - start) * 1000)
    if response.status != 303:
        sys.exit("claim refused (%d): %s" % (response.status, text[:400]))
    certificate = re.search(r"issued=([0-9A-Z-]+)", response.getheader("Location")).group(1)

times.sort()
pick = lambda q: times[min(len(times) - 1, int(q * len(times)))]
print("claims: %d, claim to certificate p50 %.1f ms, p99 %.1f ms, max %.1f ms" % (len(times), pick(0.5), pick(0.99), times[-1]))
print("COOKIE", cookie)
print("CERTIFICATE", certificate)
