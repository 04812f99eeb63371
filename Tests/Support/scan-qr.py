#!/usr/bin/env python3
"""Reads a certificate's QR code the way a poor scan would give it.

    scan-qr.py PAGE.png [--rotate DEGREES] [--blur SIGMA]

turns the rendered page (white behind the corners), blurs it with a Gaussian of SIGMA
pixels (Pillow's radius is the standard deviation), and prints what zbarimg reads from the
whole page; exits 1 when it reads nothing.
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
    result = subprocess.run(["zbarimg", "--quiet", "--raw", path], capture_output=True, text=True)
sys.stdout.write(result.stdout)
sys.exit(0 if result.returncode == 0 and result.stdout.strip() else 1)
