#!/usr/bin/env python3
"""Writes a netsapiens.user workbook for bench.sh with nothing but Python's
standard library, laid out as openpyxl lays out its files (a shared-string
table, numbers typed t="n"), so the workbook figures are not measured on
files from cmd/benchdata, the generator the code is tuned against.

Names, time zones (any of the vendor's list), user scopes (in any case),
departments and sites vary at random from a seed; a share of the rows is
invalid: a misspelt time zone, a ring timeout above 3600, or dial-by-name
digits out of range, one error each.

usage: xlsxgen.py ROWS OUT.xlsx [--invalid-share 0.05] [--seed 1]
"""
import argparse
import os
import random
import zipfile
from xml.sax.saxutils import escape

HEADER = ["domain", "user", "name-first-name", "name-last-name", "login-username", "email-address", "user-scope",
          "department", "site", "time-zone", "voicemail-login-pin", "directory-name-number-dtmf-mapping",
          "ring-no-answer-timeout-seconds", "area-code", "caller-id-number"]
FIRST = ["Amara", "Björn", "Carmen", "Dmitri", "Elif", "Farah", "Gustavo", "Hana", "Ingrid", "Jun", "Kofi", "Léa",
         "Mateo", "Nadia", "Oskar", "Paloma", "Quentin", "Rahul", "Sofía", "Tomasz", "Ursula", "Viktor", "Wen", "Yara"]
LAST = ["Abara", "Bergström", "Castillo", "Dvořák", "Eriksen", "Fontaine", "Gonzalez", "Haddad", "Ivanova", "Jansen",
        "Kim", "Lindqvist", "Moreau", "Nakamura", "O'Connor", "Petrov", "Quispe", "Rossi", "Schneider", "Tanaka",
        "Uddin", "Villanueva", "Walsh", "Zhou"]
SCOPES = ["Basic User", "basic user", "Simple User", "Advanced User", "Call Center Agent", "call center agent",
          "Site Manager", "Office Manager", "No Portal"]
DEPARTMENTS = ["Sales", "Support", "Billing", "R&D", "Field Service", "Legal", "Warehouse <North>"]
SITES = ["Boise", "Leeds Office", "Remote", "São Paulo", "Kraków Hub"]
KEYPAD = "22233344455566677778889999"


def ascii_of(name):
    table = str.maketrans("öåéíáčřşüó", "oaeiacrsuo")
    return "".join(c for c in name.lower().translate(table) if "a" <= c <= "z")


def rows(n, share, rng, zones):
    for i in range(n):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        ext = 200000 + i
        user = f"{ascii_of(first)}.{ascii_of(last)}{ext}@corp.example.net"
        a = ascii_of(last)
        digits = int("".join(KEYPAD[ord(c) - 97] for c in a[:3]))
        area = rng.choice([208, 303, 415, 512, 617, 702, 919])
        row = ["corp.example.net", ext, first, last, user, user.replace("@", "+vm@"), rng.choice(SCOPES),
               rng.choice(DEPARTMENTS), rng.choice(SITES), rng.choice(zones), f"{rng.randrange(10000):04d}",
               digits, rng.choice([0, 20, 25, 30, 45]), area, 10000000000 + area * 10000000 + rng.randrange(10000000)]
        if rng.random() < share:
            kind = rng.randrange(3)
            if kind == 0:
                row[9] = row[9].replace("a", "aa", 1) if "a" in row[9] else row[9] + "x"
            elif kind == 1:
                row[12] = 3601 + rng.randrange(5000)
            else:
                row[11] = 1000 + rng.randrange(9000)
        yield row


def col(i):
    name = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        name = chr(65 + r) + name
    return name


def write(path, n, share, seed):
    rng = random.Random(seed)
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "..", "internal", "netsapiens", "time-zones.txt")) as f:
        zones = f.read().split()
    strings, index = [], {}

    def sst(s):
        if s not in index:
            index[s] = len(strings)
            strings.append(s)
        return index[s]

    cols = [col(i) for i in range(len(HEADER))]
    parts = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>']

    def add_row(r, values):
        cells = []
        for c, v in zip(cols, values):
            if isinstance(v, int):
                cells.append(f'<c r="{c}{r}" t="n"><v>{v}</v></c>')
            else:
                cells.append(f'<c r="{c}{r}" t="s"><v>{sst(v)}</v></c>')
        parts.append(f'<row r="{r}">{"".join(cells)}</row>')

    add_row(1, HEADER)
    for i, values in enumerate(rows(n, share, rng, zones)):
        add_row(i + 2, values)
    parts.append("</sheetData></worksheet>")
    shared = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
              f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" uniqueCount="{len(strings)}">']
    shared += [f"<si><t>{escape(s)}</t></si>" for s in strings]
    shared.append("</sst>")
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    files = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        "</Types>",
        "_rels/.rels": f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{pkg}">'
        f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{main}" xmlns:r="{rel}">'
        '<sheets><sheet name="netsapiens.user" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{pkg}">'
        f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
        f'<Relationship Id="rId3" Type="{rel}/styles" Target="styles.xml"/></Relationships>',
        "xl/styles.xml": f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{main}">'
        '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
        '<borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs>'
        '<cellXfs count="1"><xf xfId="0"/></cellXfs></styleSheet>',
        "xl/sharedStrings.xml": "".join(shared),
        "xl/worksheets/sheet1.xml": "".join(parts),
    }
    tmp = path + ".tmp"
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            z.writestr(name, text.encode("utf-8"))
    os.replace(tmp, path)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("rows", type=int)
    p.add_argument("out")
    p.add_argument("--invalid-share", type=float, default=0.05)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    write(a.out, a.rows, a.invalid_share, a.seed)
    print(f"wrote {a.out}: {a.rows} rows")


if __name__ == "__main__":
    main()
