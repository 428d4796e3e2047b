#!/usr/bin/env python3
"""Writes the demo registry (demo-individuals.csv, demo-entities.csv):
synthetic people and organisations whose IIN/BIN pass the checksum of
domain.md section 5.  The numbers are derived deterministically from the
rows, so running it again gives the same files."""
import csv, hashlib, sys

W1 = list(range(1, 12))
W2 = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]

def check_digit(d11):
    s = sum(int(c) * w for c, w in zip(d11, W1)) % 11
    if s == 10:
        s = sum(int(c) * w for c, w in zip(d11, W2)) % 11
        if s == 10:
            return None
    return s

def complete(prefix, seed):
    """prefix + digits from seed + check digit, 12 digits."""
    n = 0
    while True:
        h = hashlib.sha256(f"{seed}/{n}".encode()).hexdigest()
        tail = "".join(str(int(c, 16) % 10) for c in h)[: 11 - len(prefix)]
        d11 = prefix + tail
        c = check_digit(d11)
        if c is not None:
            return d11 + str(c)
        n += 1

# surname, given name, patronymic, birth date YYMMDD, century/sex digit
PEOPLE = [
    ("ӘБІЛҚАЙЫР", "ЕРЛАН", "ҚАЙРАТҰЛЫ", "850314", "3"),
    ("ҚҰРМАНҒАЛИ", "АЙГҮЛ", "СЕРІКҚЫЗЫ", "900722", "4"),
    ("НҰРЛАНОВ", "ДӘУРЕН", "БОЛАТҰЛЫ", "781105", "3"),
    ("СӘРСЕНБАЕВА", "ӘЙГЕРІМ", "МАРАТҚЫЗЫ", "950201", "4"),
    ("ЖАҚСЫЛЫҚОВ", "БАУЫРЖАН", "ТӨЛЕУҰЛЫ", "690930", "3"),
    ("ТӨЛЕГЕНОВА", "ГҮЛНАР", "ӘБДІҚЫЗЫ", "820417", "4"),
    ("ОМАРОВ", "АСХАТ", "ЕРЖАНҰЛЫ", "010612", "5"),
    ("ҚАСЫМОВА", "ЖАНАР", "НҰРЛАНҚЫЗЫ", "030825", "6"),
    ("БЕКМҰХАМБЕТОВ", "САМАТ", "ОРАЛҰЛЫ", "750119", "3"),
    ("ИСАЕВА", "МӘДИНА", "ҒАЛЫМҚЫЗЫ", "880308", "4"),
    ("ДҮЙСЕНОВ", "ЕРБОЛ", "ӨМІРЗАҚҰЛЫ", "920526", "3"),
    ("СҰЛТАНБЕКОВА", "ДИНАРА", "ҚУАНЫШҚЫЗЫ", "860911", "4"),
    ("ТЕМІРХАНОВ", "АРМАН", "СЕЙІЛҰЛЫ", "991203", "3"),
    ("ЖҰМАБАЕВА", "ҰЛБОСЫН", "ЕРКІНҚЫЗЫ", "720704", "4"),
    ("ШӘКЕНОВ", "НҰРСҰЛТАН", "", "050227", "5"),
    ("ҒАБДУЛЛИНА", "САЛТАНАТ", "ЖОМАРТҚЫЗЫ", "810615", "4"),
    ("ӨТЕПОВ", "ҚАНАТ", "ҮСЕНҰЛЫ", "680818", "3"),
    ("ЕСІМОВА", "ІНКӘР", "ДАНИЯРҚЫЗЫ", "970131", "4"),
    ("МҰХТАРОВ", "ТИМУР", "ВЛАДИМИРОВИЧ", "830402", "3"),
    ("ИВАНОВА", "ЕЛЕНА", "СЕРГЕЕВНА", "790923", "4"),
]

# name, registration YYMM, type digit, unit digit, index of the head
ENTITIES = [
    ('ЖШС "Алтын Дала"', "0603", "4", "0", 0),
    ('АҚ "Қазақ Темір Жолы Демо"', "9805", "4", "0", 4),
    ('ЖШС "Көкжиек Технолоджис"', "1511", "4", "0", 1),
    ('ЖШС "Алтын Дала" Алматы филиалы', "1209", "4", "1", 8),
    ('ЖК "Сәрсенбаева Ә.М."', "2002", "6", "0", 3),
    ('ТОО "Степной Ветер"', "1007", "4", "0", 18),
    ('ШЖҚ КМК "Астана Емханасы №3"', "0104", "4", "0", 5),
]

def main(outdir):
    iins = []
    with open(f"{outdir}/demo-individuals.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["iin", "surname", "given_name", "patronymic"])
        for s, g, p, born, cs in PEOPLE:
            iin = complete(born + cs, s + g)
            iins.append(iin)
            w.writerow([iin, s, g, p])
    with open(f"{outdir}/demo-entities.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["bin", "name", "head_iin"])
        for name, reg, typ, unit, head in ENTITIES:
            w.writerow([complete(reg + typ + unit, name), name, iins[head]])

if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
