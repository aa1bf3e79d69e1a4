#!/usr/bin/env python3
"""Writes NDR20 wire vectors for [MS-OAUT] (OLE Automation) types, built by
impacket's dcom.oaut classes, to tests/vectors/oaut/NAME.hex, and a table of
what each one holds to tests/vectors/oaut/README.md. The Rust tests decode
each vector as the named type (one top-level value, like the MS-DCOM vectors
in make_ndr_vectors.py) and compare it with the value listed in the table.

Referent IDs are set to Windows' pattern (0x20000, then +4 in the order the
pointers are written), which impacket otherwise draws at random. impacket
pads with 0xAB, 0xAA or 0xBF (and, in places, other marker bytes) where
Windows pads with zeros.

Two families of vectors:

  TYPE-value       impacket's own classes, unchanged. For BSTRs, scalar and
                   by-reference VARIANTs and DISPPARAMS these are the
                   bytes [MS-OAUT] Appendix A's IDL gives.
  spec-TYPE-value  SAFEARRAYs, where impacket's classes leave out pointers
                   that the IDL has (SAFEARRAY in a VARIANT, the pData of a
                   scalar SAFEARRAY arm). Built here from impacket's NDR
                   classes with the IDL's pointers put back. The impacket
                   bytes for the same values are kept too, as
                   impacket-TYPE-value, to decode with a compatibility
                   reader; they do NOT follow the IDL.

README.md (written with the vectors) lists each value and where impacket's
encoding departs from the IDL.

    pip install impacket && python3 tests/vectors/make_oaut_vectors.py
"""
import os
import sys

from impacket.dcerpc.v5 import ndr
from impacket.dcerpc.v5.dcom import oaut
from impacket.dcerpc.v5.dtypes import NULL

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "oaut")

VT = oaut.VARENUM
SF = oaut.SF_TYPE
VT_ARRAY = 0x2000
VT_BYREF = 0x4000
VARIANT_TRUE = 0xFFFF
FADF_HAVEVARTYPE = 0x0080
FADF_BSTR = 0x0100


def marshal(obj):
    """A value as one top-level parameter: inline part, then its pointees. A
    pointer type (BSTR, VARIANT) is its referent ID followed by its referent."""
    data = obj.getData(0)
    data += obj.getDataReferents(len(data))
    if isinstance(obj, ndr.NDRPOINTER):
        data += obj.getDataReferent(len(data))
    return data


def set_referent(obj, field, referent):
    obj.fields[field].fields["ReferentID"] = referent


def bstr_blob(text):
    b = oaut.FLAGGED_WORD_BLOB()
    b["asData"] = text
    return b


def bstr(text, referent):
    b = oaut.BSTR()
    b["asData"] = text
    b.fields["ReferentID"] = referent
    return b


def variant_header(w, vt):
    # impacket's own callers (dcomexec.py, secretsdump.py) send clSize = 5
    # for every VARIANT and leave rpcReserved 0; the same is done here.
    w["clSize"] = 5
    w["rpcReserved"] = 0
    w["vt"] = vt
    w["wReserved1"] = 0
    w["wReserved2"] = 0
    w["wReserved3"] = 0


def wire_variant(vt, arm=None, value=None, tag=None):
    """A _wireVARIANT (wireVARIANTStr) with discriminant `tag` (default vt)."""
    w = oaut.wireVARIANTStr()
    variant_header(w, vt)
    w["_varUnion"]["tag"] = vt if tag is None else tag
    if arm is not None:
        w["_varUnion"][arm] = value
    return w


def variant(vt, arm, value, referent):
    """A VARIANT: a unique pointer to a _wireVARIANT."""
    v = oaut.VARIANT()
    variant_header(v, vt)
    v["_varUnion"]["tag"] = vt
    if arm is not None:
        v["_varUnion"][arm] = value
    v.fields["ReferentID"] = referent
    return v


