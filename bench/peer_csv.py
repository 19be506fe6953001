#!/usr/bin/env python3
"""The peer bench.sh times beside `onboard validate` on the same CSV: a
plain Python script with the csv module and five checks per row (the
comparison the performance issue made): the extension is digits and not
seen before, the login is not seen before (ignoring case), the email has
an '@', the ring timeout is a whole number from 0 to 3600. onboard checks
every rule of every field; this is the floor a hand-written script sets.

usage: peer_csv.py FILE.csv   (prints rows and problems found)
"""
import csv
import sys


def main(path):
    seen_ext, seen_login = set(), set()
    rows = problems = 0
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        col = {h: i for i, h in enumerate(next(reader))}
        ext, login, email, ring = col["Extension"], col["Login Username"], col["Email"], col["Ring Timeout (s)"]
        for row in reader:
            rows += 1
            x = row[ext]
            if not x.isdigit() or x in seen_ext:
                problems += 1
            seen_ext.add(x)
            lo = row[login].lower()
            if lo in seen_login:
                problems += 1
            seen_login.add(lo)
            if "@" not in row[email]:
                problems += 1
            r = row[ring]
            if not r.isdigit() or int(r) > 3600:
                problems += 1
    print(rows, "rows,", problems, "problems")


if __name__ == "__main__":
    main(sys.argv[1])
