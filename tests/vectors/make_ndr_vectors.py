#!/usr/bin/env python3
"""Writes NDR20 wire vectors for MS-DCOM types, built by impacket (an
independent implementation, tested for years against Windows), to
tests/vectors/ndr/NAME.hex. The Rust tests decode each one as the named
type and re-encode it, expecting the same bytes.

Referent IDs are set to Windows' pattern (0x20000, then +4 in NDR order),
which impacket otherwise draws at random. impacket pads with 0xAB, 0xAA or
0xBF where Windows and msrpc pad with zeros; the tests allow exactly that.

    pip install impacket && python3 tests/vectors/make_ndr_vectors.py
"""
import os
import sys

from impacket.dcerpc.v5 import dcomrt, ndr
from impacket.dcerpc.v5.dtypes import NULL
from impacket.uuid import string_to_bin

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ndr")


def marshal(obj):
    """A value as one top-level parameter: inline part, then its pointees."""
    data = obj.getData(0)
    data += obj.getDataReferents(len(data))
    if isinstance(obj, dcomrt.TypeSerialization1):
        # impacket writes the activation property structures with their
        # MS-RPCE type-serialization headers (8 + 8 bytes); the NDR body
        # after them, of the length the private header gives, is the value.
        return data[16 : 16 + int.from_bytes(data[8:12], "little")]
    return data


def ulongs(values):
    out = []
    for v in values:
        x = ndr.NDRULONG()
        x["Data"] = v
        out.append(x)
    return out


def guid(text):
    g = dcomrt.GUID()
    g["Data"] = string_to_bin(text)
    return g


def comversion(major, minor):
    v = dcomrt.COMVERSION()
    v["MajorVersion"] = major
    v["MinorVersion"] = minor
    return v


def orpcthis(extensions):
    o = dcomrt.ORPCTHIS()
    o["version"] = comversion(5, 7)
    o["flags"] = 1
    o["reserved1"] = 0
    o["cid"] = guid("2a6fe89a-1f0e-4a4c-9d6c-3b6c6e8e2f11")
    o["extensions"] = extensions
    if extensions is not NULL:
        o.fields["extensions"].fields["ReferentID"] = 0x20000
    return o


def extent_array():
    # One extent of 5 bytes; data is padded to (5 + 7) & ~7 = 8 bytes, and
    # the pointer array to (1 + 1) & ~1 = 2 entries, the second null.
    ext = dcomrt.ORPC_EXTENT()
    ext["id"] = guid("f1f19680-4d2a-11ce-a66a-0020af6e72f4")
    ext["size"] = 5
    ext["data"] = list(b"hello\0\0\0")
    arr = dcomrt.ORPC_EXTENT_ARRAY()
    arr["size"] = 1
    arr["reserved"] = 0
    p1 = dcomrt.PORPC_EXTENT()
    p1["Data"] = ext
    p1.fields["ReferentID"] = 0x20008
    arr["extent"] = [p1, NULL]
    arr.fields["extent"].fields["ReferentID"] = 0x20004
    return arr


def vectors():
    yield "ORPCTHIS-no-extensions", orpcthis(NULL)
    yield "ORPCTHIS-with-extension", orpcthis(extent_array())

    that = dcomrt.ORPCTHAT()
    that["flags"] = 0
    that["extensions"] = NULL
    yield "ORPCTHAT", that

    std = dcomrt.STDOBJREF()
    std["flags"] = 0x1000  # SORF_NOPING
    std["cPublicRefs"] = 5
    std["oxid"] = 0x1122334455667788
    std["oid"] = 0x99AABBCCDDEEFF00
    std["ipid"] = guid("00009801-1234-5678-9abc-def012345678")
    yield "STDOBJREF", std

    qi = dcomrt.REMQIRESULT()
    qi["hResult"] = 0
    qi["std"] = std
    yield "REMQIRESULT", qi

    ref = dcomrt.REMINTERFACEREF()
    ref["ipid"] = guid("00009801-1234-5678-9abc-def012345678")
    ref["cPublicRefs"] = 5
    ref["cPrivateRefs"] = 0
    yield "REMINTERFACEREF", ref

    # ncacn_ip_tcp:127.0.0.1[135], then one security binding (NTLM).
    words = [0x07] + [ord(c) for c in "127.0.0.1[135]"] + [0, 0]
    sec_offset = len(words)
    words += [0x0A, 0xFFFF] + [0, 0]
    dsa = dcomrt.DUALSTRINGARRAY()
    dsa["wNumEntries"] = len(words)
    dsa["wSecurityOffset"] = sec_offset
    dsa["aStringArray"] = words
    yield "DUALSTRINGARRAY", dsa

    mip = dcomrt.MInterfacePointer()
    mip["ulCntData"] = 8
    mip["abData"] = list(b"MEOW\x01\x00\x00\x00")
    yield "MInterfacePointer", mip


def set_referent(obj, field, referent):
    obj.fields[field].fields["ReferentID"] = referent