def bound(count, lower):
    b = oaut.SAFEARRAYBOUND()
    b["cElements"] = count
    b["lLbound"] = lower
    return b


# --------------------------------------------------------------------------
# [MS-OAUT] 2.2.30 as the IDL has it, with impacket's NDR classes. impacket's
# own DWORD_SIZEDARR writes pData's array in place, with no pointer, and its
# VARIANT writes a VT_ARRAY arm's SAFEARRAY in place, with neither of the
# two unique pointers PSAFEARRAY stands for.
# --------------------------------------------------------------------------


class SpecDwordArray(ndr.NDRUniConformantArray):
    item = "<L"


class SpecPDwordArray(ndr.NDRPOINTER):
    referent = (("Data", SpecDwordArray),)


class SpecDwordSizedArr(ndr.NDRSTRUCT):
    # 2.2.30.8.3: unsigned long clSize; [size_is(clSize)] unsigned long *pData;
    structure = (("clSize", ndr.NDRULONG), ("pData", SpecPDwordArray))


class SpecSafeArrayUnion(ndr.NDRUNION):
    # 2.2.30.9, the two arms used here. SAFEARR_BSTR is impacket's: its aBstr
    # is a pointer to an array of BSTR pointers, as the IDL has it.
    commonHdr = (("tag", ndr.NDRULONG),)
    union = {
        SF.SF_BSTR: ("BstrStr", oaut.SAFEARR_BSTR),
        SF.SF_I4: ("LongStr", SpecDwordSizedArr),
    }


class SpecSafeArrayStruct(ndr.NDRSTRUCT):
    # 2.2.30.10 struct _wireSAFEARRAY
    structure = (
        ("cDims", ndr.NDRUSHORT),
        ("fFeatures", ndr.NDRUSHORT),
        ("cbElements", ndr.NDRULONG),
        ("cLocks", ndr.NDRULONG),
        ("uArrayStructs", SpecSafeArrayUnion),
        ("rgsabound", oaut.SAFEARRAYBOUND_ARRAY),
    )


class SpecSafeArray(ndr.NDRPOINTER):
    # 2.2.30.10 SAFEARRAY: typedef [unique] struct _wireSAFEARRAY *SAFEARRAY
    referent = (("Data", SpecSafeArrayStruct),)


class SpecPSafeArray(ndr.NDRPOINTER):
    # typedef [unique] SAFEARRAY *PSAFEARRAY
    referent = (("Data", SpecSafeArray),)


class SpecVarUnion(ndr.NDRUNION):
    # 2.2.29.1 _varUnion, the VT_ARRAY arm
    commonHdr = (("tag", ndr.NDRULONG),)
    union = {VT_ARRAY: ("parray", SpecPSafeArray)}


class SpecWireVariant(ndr.NDRSTRUCT):
    structure = (
        ("clSize", ndr.NDRULONG),
        ("rpcReserved", ndr.NDRULONG),
        ("vt", ndr.NDRUSHORT),
        ("wReserved1", ndr.NDRUSHORT),
        ("wReserved2", ndr.NDRUSHORT),
        ("wReserved3", ndr.NDRUSHORT),
        ("_varUnion", SpecVarUnion),
    )

    def getAlignment(self):
        # The union has 8-byte arms (LONGLONG, DOUBLE, CURRENCY, DECIMAL).
        return 8


def fill_safearray(s, sftype, cb, vt_high, count, arm):
    s["cDims"] = 1
    s["fFeatures"] = FADF_HAVEVARTYPE | (FADF_BSTR if sftype == SF.SF_BSTR else 0)
    s["cbElements"] = cb
    s["cLocks"] = vt_high << 16
    s["uArrayStructs"]["tag"] = sftype
    s["uArrayStructs"][arm[0]] = arm[1]
    s["rgsabound"] = [bound(count, 0)]


def spec_long_arr(values, referent):
    a = SpecDwordSizedArr()
    a["clSize"] = len(values)
    a["pData"] = list(values)
    set_referent(a, "pData", referent)
    return a


