#!/bin/sh
# Generates ./configure from configure.ac (run once after a clone).
set -e
cd "$(dirname "$0")"
autoreconf --install --force