def activation_vectors():
    # A string-bearing struct behind a pointer: SecurityInfoData -> COSERVERINFO.
    server = dcomrt.COSERVERINFO()
    server["dwReserved1"] = 0
    server["pwszName"] = "SERVER\x00"
    server["pdwReserved"] = NULL
    server["dwReserved2"] = 0
    sec = dcomrt.SecurityInfoData()
    sec["dwAuthnFlags"] = 0
    sec["pServerInfo"] = server
    sec["pdwReserved"] = NULL
    set_referent(sec, "pServerInfo", 0x20000)
    set_referent(sec["pServerInfo"], "pwszName", 0x20004)
    yield "SecurityInfoData", sec

    # A count that sizes an array behind a pointer (cIID, pIID).
    inst = dcomrt.InstantiationInfoData()
    inst["classId"] = guid("85911500-e978-4cc4-918c-e829b5e25e13")
    inst["classCtx"] = 0x14
    inst["actvflags"] = 0
    inst["fIsSurrogate"] = 0
    inst["cIID"] = 2
    inst["instFlag"] = 0
    inst["pIID"] = [guid("ac40e92e-1925-45a0-9f3e-95874a35497b"), guid("00000000-0000-0000-c000-000000000046")]
    inst["thisSize"] = 0
    inst["clientCOMVersion"] = comversion(5, 7)
    set_referent(inst, "pIID", 0x20000)
    yield "InstantiationInfoData", inst

    # One count (cIfs) sizing two arrays.
    head = dcomrt.CustomHeader()
    head["totalSize"] = 400
    head["headerSize"] = 120
    head["dwReserved"] = 0
    head["destCtx"] = 2
    head["cIfs"] = 2
    head["classInfoClsid"] = guid("000001ab-0000-0000-c000-000000000046")
    head["pclsid"] = [guid("000001ab-0000-0000-c000-000000000046"), guid("000001a5-0000-0000-c000-000000000046")]
    head["pSizes"] = ulongs([100, 200])
    head["pdwReserved"] = NULL
    set_referent(head, "pclsid", 0x20000)
    set_referent(head, "pSizes", 0x20004)
    yield "CustomHeader", head

    # A 16-bit count for an array of shorts.
    scm = dcomrt.customREMOTE_REQUEST_SCM_INFO()
    scm["ClientImpLevel"] = 2
    scm["cRequestedProtseqs"] = 1
    scm["pRequestedProtseqs"] = [7]
    set_referent(scm, "pRequestedProtseqs", 0x20000)
    yield "customREMOTE_REQUEST_SCM_INFO", scm


# Types of tests/fixtures/codegen.idl, declared with impacket's own NDR
# classes; their vectors are named "fixture-TYPE".
class PAIR(ndr.NDRSTRUCT):
    structure = (("a", ndr.NDRLONG), ("b", ndr.NDRHYPER))


class VALUE(ndr.NDRUNION):
    commonHdr = (("tag", ndr.NDRULONG),)
    union = {
        1: ("l", ndr.NDRLONG),
        3: ("pair", PAIR),
        4: ("pair", PAIR),
    }


class TAGGED(ndr.NDRSTRUCT):
    structure = (("kind", ndr.NDRULONG), ("value", VALUE))


class PLONG(ndr.NDRPOINTER):
    referent = (("Data", ndr.NDRLONG),)


class SHARED(ndr.NDRSTRUCT):
    # names/again point at NAMES; they are null here.
    structure = (
        ("first", PLONG),
        ("second", PLONG),
        ("names", PLONG),
        ("again", PLONG),
    )


def fixture_vectors():
    # A non-encapsulated union whose discriminant is a sibling field. The arm
    # is PAIR, the union's widest, so both rules for a union's alignment
    # (the widest arm, pidl; the chosen arm, impacket) give the same bytes.
    t = TAGGED()
    t["kind"] = 4
    t["value"]["tag"] = 4
    t["value"]["pair"]["a"] = -2
    t["value"]["pair"]["b"] = 0x0102030405060708
    yield "fixture-TAGGED", t

    # Full pointers without aliasing are written like unique ones; impacket
    # has no aliasing, so the shared-referent cases are built by hand in
    # tests/codegen_fixture.rs from C706 14.3.12.3.
    sh = SHARED()
    for field, value in (("first", 5), ("second", -7)):
        p = PLONG()
        p["Data"] = value
        sh[field] = p
    sh["names"] = NULL
    sh["again"] = NULL
    set_referent(sh, "first", 0x20000)
    set_referent(sh, "second", 0x20004)
    yield "fixture-SHARED", sh


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, obj in list(vectors()) + list(activation_vectors()) + list(fixture_vectors()):
        with open(os.path.join(OUT, name + ".hex"), "w") as f:
            f.write(marshal(obj).hex() + "\n")
        print(name, file=sys.stderr)


if __name__ == "__main__":
    main()