def impacket_long_arr(values):
    a = oaut.DWORD_SIZEDARR()
    a["clSize"] = len(values)
    a["pData"] = values
    return a


def safearr_bstr(texts, first):
    """SAFEARR_BSTR: Size, aBstr (referent `first`), then one referent per
    BSTR (first + 4, first + 8, ...)."""
    s = oaut.SAFEARR_BSTR()
    s["Size"] = len(texts)
    s["aBstr"] = [bstr(t, first + 4 * (i + 1)) for i, t in enumerate(texts)]
    set_referent(s, "aBstr", first)
    return s


LONGS = [1, 2, 3]
WORDS = ["ab", "c"]

# (name, value, description for README). Descriptions are what a Rust test
# asserts after decoding.
VECTORS = []


def vector(name, obj, what):
    VECTORS.append((name, obj, what))


def build():
    # ---------------------------------------------------------------- BSTR
    vector("BSTR-Hello", bstr("Hello", 0x20000),
           "BSTR (unique pointer, referent 0x20000) to FLAGGED_WORD_BLOB "
           "cBytes=10, clSize=5, asData=\"Hello\" (UTF-16LE, no terminator)")
    vector("BSTR-empty", bstr("", 0x20000),
           "BSTR to an empty string: cBytes=0, clSize=0, asData=[]")
    null_bstr = bstr("", 0x20000)
    null_bstr["cBytes"] = 0xFFFFFFFF  # 2.2.23.2: a null transmitted BSTR
    vector("BSTR-null", null_bstr,
           "BSTR that is a null BSTR on the wire (2.2.23.2): non-null pointer, "
           "cBytes=0xFFFFFFFF, clSize=0, asData=[]")
    vector("FLAGGED_WORD_BLOB-Hello", bstr_blob("Hello"),
           "FLAGGED_WORD_BLOB cBytes=10, clSize=5, asData=\"Hello\"")

    # ------------------------------------------------------ _wireVARIANT
    vector("wireVARIANT-I4", wire_variant(VT.VT_I4, "lVal", 0x12345678),
           "vt=VT_I4 (3), clSize=5, rpcReserved=0, lVal=0x12345678 (305419896)")
    w = wire_variant(VT.VT_BSTR)
    w["_varUnion"]["bstrVal"]["asData"] = "Hello"
    set_referent(w["_varUnion"], "bstrVal", 0x20000)
    vector("wireVARIANT-BSTR", w,
           "vt=VT_BSTR (8), bstrVal=\"Hello\" (referent 0x20000, cBytes=10, clSize=5)")
    vector("wireVARIANT-BOOL", wire_variant(VT.VT_BOOL, "boolVal", VARIANT_TRUE),
           "vt=VT_BOOL (11), boolVal=VARIANT_TRUE (0xFFFF, i.e. -1 as VARIANT_BOOL)")
    vector("wireVARIANT-R8", wire_variant(VT.VT_R8, "dblVal", 1.5),
           "vt=VT_R8 (5), dblVal=1.5 (an 8-byte arm: 4 pad bytes after the discriminant)")
    vector("wireVARIANT-EMPTY", wire_variant(VT.VT_EMPTY),
           "vt=VT_EMPTY (0), no arm data")
    vector("wireVARIANT-NULL", wire_variant(VT.VT_NULL),
           "vt=VT_NULL (1), no arm data")
    w = wire_variant(VT_BYREF | 3, "plVal", -2)
    set_referent(w["_varUnion"], "plVal", 0x20000)
    vector("wireVARIANT-I4-BYREF", w,
           "vt=VT_I4|VT_BYREF (0x4003), plVal -> -2 (referent 0x20000)")

    # -------------------------------------------- VARIANT (pointer form)
    vector("VARIANT-I4", variant(VT.VT_I4, "lVal", 7, 0x20000),
           "VARIANT (unique pointer, referent 0x20000) to vt=VT_I4, lVal=7; the "
           "_wireVARIANT is 8-aligned, so 4 pad bytes follow the referent ID")

    # ------------------------------------------------------- DISPPARAMS
    dp = oaut.DISPPARAMS(None, False)
    dp["rgdispidNamedArgs"] = NULL
    dp["cArgs"] = 2
    dp["cNamedArgs"] = 0
    # rgvarg[0] is the last argument ([MS-OAUT] 3.1.4.4: arguments are in
    # reverse order); here rgvarg[0] = VT_I4 42, rgvarg[1] = VT_BSTR "Hi".
    a0 = variant(VT.VT_I4, "lVal", 42, 0x20004)
    a1 = variant(VT.VT_BSTR, None, None, 0x20008)
    a1["_varUnion"]["bstrVal"]["asData"] = "Hi"
    set_referent(a1["_varUnion"], "bstrVal", 0x2000C)
    dp["rgvarg"].append(a0)
    dp["rgvarg"].append(a1)
    set_referent(dp, "rgvarg", 0x20000)
    vector("DISPPARAMS-two-args", dp,
           "DISPPARAMS cArgs=2, cNamedArgs=0, rgdispidNamedArgs=NULL, "
           "rgvarg=[VT_I4 42, VT_BSTR \"Hi\"] (referents: rgvarg 0x20000, "
           "its VARIANTs 0x20004 and 0x20008, the BSTR 0x2000C)")
    dp0 = oaut.DISPPARAMS(None, False)
    dp0["rgvarg"] = NULL
    dp0["rgdispidNamedArgs"] = NULL
    dp0["cArgs"] = 0
    dp0["cNamedArgs"] = 0
    vector("DISPPARAMS-no-args", dp0,
           "DISPPARAMS cArgs=0, cNamedArgs=0, both arrays NULL")

    # -------------------------------------------------------- SAFEARRAY
    # A one-dimensional SAFEARRAY of VT_I4 {1, 2, 3}, lower bound 0.
    s = SpecSafeArrayStruct()
    fill_safearray(s, SF.SF_I4, 4, 3, 3, ("LongStr", spec_long_arr(LONGS, 0x20000)))
    vector("spec-wireSAFEARRAY-I4", s,
           "struct _wireSAFEARRAY: cDims=1, fFeatures=FADF_HAVEVARTYPE (0x80), "
           "cbElements=4, cLocks=0x00030000 (VT_I4 in the high word), "
           "sfType=SF_I4, LongStr.clSize=3, pData (referent 0x20000) -> [1, 2, 3], "
           "rgsabound=[{cElements=3, lLbound=0}]")
    s = oaut.SAFEARRAY()
    fill_safearray(s, SF.SF_I4, 4, 3, 3, ("LongStr", impacket_long_arr(LONGS)))
    vector("impacket-wireSAFEARRAY-I4", s,
           "impacket's bytes for the value of spec-wireSAFEARRAY-I4: pData written "
           "without a referent ID, its array (max count 3, then 1, 2, 3) in "
           "place before rgsabound. NOT the IDL's layout")

    # A one-dimensional SAFEARRAY of VT_BSTR {"ab", "c"}.
    # impacket's SAFEARR_BSTR has the IDL's pointers, so its own SAFEARRAY
    # class gives the IDL's bytes here.
    s = oaut.SAFEARRAY()
    fill_safearray(s, SF.SF_BSTR, 4, 8, 2, ("BstrStr", safearr_bstr(WORDS, 0x20000)))
    vector("wireSAFEARRAY-BSTR", s,
           "struct _wireSAFEARRAY: cDims=1, fFeatures=FADF_HAVEVARTYPE|FADF_BSTR "
           "(0x180), cbElements=4, cLocks=0x00080000, sfType=SF_BSTR, "
           "BstrStr.Size=2, aBstr (referent 0x20000) -> [\"ab\" (0x20004), "
           "\"c\" (0x20008)], rgsabound=[{cElements=2, lLbound=0}]")

    # VARIANTs holding those SAFEARRAYs: vt = VT_ARRAY|VT_I4, discriminant
    # VT_ARRAY (2.2.29.1; also what Windows sends).
    w = SpecWireVariant()
    variant_header(w, VT_ARRAY | 3)
    w["_varUnion"]["tag"] = VT_ARRAY
    sa = SpecSafeArray()
    fill_safearray(sa, SF.SF_I4, 4, 3, 3, ("LongStr", spec_long_arr(LONGS, 0x20008)))
    sa.fields["ReferentID"] = 0x20004
    # The PSAFEARRAY's referent is the SAFEARRAY pointer itself.
    w["_varUnion"].fields["parray"].fields["Data"] = sa
    set_referent(w["_varUnion"], "parray", 0x20000)
    vector("spec-wireVARIANT-ARRAY-I4", w,
           "vt=VT_ARRAY|VT_I4 (0x2003), discriminant VT_ARRAY (0x2000), parray: "
           "PSAFEARRAY (referent 0x20000) -> SAFEARRAY (0x20004) -> the "
           "spec-wireSAFEARRAY-I4 value with pData referent 0x20008")
    w = wire_variant(VT_ARRAY | 3, tag=VT_ARRAY)
    s = oaut.SAFEARRAY()
    fill_safearray(s, SF.SF_I4, 4, 3, 3, ("LongStr", impacket_long_arr(LONGS)))
    w["_varUnion"]["parray"] = s
    vector("impacket-wireVARIANT-ARRAY-I4", w,
           "impacket's bytes for the value of spec-wireVARIANT-ARRAY-I4: the "
           "SAFEARRAY in place after the discriminant with no PSAFEARRAY or "
           "SAFEARRAY referent IDs, laid out as impacket-wireSAFEARRAY-I4. NOT the IDL's layout")

    w = SpecWireVariant()
    variant_header(w, VT_ARRAY | 8)
    w["_varUnion"]["tag"] = VT_ARRAY
    sa = SpecSafeArray()
    fill_safearray(sa, SF.SF_BSTR, 4, 8, 2, ("BstrStr", safearr_bstr(WORDS, 0x20008)))
    sa.fields["ReferentID"] = 0x20004
    # The PSAFEARRAY's referent is the SAFEARRAY pointer itself.
    w["_varUnion"].fields["parray"].fields["Data"] = sa
    set_referent(w["_varUnion"], "parray", 0x20000)
    vector("spec-wireVARIANT-ARRAY-BSTR", w,
           "vt=VT_ARRAY|VT_BSTR (0x2008), discriminant VT_ARRAY, parray: "
           "PSAFEARRAY (0x20000) -> SAFEARRAY (0x20004) -> the wireSAFEARRAY-BSTR "
           "value with aBstr 0x20008 and its BSTRs 0x2000C, 0x20010")
    w = wire_variant(VT_ARRAY | 8, tag=VT_ARRAY)
    s = oaut.SAFEARRAY()
    fill_safearray(s, SF.SF_BSTR, 4, 8, 2, ("BstrStr", safearr_bstr(WORDS, 0x20000)))
    w["_varUnion"]["parray"] = s
    vector("impacket-wireVARIANT-ARRAY-BSTR", w,
           "impacket's bytes for the value of spec-wireVARIANT-ARRAY-BSTR: the "
           "SAFEARRAY in place with no PSAFEARRAY or SAFEARRAY referent IDs "
           "(aBstr 0x20000, BSTRs 0x20004, 0x20008). NOT the IDL's layout")


