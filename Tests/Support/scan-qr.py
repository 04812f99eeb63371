#!/usr/bin/env python3
"""Reads a certificate's QR code the way a poor scan would give it.

    scan-qr.py PAGE.png [--rotate DEGREES] [--blur SIGMA]

turns the rendered page (white behind the corners), blurs it with a Gaussian of SIGMA
pixels (Pillow's radius is the standard deviation), and prints the QR code zbarimg reads
from the whole page; exits 1 when it reads none. zbarimg looks for QR codes only (its
other decoders can take a blurred rule or a line of text for a bar code), and only the
lines that are a code's are printed: on a machine without D-Bus, zbar's image library
can print its connection errors among them.
"""
import argparse
import os
import subprocess
import sys
import tempfile

from PIL import Image, ImageFilter

parser = argparse.ArgumentParser()
parser.add_argument("page")
parser.add_argument("--rotate", type=float, default=0)
parser.add_argument("--blur", type=float, default=0)
arguments = parser.parse_args()

image = Image.open(arguments.page).convert("L")
if arguments.rotate:
    image = image.rotate(arguments.rotate, resample=Image.BICUBIC, expand=True, fillcolor=255)
if arguments.blur:
    image = image.filter(ImageFilter.GaussianBlur(arguments.blur))
with tempfile.TemporaryDirectory() as folder:
    path = os.path.join(folder, "scan.png")
    image.save(path)
    result = subprocess.run(["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", path],
                            capture_output=True, text=True)
codes = [line for line in result.stdout.splitlines() if line.startswith("http") or line.upper().startswith(("CP1:", "CP2:"))]
sys.stdout.write("".join(code + "\n" for code in codes))
sys.exit(0 if result.returncode == 0 and codes else 1)
