#!/usr/bin/env python3
"""Runs Samba's ndrdump (Debian samba-testsuite) on every vector in
vectors.json and reports whether Samba's own IDL decodes impacket's bytes,
and how Samba's re-encoding (--validate) differs from them: only in
impacket's padding bytes and referent IDs, or elsewhere too.

    python3 tests/vectors/impacket/check_ndrdump.py [OUT_DIR]

The invocation, for ndrdump 4.17:

    ndrdump PIPE FUNCTION in|out FILE.bin --validate [-c REQUEST.bin]

FILE is binary stub data (--hex-input wants a hex dump, not a bare hex
string). A response whose arrays are sized by [in] parameters (size_is(max_
towers), size_is(offered) ...) only decodes with -c (--context-file), which
parses the request first: the matching "in" vector is passed for every
"out" one. OUT_DIR (default /tmp/ndrdump-vectors) gets each vector's .bin,
ndrdump's full output NAME.txt, and results.json.
"""
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def parse_validate_dump(text):
    """The original and re-encoded bytes from ndrdump's --validate diff."""
    orig, new = bytearray(), bytearray()
    for line in text.splitlines():
        m = re.match(r"^([ +-])\[([0-9A-F]{4,})\] ", line)
        if not m:
            continue
        start = m.end()
        hexpart = line[start : start + 23] + " " + line[start + 26 : start + 49]
        data = bytes(int(t, 16) for t in hexpart.split() if re.fullmatch(r"[0-9A-F]{2}", t))
        if m.group(1) in " -":
            orig += data
        if m.group(1) in " +":
            new += data
    return bytes(orig), bytes(new)


def classify(orig, new, vector):
    pad = set()
    for gap in vector["padding"]:
        pad.update(range(gap["offset"], gap["offset"] + gap["length"]))
    refs = set(vector["referent_ids"])
    kinds = {"padding": 0, "referent_id": 0, "other": []}
    for i in range(max(len(orig), len(new))):
        a = orig[i] if i < len(orig) else None
        b = new[i] if i < len(new) else None
        if a == b:
            continue
        if i in pad:
            kinds["padding"] += 1
            continue
        w = i - i % 4
        if a is not None and len(orig) >= w + 4 and int.from_bytes(orig[w : w + 4], "little") in refs:
            kinds["referent_id"] += 1
            continue
        kinds["other"].append(i)
    return kinds


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else "/tmp/ndrdump-vectors"
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(HERE, "vectors.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    vectors = manifest["vectors"]
    for v in vectors:
        with open(os.path.join(HERE, v["file"])) as f:
            data = bytes.fromhex(f.read().strip())
        with open(os.path.join(out_dir, v["name"] + ".bin"), "wb") as f:
            f.write(data)
    requests = {}
    for v in vectors:
        if v["direction"] == "in" and v["spec_conformant"]:
            requests.setdefault((v["interface"], v["method"]), v["name"])

    results = []
    for v in vectors:
        d = v["ndrdump"]
        if not d.get("pipe"):
            continue
        binfile = os.path.join(out_dir, v["name"] + ".bin")
        cmd = ["ndrdump", d["pipe"], d["function"], d["direction"], binfile, "--validate"]
        ctx = None
        if d["direction"] == "out" and (v["interface"], v["method"]) in requests:
            ctx = requests[(v["interface"], v["method"])]
            cmd += ["-c", os.path.join(out_dir, ctx + ".bin")]
        p = subprocess.run(cmd, capture_output=True, text=True, errors="replace")
        text = p.stdout + p.stderr
        with open(os.path.join(out_dir, v["name"] + ".txt"), "w") as f:
            f.write("$ " + " ".join(cmd) + "\n" + text)
        pull = re.search(r"^pull returned (.*)$", text, re.M)
        unread = re.search(r"WARNING! (\d+) unread bytes$", text, re.M)
        push = re.search(r"^push returned (.*)$", text, re.M)
        orig, new = parse_validate_dump(text)
        r = {
            "name": v["name"],
            "command": "ndrdump %s %s %s %s.bin --validate%s"
            % (d["pipe"], d["function"], d["direction"], v["name"], " -c %s.bin" % ctx if ctx else ""),
            "exit": p.returncode,
            "pull": pull.group(1) if pull else None,
            "dump_ok": "dump OK" in text,
            "unread_bytes": int(unread.group(1)) if unread else 0,
            "validate_push": push.group(1) if push else None,
        }
        if orig:
            r["reencode_differs"] = classify(orig, new, v)
        elif r["dump_ok"]:
            r["reencode_differs"] = None  # identical: ndrdump prints no diff
        results.append(r)
        other = r.get("reencode_differs") or {}
        print(
            "%-38s exit %d  pull %-18s unread %-3d push %-8s re-encoding: %s"
            % (
                v["name"],
                r["exit"],
                r["pull"],
                r["unread_bytes"],
                r["validate_push"],
                "identical"
                if r.get("reencode_differs") is None and r["dump_ok"]
                else (
                    "-"
                    if not other
                    else "padding %d, referent IDs %d, other %s"
                    % (other["padding"], other["referent_id"], other["other"][:12] or "none")
                ),
            )
        )
    with open(os.path.join(out_dir, "results.json"), "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