README_HEAD = """\
# OLE Automation ([MS-OAUT]) wire vectors

Written by `../make_oaut_vectors.py` from impacket's `dcom.oaut` classes; do
not edit by hand. Each `NAME.hex` is one value as a top-level NDR20 parameter
(little-endian, referent IDs 0x20000, +4, ... in the order they are written),
in lower-case hex on one line. The type to decode it as is the part of the
name before the first `-`, after any `spec-` or `impacket-` prefix:
`BSTR`, `VARIANT` (pointer typedefs: a referent ID, then the referent),
`FLAGGED_WORD_BLOB`, `wireVARIANT` (`struct _wireVARIANT`, typedef
`wireVARIANTStr`), `wireSAFEARRAY` (`struct _wireSAFEARRAY`), `DISPPARAMS`.
Padding bytes are impacket's markers where Windows writes zeros; in these
vectors only 0xAB (before an 8-aligned _wireVARIANT) and 0xBF (before an
8-byte union arm) occur.

* `spec-*` vectors follow Appendix A's IDL where impacket does not; they are
  made with impacket's NDR engine and this script's own classes.
* `impacket-*` vectors are impacket's real bytes for the same values. They do
  not follow the IDL (see the notes in each line); a reader that must accept
  impacket's SAFEARRAYs needs a compatibility path for them.
* All the others are impacket's own classes and follow the IDL.

| vector | value |
| --- | --- |
"""


README_TAIL = """
## impacket against [MS-OAUT]

Exercised by these vectors:

* A VT_ARRAY arm of a `_wireVARIANT` is a `PSAFEARRAY`: a unique pointer to a
  `SAFEARRAY`, itself a unique pointer to `struct _wireSAFEARRAY` (two
  referent IDs before the structure). impacket writes the structure in place
  with neither (`impacket-wireVARIANT-ARRAY-*`).
* `BYTE_`/`WORD_`/`DWORD_`/`HYPER_SIZEDARR.pData` is a unique pointer
  (2.2.30.8); its array follows the whole `_wireSAFEARRAY`, after
  `rgsabound`. impacket writes the array (max count and elements) in place of
  the pointer (`impacket-wireSAFEARRAY-I4`).
* `clSize` of a `_wireVARIANT` is its marshaled size in 8-byte units
  (2.2.29.1); impacket's own tools always send 5, which Windows accepts. A
  reader must not check it; a round trip must keep it.
* The discriminant of an array VARIANT is `vt & ~VT_TYPEMASK` (VT_ARRAY, or
  VT_ARRAY|VT_BYREF) while `vt` keeps the element type; impacket needs the
  caller to set it so, as this script does (Wine's oleaut32, which follows
  Windows, masks it the same way).
* Union arms are aligned to the chosen arm: VT_I4 right after the
  discriminant, VT_R8 after 4 pad bytes. impacket and Wine's oleaut32 agree;
  aligning every arm to the widest (8) would move VT_I4 by 4 bytes.

Not exercised, from reading impacket 0.13.1's `dcom/oaut.py`:

* the VT_ARRAY|VT_BYREF arm is one pointer (the IDL has three levels);
* the VT_UI1|VT_BYREF arm is a BYTE in place, not a pointer;
* `SAFEARR_UNKNOWN`, `_DISPATCH`, `_HAVEIID`, `_VARIANT` and `_BRECORD` write
  their arrays in place (the IDL has a [ref] pointer);
* `_wireBRECORD` has `fFlags` and `clSize` as 64-bit and `pRecInfo`,
  `pRecord` in place (the IDL: ULONGs and two pointers);
* 4-byte ([v1_enum]) enumerations are aligned to 2.
"""


def main():
    build()
    os.makedirs(OUT, exist_ok=True)
    rows = []
    for name, obj, what in VECTORS:
        data = marshal(obj)
        with open(os.path.join(OUT, name + ".hex"), "w") as f:
            f.write(data.hex() + "\n")
        cell = what.replace("|", "\\|")
        rows.append("| `%s` | %s (%d bytes) |" % (name, cell, len(data)))
        print(name, file=sys.stderr)
    with open(os.path.join(OUT, "README.md"), "w") as f:
        f.write(README_HEAD + "\n".join(rows) + "\n" + README_TAIL)


if __name__ == "__main__":
    main()
