#!/usr/bin/env python3
"""Writes NDR20 stub data of whole method requests and responses, built by
impacket (an independent encoder), to tests/vectors/impacket/NAME.hex, and
a manifest, vectors.json, that says for each one which IDL, interface and
method decode it and what its fields hold.

`msidl ndr decode [--idl FILE] INTERFACE.METHOD:in|out NAME.hex --hex`
should decode every vector whose manifest entry has "spec_conformant": true
and print the values under "fields". The few with "spec_conformant": false
are impacket's own classes where they disagree with the specification's
IDL; each says how, and a strict decoder should reject them (or report
trailing bytes).

Stub data only: no PDU header, no verification trailer. NDR20, little-
endian, ASCII, IEEE floats; impacket never writes NDR64 here.

The bytes are impacket's, including its choices a decoder must accept:

* Referent IDs are drawn by random.randint(1, 65535) when each pointer
  object is made. `random` is seeded with the vector's name before it is
  built, so every rerun writes the same bytes. Where impacket's own helper
  fixes the IDs (hept_map sets 1 and 2 because Windows 2003 wants them),
  the vector does the same.
* Alignment gaps are filled with non-zero bytes that say which impacket
  routine wrote them (0xAB call/structure, 0xAA pointer, 0xBF primitive,
  0xCE a call's array size, 0xEE/0xEF a structure's or pointee's array
  size, 0xCA/0xCB/0xDD inside arrays, 0xBB/0xBC/0xBD/0xBE unions, 0xCC a
  pointee). The manifest lists every gap ("padding": offset, length, byte):
  the script builds each vector a second time, in a child process, with
  impacket's NDR module patched (in memory) to pad with zeros, and compares.

The expected values ("fields") use the parameter and member names of the
IDL named by "idl"; "impacket_names" gives impacket's name where it differs.
Return values are "return_value". Conventions are in the manifest.

    python3 tests/vectors/impacket/make_vectors.py      # impacket==0.13.1
"""
import importlib.util
import json
import os
import random
import re
import struct
import subprocess
import sys
import types
import uuid as uuidlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
WINE = "/usr/include/wine/wine"
ZERO_PAD = os.environ.get("MAKE_VECTORS_ZERO_PAD") == "1"


def install_zero_padding_ndr():
    """Loads impacket's NDR module with every alignment gap filled with 0x00
    instead of its marker bytes; nothing else changes."""
    spec = importlib.util.find_spec("impacket.dcerpc.v5.ndr")
    with open(spec.origin) as f:
        src = f.read()
    src, n = re.subn(r"b'\\x[0-9a-fA-F]{2}'\s*\*\s*(pad0?)\b", r"b'\\x00'*\1", src)
    if n < 10:
        sys.exit("impacket's ndr.py changed: only %d padding expressions found" % n)
    mod = types.ModuleType(spec.name)
    mod.__file__ = spec.origin
    mod.__package__ = spec.parent
    sys.modules[spec.name] = mod
    exec(compile(src, spec.origin, "exec"), mod.__dict__)


if ZERO_PAD:
    install_zero_padding_ndr()

import impacket  # noqa: E402
from impacket.dcerpc.v5 import dcomrt, epm, ndr, samr, scmr  # noqa: E402
from impacket.dcerpc.v5.dcom import oaut  # noqa: E402
from impacket.dcerpc.v5.dtypes import NULL, RPC_UNICODE_STRING  # noqa: E402

try:
    from impacket import version as _impacket_version

    IMPACKET_VERSION = _impacket_version.version
except Exception:  # pragma: no cover
    IMPACKET_VERSION = "unknown"


# ------------------------------------------------------------------ helpers


def uuid_le(text):
    """A UUID in its NDR (little-endian fields) form."""
    return uuidlib.UUID(text).bytes_le


def ctx_handle(text, attributes=0):
    """The 20 wire bytes of a context handle: attributes, then the UUID."""
    return struct.pack("<L", attributes) + uuid_le(text)


def ctx_json(text, attributes=0):
    return {"attributes": attributes, "uuid": text}


NULL_HANDLE = "00000000-0000-0000-0000-000000000000"


def guid(text):
    g = dcomrt.GUID()
    g["Data"] = uuid_le(text)
    return g


def z(text):
    """impacket's [string] types want the terminator in the value."""
    return text + "\x00"


def set_referent(obj, field, referent):
    obj.fields[field].fields["ReferentID"] = referent


def rpc_unicode_json(text):
    n = len(text.encode("utf-16-le"))
    return {"Length": n, "MaximumLength": n, "Buffer": text}


def comversion(major=5, minor=7):
    v = dcomrt.COMVERSION()
    v["MajorVersion"] = major
    v["MinorVersion"] = minor
    return v


def orpcthis(cid):
    o = dcomrt.ORPCTHIS()
    o["version"] = comversion()
    o["flags"] = 0
    o["reserved1"] = 0
    o["cid"] = guid(cid)
    o["extensions"] = NULL
    return o


def orpcthis_json(cid):
    return {
        "version": {"MajorVersion": 5, "MinorVersion": 7},
        "flags": 0,
        "reserved1": 0,
        "cid": cid,
        "extensions": None,
    }


def orpcthat():
    o = dcomrt.ORPCTHAT()
    o["flags"] = 0
    o["extensions"] = NULL
    return o


ORPCTHAT_JSON = {"flags": 0, "extensions": None}


def hresult(value):
    """An HRESULT (a signed long) as the IDL reads it."""
    return value - (1 << 32) if value & 0x80000000 else value


# ------------------------------------------------------------------ towers

NDR20 = ("8a885d04-1ceb-11c9-9fe8-08002b104860", 2, 0)
SAMR_IF = ("12345778-1234-abcd-ef00-0123456789ac", 1, 0)


def tcp_tower(iface, port, ip):
    """An ncacn_ip_tcp tower ([C706] Appendix L), built with impacket's
    EPM floor classes."""
    interface = epm.EPMRPCInterface()
    interface["InterfaceUUID"] = uuid_le(iface[0])
    interface["MajorVersion"] = iface[1]
    interface["MinorVersion"] = iface[2]
    data_rep = epm.EPMRPCDataRepresentation()
    data_rep["DataRepUuid"] = uuid_le(NDR20[0])
    data_rep["MajorVersion"] = NDR20[1]
    data_rep["MinorVersion"] = NDR20[2]
    prot = epm.EPMProtocolIdentifier()
    prot["ProtIdentifier"] = 0x0B  # connection-oriented RPC v5
    port_floor = epm.EPMPortAddr()
    port_floor["IpPort"] = port
    host = epm.EPMHostAddr()
    host["Ip4addr"] = bytes(int(x) for x in ip.split("."))
    tower = epm.EPMTower()
    tower["NumberOfFloors"] = 5
    tower["Floors"] = (
        interface.getData() + data_rep.getData() + prot.getData() + port_floor.getData() + host.getData()
    )
    return tower.getData()


def np_tower(iface, pipe, host):
    interface = epm.EPMRPCInterface()
    interface["InterfaceUUID"] = uuid_le(iface[0])
    interface["MajorVersion"] = iface[1]
    interface["MinorVersion"] = iface[2]
    data_rep = epm.EPMRPCDataRepresentation()
    data_rep["DataRepUuid"] = uuid_le(NDR20[0])
    data_rep["MajorVersion"] = NDR20[1]
    data_rep["MinorVersion"] = NDR20[2]
    prot = epm.EPMProtocolIdentifier()
    prot["ProtIdentifier"] = 0x0B
    pipe_floor = epm.EPMPipeName()
    pipe_floor["PipeName"] = pipe.encode("ascii") + b"\x00"
    host_floor = epm.EPMHostName()
    host_floor["HostName"] = host.encode("ascii") + b"\x00"
    tower = epm.EPMTower()
    tower["NumberOfFloors"] = 5
    tower["Floors"] = (
        interface.getData() + data_rep.getData() + prot.getData() + pipe_floor.getData() + host_floor.getData()
    )
    return tower.getData()


def tcp_tower_json(iface, port, ip):
    return [
        {"protocol": 0x0D, "uuid": iface[0], "version": [iface[1], iface[2]]},
        {"protocol": 0x0D, "uuid": NDR20[0], "version": [NDR20[1], NDR20[2]]},
        {"protocol": 0x0B, "minor_version": 0},
        {"protocol": 0x07, "port": port},
        {"protocol": 0x09, "ip": ip},
    ]


def np_tower_json(iface, pipe, host):
    return [
        {"protocol": 0x0D, "uuid": iface[0], "version": [iface[1], iface[2]]},
        {"protocol": 0x0D, "uuid": NDR20[0], "version": [NDR20[1], NDR20[2]]},
        {"protocol": 0x0B, "minor_version": 0},
        {"protocol": 0x0F, "pipe": pipe},
        {"protocol": 0x11, "host": host},
    ]


def epm_handle(text, attributes=0):
    """impacket spells ept_lookup_handle_t out as its two members."""
    h = epm.ept_lookup_handle_t()
    h["context_handle_attributes"] = attributes
    h["context_handle_uuid"] = uuid_le(text)
    return h


def twr(tower_bytes):
    t = epm.twr_t()
    t["tower_length"] = len(tower_bytes)
    t["tower_octet_string"] = tower_bytes
    return t


def twr_json(tower_bytes, floors):
    return {
        "tower_length": len(tower_bytes),
        "tower_octet_string": tower_bytes.hex(),
        "_floors": floors,
    }


# ------------------------------------------------------------ DCOM strings


def dualstringarray(bindings, security):
    """A DUALSTRINGARRAY ([MS-DCOM] 2.2.19): string bindings, a 0, security
    bindings, a 0. Returns the impacket value and its JSON."""
    words = []
    for tower_id, addr in bindings:
        words += [tower_id] + [ord(c) for c in addr] + [0]
    words += [0]
    sec_offset = len(words)
    for authn, authz, princ in security:
        words += [authn, authz] + [ord(c) for c in princ] + [0]
    words += [0]
    d = dcomrt.DUALSTRINGARRAY()
    d["wNumEntries"] = len(words)
    d["wSecurityOffset"] = sec_offset
    d["aStringArray"] = words
    js = {
        "wNumEntries": len(words),
        "wSecurityOffset": sec_offset,
        "aStringArray": words,
        "_string_bindings": [{"wTowerId": t, "aNetworkAddr": a} for t, a in bindings],
        "_security_bindings": [{"wAuthnSvc": a, "Reserved": r, "aPrincName": p} for a, r, p in security],
    }
    return d, js


# ---------------------------------------------------------------- OAUT


def bstr_variant(text):
    v = oaut.VARIANT()
    v["clSize"] = 5  # what impacket's dcomexec sends; receivers ignore it
    v["rpcReserved"] = 0
    v["vt"] = oaut.VARENUM.VT_BSTR
    v["wReserved1"] = 0
    v["wReserved2"] = 0
    v["wReserved3"] = 0
    v["_varUnion"]["tag"] = oaut.VARENUM.VT_BSTR
    v["_varUnion"]["bstrVal"]["asData"] = text
    return v


def bstr_json(text):
    if text is None:
        return None
    return {"cBytes": 2 * len(text), "clSize": len(text), "asData": text}


def scalar_variant(vt, arm, value):
    v = oaut.VARIANT()
    v["clSize"] = 5
    v["rpcReserved"] = 0
    v["vt"] = vt
    v["wReserved1"] = 0
    v["wReserved2"] = 0
    v["wReserved3"] = 0
    v["_varUnion"]["tag"] = vt
    if arm is not None:
        v["_varUnion"][arm] = value
    return v


def variant_json(vt, arm, value):
    out = {
        "clSize": 5,
        "rpcReserved": 0,
        "vt": vt,
        "wReserved1": 0,
        "wReserved2": 0,
        "wReserved3": 0,
        "_varUnion": {} if arm is None else {arm: value},
    }
    return out


def bstr(text):
    b = oaut.BSTR()
    b["asData"] = text
    return b


# ------------------------------------------------------------- registry

VECTORS = []


def vector(name, **meta):
    def register(build):
        VECTORS.append((name, build, meta))
        return build

    return register


SVCCTL = WINE + "/svcctl.idl"
OAIDL = WINE + "/windows/oaidl.idl"

# Handles: the UUIDs are made up, non-zero, one per object.
H_SCM = "6f1a3c52-8d47-4e0b-9a2e-5c3b1d7e9f01"
H_SVC = "0c9e2b7a-41d3-4f6c-8e15-7a2d9b3c6e48"
H_SAM = "9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d"
H_DOM = "d4c3b2a1-f6e5-4b8a-9d0c-1e2f3a4b5c6d"
H_USR = "3e8d1f02-7c6b-4a59-b8e7-f6d5c4b3a291"
H_EPM = "57c1a9e3-0b2d-4f68-a1c3-e5d7f9b0a2c4"

DOMAIN_SID = "S-1-5-21-3623811015-3361044348-30300820"


def sid_json(text):
    parts = text.split("-")
    subs = [int(x) for x in parts[3:]]
    return {
        "Revision": int(parts[1]),
        "SubAuthorityCount": len(subs),
        "IdentifierAuthority": {"Value": [0, 0, 0, 0, 0, int(parts[2])]},
        "SubAuthority": subs,
    }


SID_NAMES = {"IdentifierAuthority": "IdentifierAuthority (a bare 6-byte array, no Value member)"}

# ================================================================= MS-SCMR
# Decoded with Wine's svcctl.idl: interface svcctl, methods svcctl_*, whose
# parameter names differ from [MS-SCMR]'s (given as "spec_names").

SCMR = dict(protocol="MS-SCMR", idl=SVCCTL, interface="svcctl", ndrdump_pipe="svcctl")


@vector(
    "scmr-ROpenSCManagerW-in",
    **SCMR,
    method="svcctl_OpenSCManagerW",
    spec_method="ROpenSCManagerW",
    opnum=15,
    direction="in",
    impacket_class="scmr.ROpenSCManagerW",
    impacket_names={"MachineName": "lpMachineName", "DatabaseName": "lpDatabaseName", "dwAccessMask": "dwDesiredAccess"},
    spec_names={"MachineName": "lpMachineName", "DatabaseName": "lpDatabaseName", "dwAccessMask": "dwDesiredAccess"},
    notes=["Both [unique, string] pointers non-null; the machine name has non-ASCII characters (U+00DC)."],
)
def _():
    r = scmr.ROpenSCManagerW()
    r["lpMachineName"] = z("\\\\SRV-MÜNCHEN")
    r["lpDatabaseName"] = z("ServicesActive")
    r["dwDesiredAccess"] = 0x000F003F  # SC_MANAGER_ALL_ACCESS
    return r, {"MachineName": "\\\\SRV-MÜNCHEN", "DatabaseName": "ServicesActive", "dwAccessMask": 0x000F003F}


@vector(
    "scmr-ROpenSCManagerW-in-null",
    **SCMR,
    method="svcctl_OpenSCManagerW",
    spec_method="ROpenSCManagerW",
    opnum=15,
    direction="in",
    impacket_class="scmr.ROpenSCManagerW",
    impacket_names={"MachineName": "lpMachineName", "DatabaseName": "lpDatabaseName", "dwAccessMask": "dwDesiredAccess"},
    spec_names={"MachineName": "lpMachineName", "DatabaseName": "lpDatabaseName", "dwAccessMask": "dwDesiredAccess"},
    notes=["Both [unique] pointers null: 12 bytes, two zero referent IDs and the access mask."],
)
def _():
    r = scmr.ROpenSCManagerW()
    r["lpMachineName"] = NULL
    r["lpDatabaseName"] = NULL
    r["dwDesiredAccess"] = 0x00000005  # SC_MANAGER_CONNECT | SC_MANAGER_ENUMERATE_SERVICE
    return r, {"MachineName": None, "DatabaseName": None, "dwAccessMask": 5}


@vector(
    "scmr-ROpenSCManagerW-out",
    **SCMR,
    method="svcctl_OpenSCManagerW",
    spec_method="ROpenSCManagerW",
    opnum=15,
    direction="out",
    impacket_class="scmr.ROpenSCManagerWResponse",
    impacket_names={"handle": "lpScHandle", "return_value": "ErrorCode"},
    spec_names={"handle": "lpScHandle"},
)
def _():
    r = scmr.ROpenSCManagerWResponse()
    r["lpScHandle"] = ctx_handle(H_SCM)
    r["ErrorCode"] = 0
    return r, {"handle": ctx_json(H_SCM), "return_value": 0}


@vector(
    "scmr-ROpenServiceW-in",
    **SCMR,
    method="svcctl_OpenServiceW",
    spec_method="ROpenServiceW",
    opnum=16,
    direction="in",
    impacket_class="scmr.ROpenServiceW",
    notes=["lpServiceName is a [ref, string] parameter: no referent ID, the conformant varying string in place. Non-ASCII name (U+00F6, U+00DF)."],
)
def _():
    r = scmr.ROpenServiceW()
    r["hSCManager"] = ctx_handle(H_SCM)
    r["lpServiceName"] = z("Dienst-Größe")
    r["dwDesiredAccess"] = 0x000F01FF  # SERVICE_ALL_ACCESS
    return r, {"hSCManager": ctx_json(H_SCM), "lpServiceName": "Dienst-Größe", "dwDesiredAccess": 0x000F01FF}


@vector(
    "scmr-ROpenServiceW-out",
    **SCMR,
    method="svcctl_OpenServiceW",
    spec_method="ROpenServiceW",
    opnum=16,
    direction="out",
    impacket_class="scmr.ROpenServiceWResponse",
    impacket_names={"phService": "lpServiceHandle", "return_value": "ErrorCode"},
    spec_names={"phService": "lpServiceHandle"},
)
def _():
    r = scmr.ROpenServiceWResponse()
    r["lpServiceHandle"] = ctx_handle(H_SVC)
    r["ErrorCode"] = 0
    return r, {"phService": ctx_json(H_SVC), "return_value": 0}


@vector(
    "scmr-RQueryServiceStatus-in",
    **SCMR,
    method="svcctl_QueryServiceStatus",
    spec_method="RQueryServiceStatus",
    opnum=6,
    direction="in",
    impacket_class="scmr.RQueryServiceStatus",
    impacket_names={"service": "hService"},
    spec_names={"service": "hService"},
)
def _():
    r = scmr.RQueryServiceStatus()
    r["hService"] = ctx_handle(H_SVC)
    return r, {"service": ctx_json(H_SVC)}


SERVICE_STATUS_RUNNING = {
    "dwServiceType": 0x10,  # SERVICE_WIN32_OWN_PROCESS
    "dwCurrentState": 4,  # SERVICE_RUNNING
    "dwControlsAccepted": 0x5,  # STOP | SHUTDOWN
    "dwWin32ExitCode": 0,
    "dwServiceSpecificExitCode": 0,
    "dwCheckPoint": 0,
    "dwWaitHint": 0,
}


def service_status(values):
    s = scmr.SERVICE_STATUS()
    for k, v in values.items():
        s[k] = v
    return s


@vector(
    "scmr-RQueryServiceStatus-out",
    **SCMR,
    method="svcctl_QueryServiceStatus",
    spec_method="RQueryServiceStatus",
    opnum=6,
    direction="out",
    impacket_class="scmr.RQueryServiceStatusResponse",
    impacket_names={"status": "lpServiceStatus", "return_value": "ErrorCode"},
    spec_names={"status": "lpServiceStatus"},
)
def _():
    r = scmr.RQueryServiceStatusResponse()
    r["lpServiceStatus"] = service_status(SERVICE_STATUS_RUNNING)
    r["ErrorCode"] = 0
    return r, {"status": dict(SERVICE_STATUS_RUNNING), "return_value": 0}


# The REnumServicesStatusW buffer ([MS-SCMR] 3.1.4.15): an array of
# ENUM_SERVICE_STATUSW whose two string pointers are 32-bit offsets from the
# buffer's start (Wine's struct enum_service_status), then the strings.
SERVICES = [
    ("Spooler", "Druckwarteschlange", dict(SERVICE_STATUS_RUNNING)),
    ("Dnscache", "DNS-Client", dict(SERVICE_STATUS_RUNNING, dwServiceType=0x20)),
    ("WSearch", "Windows Search (Überwachung)", dict(SERVICE_STATUS_RUNNING, dwCurrentState=1, dwControlsAccepted=0)),
]


def enum_services_buffer():
    fixed = 36 * len(SERVICES)
    strings = b""
    records = b""
    parsed = []
    for name, display, status in SERVICES:
        name_off = fixed + len(strings)
        strings += (name + "\x00").encode("utf-16-le")
        display_off = fixed + len(strings)
        strings += (display + "\x00").encode("utf-16-le")
        records += struct.pack("<LL", name_off, display_off)
        records += struct.pack(
            "<7L",
            *(
                status[k]
                for k in (
                    "dwServiceType",
                    "dwCurrentState",
                    "dwControlsAccepted",
                    "dwWin32ExitCode",
                    "dwServiceSpecificExitCode",
                    "dwCheckPoint",
                    "dwWaitHint",
                )
            ),
        )
        parsed.append(
            {
                "service_name": name_off,
                "display_name": display_off,
                "_service_name_text": name,
                "_display_name_text": display,
                "service_status": status,
            }
        )
    return records + strings, parsed


ENUM_BUF, ENUM_PARSED = enum_services_buffer()


@vector(
    "scmr-REnumServicesStatusW-in",
    **SCMR,
    method="svcctl_EnumServicesStatusW",
    spec_method="REnumServicesStatusW",
    opnum=14,
    direction="in",
    impacket_class="scmr.REnumServicesStatusW",
    impacket_names={"hmngr": "hSCManager", "type": "dwServiceType", "state": "dwServiceState", "size": "cbBufSize", "resume": "lpResumeIndex"},
    spec_names={"hmngr": "hSCManager", "type": "dwServiceType", "state": "dwServiceState", "size": "cbBufSize", "resume": "lpResumeIndex"},
    notes=["The [in, out, unique] resume index is non-null (value 0). size is the byte count the response's buffer will have."],
)
def _():
    r = scmr.REnumServicesStatusW()
    r["hSCManager"] = ctx_handle(H_SCM)
    r["dwServiceType"] = 0x30  # SERVICE_WIN32
    r["dwServiceState"] = 3  # SERVICE_STATE_ALL
    r["cbBufSize"] = len(ENUM_BUF)
    r["lpResumeIndex"] = 0
    return r, {"hmngr": ctx_json(H_SCM), "type": 0x30, "state": 3, "size": len(ENUM_BUF), "resume": 0}


@vector(
    "scmr-REnumServicesStatusW-out",
    **SCMR,
    method="svcctl_EnumServicesStatusW",
    spec_method="REnumServicesStatusW",
    opnum=14,
    direction="out",
    impacket_class="scmr.REnumServicesStatusWResponse",
    impacket_names={"buffer": "lpBuffer", "needed": "pcbBytesNeeded", "returned": "lpServicesReturned", "resume": "lpResumeIndex", "return_value": "ErrorCode"},
    spec_names={"buffer": "lpBuffer", "needed": "pcbBytesNeeded", "returned": "lpServicesReturned", "resume": "lpResumeIndex"},
    notes=[
        "buffer is [out, size_is(size)] BYTE*: the maximum count on the wire is the request's size (%d), all of it sent." % len(ENUM_BUF),
        "The buffer holds 3 ENUM_SERVICE_STATUSW records with offsets for pointers (Wine: struct enum_service_status), then the UTF-16 strings; '_buffer_decoded' is that reading, not NDR.",
    ],
)
def _():
    r = scmr.REnumServicesStatusWResponse()
    r["lpBuffer"] = list(ENUM_BUF)
    r["pcbBytesNeeded"] = 0
    r["lpServicesReturned"] = len(SERVICES)
    r["lpResumeIndex"] = 0
    r["ErrorCode"] = 0
    return r, {
        "buffer": ENUM_BUF.hex(),
        "_buffer_decoded": ENUM_PARSED,
        "needed": 0,
        "returned": len(SERVICES),
        "resume": 0,
        "return_value": 0,
    }


@vector(
    "scmr-RCloseServiceHandle-in",
    **SCMR,
    method="svcctl_CloseServiceHandle",
    spec_method="RCloseServiceHandle",
    opnum=0,
    direction="in",
    impacket_class="scmr.RCloseServiceHandle",
    impacket_names={"handle": "hSCObject"},
    spec_names={"handle": "hSCObject"},
)
def _():
    r = scmr.RCloseServiceHandle()
    r["hSCObject"] = ctx_handle(H_SVC)
    return r, {"handle": ctx_json(H_SVC)}


@vector(
    "scmr-RCloseServiceHandle-out",
    **SCMR,
    method="svcctl_CloseServiceHandle",
    spec_method="RCloseServiceHandle",
    opnum=0,
    direction="out",
    impacket_class="scmr.RCloseServiceHandleResponse",
    impacket_names={"handle": "hSCObject", "return_value": "ErrorCode"},
    spec_names={"handle": "hSCObject"},
    notes=["A closed context handle: 20 zero bytes."],
)
def _():
    r = scmr.RCloseServiceHandleResponse()
    r["hSCObject"] = ctx_handle(NULL_HANDLE)
    r["ErrorCode"] = 0
    return r, {"handle": ctx_json(NULL_HANDLE), "return_value": 0}


# ================================================================= MS-SAMR
# Decoded with the project's MS-SAMR IDL (being written; the script finds the
# file that declares the method). Names are [MS-SAMR]'s.

SAMR = dict(protocol="MS-SAMR", idl="project:ms-samr", interface="samr", ndrdump_pipe="samr")


@vector(
    "samr-SamrConnect-in",
    **SAMR,
    method="SamrConnect",
    opnum=0,
    direction="in",
    ndrdump_function="samr_Connect",
    impacket_class="samr.SamrConnect",
    notes=[
        "ServerName is [in, unique] PSAMPR_SERVER_NAME ([MS-SAMR] 3.1.5.1.4; 2.2.7.1 typedefs it [handle] wchar_t*, and SamrConnect, unlike SamrConnect2/4/5, has no [string]): a referent ID, then ONE wchar_t, the first character of the server name. impacket's class PSAMPR_SERVER_NAME2 gives the pointee as '4s': the wchar_t (0x005C) plus the 2 bytes of alignment before DesiredAccess, which it therefore writes as zero data, not as 0xAB/0xBF padding.",
    ],
)
def _():
    r = samr.SamrConnect()
    r["ServerName"] = b"\\\x00\x00\x00"
    r["DesiredAccess"] = 0x00000031  # SAM_SERVER_CONNECT | LOOKUP_DOMAIN | ENUMERATE_DOMAINS
    return r, {"ServerName": 0x5C, "DesiredAccess": 0x31}


@vector(
    "samr-SamrConnect5-in",
    **SAMR,
    method="SamrConnect5",
    opnum=64,
    direction="in",
    ndrdump_function="samr_Connect5",
    impacket_class="samr.SamrConnect5",
    notes=["InRevisionInfo is a non-encapsulated union, [switch_is(InVersion)]; its discriminant (unsigned long) is on the wire before the arm."],
)
def _():
    r = samr.SamrConnect5()
    r["ServerName"] = z("\\\\DC-ÅRHUS")
    r["DesiredAccess"] = 0x02000000  # MAXIMUM_ALLOWED
    r["InVersion"] = 1
    r["InRevisionInfo"]["tag"] = 1
    r["InRevisionInfo"]["V1"]["Revision"] = 3
    r["InRevisionInfo"]["V1"]["SupportedFeatures"] = 0
    return r, {
        "ServerName": "\\\\DC-ÅRHUS",
        "DesiredAccess": 0x02000000,
        "InVersion": 1,
        "InRevisionInfo": {"V1": {"Revision": 3, "SupportedFeatures": 0}},
    }


@vector(
    "samr-SamrConnect5-out",
    **SAMR,
    method="SamrConnect5",
    opnum=64,
    direction="out",
    ndrdump_function="samr_Connect5",
    impacket_class="samr.SamrConnect5Response",
    impacket_names={"return_value": "ErrorCode"},
)
def _():
    r = samr.SamrConnect5Response()
    r["OutVersion"] = 1
    r["OutRevisionInfo"]["tag"] = 1
    r["OutRevisionInfo"]["V1"]["Revision"] = 3
    r["OutRevisionInfo"]["V1"]["SupportedFeatures"] = 0x10
    r["ServerHandle"] = ctx_handle(H_SAM)
    r["ErrorCode"] = 0
    return r, {
        "OutVersion": 1,
        "OutRevisionInfo": {"V1": {"Revision": 3, "SupportedFeatures": 0x10}},
        "ServerHandle": ctx_json(H_SAM),
        "return_value": 0,
    }


@vector(
    "samr-SamrLookupDomainInSamServer-in",
    **SAMR,
    method="SamrLookupDomainInSamServer",
    opnum=5,
    direction="in",
    ndrdump_function="samr_LookupDomain",
    impacket_class="samr.SamrLookupDomainInSamServer",
    impacket_names={"Name.Buffer": "Name.Data"},
    notes=["Name is an RPC_UNICODE_STRING in place; its Buffer is a unique pointer to a conformant varying array (no terminator: Length = MaximumLength = 2 * characters)."],
)
def _():
    r = samr.SamrLookupDomainInSamServer()
    r["ServerHandle"] = ctx_handle(H_SAM)
    r["Name"] = "ÉQUIPE-NORD"
    return r, {"ServerHandle": ctx_json(H_SAM), "Name": rpc_unicode_json("ÉQUIPE-NORD")}


@vector(
    "samr-SamrLookupDomainInSamServer-in-nonbmp-impacket",
    **SAMR,
    method="SamrLookupDomainInSamServer",
    opnum=5,
    direction="in",
    ndrdump_function="samr_LookupDomain",
    impacket_class="samr.SamrLookupDomainInSamServer",
    impacket_names={"Name.Buffer": "Name.Data"},
    spec_conformant=False,
    notes=[
        "NOT as specified: a name with a character outside the BMP (U+1F600, a surrogate pair). impacket's RPC_UNICODE_STRING sets Length = MaximumLength = 2 * len(Python str) = 6 (code points), but writes the 4 UTF-16 code units: [size_is(MaximumLength/2), length_is(Length/2)] says 3, the wire's maximum and actual counts say 4. Samba's ndrdump rejects it (Bad Array Size); a strict decoder should too. fields shows the values as written.",
    ],
)
def _():
    r = samr.SamrLookupDomainInSamServer()
    r["ServerHandle"] = ctx_handle(H_SAM)
    r["Name"] = "D\U0001F600M"
    return r, {
        "ServerHandle": ctx_json(H_SAM),
        "Name": {"Length": 6, "MaximumLength": 6, "Buffer": "D\U0001F600M", "_wire_counts": {"max": 4, "offset": 0, "actual": 4}},
    }


@vector(
    "samr-SamrLookupDomainInSamServer-out",
    **SAMR,
    method="SamrLookupDomainInSamServer",
    opnum=5,
    direction="out",
    ndrdump_function="samr_LookupDomain",
    impacket_class="samr.SamrLookupDomainInSamServerResponse",
    impacket_names={"DomainId.IdentifierAuthority.Value": "DomainId.IdentifierAuthority", "return_value": "ErrorCode"},
    notes=["DomainId is [out] PRPC_SID*: a referent ID, then the conformant RPC_SID with its maximum count first."],
)
def _():
    r = samr.SamrLookupDomainInSamServerResponse()
    r["DomainId"].fromCanonical(DOMAIN_SID)
    r["ErrorCode"] = 0
    return r, {"DomainId": sid_json(DOMAIN_SID), "return_value": 0}


@vector(
    "samr-SamrOpenDomain-in",
    **SAMR,
    method="SamrOpenDomain",
    opnum=7,
    direction="in",
    ndrdump_function="samr_OpenDomain",
    impacket_class="samr.SamrOpenDomain",
    impacket_names={"DomainId.IdentifierAuthority.Value": "DomainId.IdentifierAuthority"},
    notes=["DomainId is a [ref] top-level PRPC_SID: no referent ID; the RPC_SID's maximum count comes first."],
)
def _():
    r = samr.SamrOpenDomain()
    r["ServerHandle"] = ctx_handle(H_SAM)
    r["DesiredAccess"] = 0x00000305  # DOMAIN_LOOKUP | LIST_ACCOUNTS | READ_OTHER_PARAMETERS | READ_PASSWORD_PARAMETERS
    r["DomainId"].fromCanonical(DOMAIN_SID)
    return r, {"ServerHandle": ctx_json(H_SAM), "DesiredAccess": 0x305, "DomainId": sid_json(DOMAIN_SID)}


@vector(
    "samr-SamrOpenDomain-out",
    **SAMR,
    method="SamrOpenDomain",
    opnum=7,
    direction="out",
    ndrdump_function="samr_OpenDomain",
    impacket_class="samr.SamrOpenDomainResponse",
    impacket_names={"return_value": "ErrorCode"},
)
def _():
    r = samr.SamrOpenDomainResponse()
    r["DomainHandle"] = ctx_handle(H_DOM)
    r["ErrorCode"] = 0
    return r, {"DomainHandle": ctx_json(H_DOM), "return_value": 0}


@vector(
    "samr-SamrEnumerateUsersInDomain-in",
    **SAMR,
    method="SamrEnumerateUsersInDomain",
    opnum=13,
    direction="in",
    ndrdump_function="samr_EnumDomainUsers",
    impacket_class="samr.SamrEnumerateUsersInDomain",
    notes=["impacket orders the fields EnumerationContext, UserAccountControl, PreferedMaximumLength, as the spec does."],
)
def _():
    r = samr.SamrEnumerateUsersInDomain()
    r["DomainHandle"] = ctx_handle(H_DOM)
    r["EnumerationContext"] = 0
    r["UserAccountControl"] = 0x10  # USER_NORMAL_ACCOUNT
    r["PreferedMaximumLength"] = 0xFFFFFFFF
    return r, {
        "DomainHandle": ctx_json(H_DOM),
        "EnumerationContext": 0,
        "UserAccountControl": 0x10,
        "PreferedMaximumLength": 0xFFFFFFFF,
    }


USERS = [(500, "Administrator"), (501, "Gast"), (1105, "Jürgen.Müller")]


@vector(
    "samr-SamrEnumerateUsersInDomain-out",
    **SAMR,
    method="SamrEnumerateUsersInDomain",
    opnum=13,
    direction="out",
    ndrdump_function="samr_EnumDomainUsers",
    impacket_class="samr.SamrEnumerateUsersInDomainResponse",
    impacket_names={"Buffer.Buffer[].Name.Buffer": "Buffer.Buffer[].Name.Data", "return_value": "ErrorCode"},
    notes=[
        "Buffer is [out] PSAMPR_ENUMERATION_BUFFER*: a referent ID, then SAMPR_ENUMERATION_BUFFER {EntriesRead, unique pointer}, then the array (maximum count 3), then each Name's characters, depth first.",
    ],
)
def _():
    r = samr.SamrEnumerateUsersInDomainResponse()
    r["EnumerationContext"] = 3
    r["Buffer"]["EntriesRead"] = len(USERS)
    for rid, name in USERS:
        e = samr.SAMPR_RID_ENUMERATION()
        e["RelativeId"] = rid
        e["Name"] = name
        r["Buffer"]["Buffer"].append(e)
    r["CountReturned"] = len(USERS)
    r["ErrorCode"] = 0
    return r, {
        "EnumerationContext": 3,
        "Buffer": {
            "EntriesRead": len(USERS),
            "Buffer": [{"RelativeId": rid, "Name": rpc_unicode_json(name)} for rid, name in USERS],
        },
        "CountReturned": len(USERS),
        "return_value": 0,
    }


@vector(
    "samr-SamrCreateUser2InDomain-in",
    **SAMR,
    method="SamrCreateUser2InDomain",
    opnum=50,
    direction="in",
    ndrdump_function="samr_CreateUser2",
    impacket_class="samr.SamrCreateUser2InDomain",
    impacket_names={"Name.Buffer": "Name.Data"},
    notes=["Name mixes Latin (U+00EB) and Cyrillic characters."],
)
def _():
    r = samr.SamrCreateUser2InDomain()
    r["DomainHandle"] = ctx_handle(H_DOM)
    r["Name"] = "zoë.дмитриева"
    r["AccountType"] = 0x10  # USER_NORMAL_ACCOUNT
    r["DesiredAccess"] = 0x000F07FF  # USER_ALL_ACCESS
    return r, {
        "DomainHandle": ctx_json(H_DOM),
        "Name": rpc_unicode_json("zoë.дмитриева"),
        "AccountType": 0x10,
        "DesiredAccess": 0x000F07FF,
    }


@vector(
    "samr-SamrCreateUser2InDomain-out",
    **SAMR,
    method="SamrCreateUser2InDomain",
    opnum=50,
    direction="out",
    ndrdump_function="samr_CreateUser2",
    impacket_class="samr.SamrCreateUser2InDomainResponse",
    impacket_names={"return_value": "ErrorCode"},
)
def _():
    r = samr.SamrCreateUser2InDomainResponse()
    r["UserHandle"] = ctx_handle(H_USR)
    r["GrantedAccess"] = 0x000F07FF
    r["RelativeId"] = 1106
    r["ErrorCode"] = 0
    return r, {"UserHandle": ctx_json(H_USR), "GrantedAccess": 0x000F07FF, "RelativeId": 1106, "return_value": 0}


@vector(
    "samr-SamrOpenUser-in",
    **SAMR,
    method="SamrOpenUser",
    opnum=34,
    direction="in",
    ndrdump_function="samr_OpenUser",
    impacket_class="samr.SamrOpenUser",
)
def _():
    r = samr.SamrOpenUser()
    r["DomainHandle"] = ctx_handle(H_DOM)
    r["DesiredAccess"] = 0x02000000
    r["UserId"] = 1106
    return r, {"DomainHandle": ctx_json(H_DOM), "DesiredAccess": 0x02000000, "UserId": 1106}


@vector(
    "samr-SamrOpenUser-out",
    **SAMR,
    method="SamrOpenUser",
    opnum=34,
    direction="out",
    ndrdump_function="samr_OpenUser",
    impacket_class="samr.SamrOpenUserResponse",
    impacket_names={"return_value": "ErrorCode"},
)
def _():
    r = samr.SamrOpenUserResponse()
    r["UserHandle"] = ctx_handle(H_USR)
    r["ErrorCode"] = 0
    return r, {"UserHandle": ctx_json(H_USR), "return_value": 0}


@vector(
    "samr-SamrDeleteUser-in",
    **SAMR,
    method="SamrDeleteUser",
    opnum=35,
    direction="in",
    ndrdump_function="samr_DeleteUser",
    impacket_class="samr.SamrDeleteUser",
)
def _():
    r = samr.SamrDeleteUser()
    r["UserHandle"] = ctx_handle(H_USR)
    return r, {"UserHandle": ctx_json(H_USR)}


@vector(
    "samr-SamrDeleteUser-out",
    **SAMR,
    method="SamrDeleteUser",
    opnum=35,
    direction="out",
    ndrdump_function="samr_DeleteUser",
    impacket_class="samr.SamrDeleteUserResponse",
    impacket_names={"return_value": "ErrorCode"},
    notes=["The [in, out] handle comes back zeroed."],
)
def _():
    r = samr.SamrDeleteUserResponse()
    r["UserHandle"] = ctx_handle(NULL_HANDLE)
    r["ErrorCode"] = 0
    return r, {"UserHandle": ctx_json(NULL_HANDLE), "return_value": 0}


class SamrCloseHandleAsSpecified(ndr.NDRCALL):
    """[MS-SAMR] 3.1.5.13.1: SamrCloseHandle([in, out] SAMPR_HANDLE*
    SamHandle) has one parameter; impacket's class adds a DesiredAccess."""

    opnum = 1
    structure = (("SamHandle", samr.SAMPR_HANDLE),)


@vector(
    "samr-SamrCloseHandle-in",
    **SAMR,
    method="SamrCloseHandle",
    opnum=1,
    direction="in",
    ndrdump_function="samr_Close",
    impacket_class="make_vectors.SamrCloseHandleAsSpecified (impacket's SAMPR_HANDLE in an NDRCALL with the spec's one parameter)",
    notes=["impacket's own samr.SamrCloseHandle writes 4 more bytes (see samr-SamrCloseHandle-in-impacket)."],
)
def _():
    r = SamrCloseHandleAsSpecified()
    r["SamHandle"] = ctx_handle(H_USR)
    return r, {"SamHandle": ctx_json(H_USR)}


@vector(
    "samr-SamrCloseHandle-in-impacket",
    **SAMR,
    method="SamrCloseHandle",
    opnum=1,
    direction="in",
    ndrdump_function="samr_Close",
    impacket_class="samr.SamrCloseHandle",
    spec_conformant=False,
    trailing_bytes=4,
    notes=[
        "NOT as specified: impacket's SamrCloseHandle has a second field ('DesiredAccess', LONG) that [MS-SAMR] 3.1.5.13.1 does not have, so 4 zero bytes follow the handle. Windows ignores them; a strict decoder reports 4 trailing bytes. fields lists what the spec reads.",
    ],
)
def _():
    r = samr.SamrCloseHandle()
    r["SamHandle"] = ctx_handle(H_USR)
    r["DesiredAccess"] = 0  # hSamrCloseHandle leaves it 0
    return r, {"SamHandle": ctx_json(H_USR)}


@vector(
    "samr-SamrCloseHandle-out",
    **SAMR,
    method="SamrCloseHandle",
    opnum=1,
    direction="out",
    ndrdump_function="samr_Close",
    impacket_class="samr.SamrCloseHandleResponse",
    impacket_names={"return_value": "ErrorCode"},
)
def _():
    r = samr.SamrCloseHandleResponse()
    r["SamHandle"] = ctx_handle(NULL_HANDLE)
    r["ErrorCode"] = 0
    return r, {"SamHandle": ctx_json(NULL_HANDLE), "return_value": 0}


# ============================================================ MS-RPCE / EPM
# Decoded with the project's ms-rpce-epm.idl (codegen/idl/): interface epm, [C706]
# names (impacket uses [MS-RPCE] 2.2.1.2's: obj, Ifid, ITowers).

EPM = dict(protocol="MS-RPCE/C706 endpoint mapper", idl="project:epm", interface="epm", ndrdump_pipe="epmapper")

MAP_QUERY = tcp_tower(SAMR_IF, 0, "0.0.0.0")
MAP_REPLY = tcp_tower(SAMR_IF, 49664, "10.0.0.5")
LOOKUP_NP = np_tower(SAMR_IF, "\\PIPE\\lsass", "\\\\DC01")


@vector(
    "epm-ept_map-in",
    **EPM,
    method="ept_map",
    opnum=3,
    direction="in",
    ndrdump_function="epm_Map",
    impacket_class="epm.ept_map",
    impacket_names={"object": "obj"},
    notes=[
        "As impacket's hept_map sends it: object is a non-null full pointer (referent ID 1) to the nil UUID, map_tower has referent ID 2; a 75-byte ncacn_ip_tcp tower for SAMR 1.0 with port 0 and address 0.0.0.0.",
    ],
)
def _():
    r = epm.ept_map()
    r["obj"] = guid(NULL_HANDLE)
    set_referent(r, "obj", 1)
    r["map_tower"]["tower_length"] = len(MAP_QUERY)
    r["map_tower"]["tower_octet_string"] = MAP_QUERY
    set_referent(r, "map_tower", 2)
    r["entry_handle"] = epm_handle(NULL_HANDLE)
    r["max_towers"] = 4
    return r, {
        "object": NULL_HANDLE,
        "map_tower": twr_json(MAP_QUERY, tcp_tower_json(SAMR_IF, 0, "0.0.0.0")),
        "entry_handle": ctx_json(NULL_HANDLE),
        "max_towers": 4,
    }


@vector(
    "epm-ept_map-out",
    **EPM,
    method="ept_map",
    opnum=3,
    direction="out",
    ndrdump_function="epm_Map",
    impacket_class="epm.ept_mapResponse",
    impacket_names={"towers": "ITowers"},
    notes=[
        "towers is [out, length_is(*num_towers), size_is(max_towers)]: maximum count 4 (the request's max_towers), offset 0, actual count 1, then one referent ID and the tower. impacket would write maximum count = actual count unless told; the vector sets it to 4 as Windows does.",
        "No return value: ept_map is void; status is an [out] parameter.",
    ],
)
def _():
    r = epm.ept_mapResponse()
    r["entry_handle"] = epm_handle(NULL_HANDLE)
    r["num_towers"] = 1
    p = epm.twr_p_t()
    p["Data"] = twr(MAP_REPLY)
    r["ITowers"].append(p)
    r.fields["ITowers"].fields["MaximumCount"] = 4
    r["status"] = 0
    return r, {
        "entry_handle": ctx_json(NULL_HANDLE),
        "num_towers": 1,
        "towers": [twr_json(MAP_REPLY, tcp_tower_json(SAMR_IF, 49664, "10.0.0.5"))],
        "_towers_max_count": 4,
        "status": 0,
    }


@vector(
    "epm-ept_lookup-in",
    **EPM,
    method="ept_lookup",
    opnum=2,
    direction="in",
    ndrdump_function="epm_Lookup",
    impacket_class="epm.ept_lookup",
    impacket_names={"interface_id": "Ifid", "interface_id.uuid": "Ifid.Uuid", "interface_id.vers_major": "Ifid.VersMajor", "interface_id.vers_minor": "Ifid.VersMinor"},
    notes=["object is a null full pointer, interface_id a non-null one (SAMR 1.0)."],
)
def _():
    r = epm.ept_lookup()
    r["inquiry_type"] = epm.RPC_C_EP_MATCH_BY_IF
    r["object"] = NULL
    r["Ifid"]["Uuid"] = uuid_le(SAMR_IF[0])
    r["Ifid"]["VersMajor"] = SAMR_IF[1]
    r["Ifid"]["VersMinor"] = SAMR_IF[2]
    r["vers_option"] = epm.RPC_C_VERS_COMPATIBLE
    r["entry_handle"] = epm_handle(NULL_HANDLE)
    r["max_ents"] = 500
    return r, {
        "inquiry_type": 1,
        "object": None,
        "interface_id": {"uuid": SAMR_IF[0], "vers_major": 1, "vers_minor": 0},
        "vers_option": 2,
        "entry_handle": ctx_json(NULL_HANDLE),
        "max_ents": 500,
    }


LOOKUP_ENTRIES = [
    (NULL_HANDLE, MAP_REPLY, tcp_tower_json(SAMR_IF, 49664, "10.0.0.5"), ""),
    (NULL_HANDLE, LOOKUP_NP, np_tower_json(SAMR_IF, "\\PIPE\\lsass", "\\\\DC01"), "SAM access"),
]


@vector(
    "epm-ept_lookup-out",
    **EPM,
    method="ept_lookup",
    opnum=2,
    direction="out",
    ndrdump_function="epm_Lookup",
    impacket_class="epm.ept_lookupResponse",
    notes=[
        "entries is [out, length_is(*num_ents), size_is(max_ents)]: maximum count 500 (the request's max_ents), actual count 2.",
        "Each ept_entry_t: object, a full pointer to the tower (deferred until after both entries), and annotation, a [string] char[64]: a varying array (offset, actual count including the NUL) with no maximum count. The first annotation is empty (count 1).",
        "The handle is non-zero: the server has more entries.",
    ],
)
def _():
    r = epm.ept_lookupResponse()
    r["entry_handle"] = epm_handle(H_EPM)
    r["num_ents"] = len(LOOKUP_ENTRIES)
    for obj, tower, _floors, note in LOOKUP_ENTRIES:
        e = epm.ept_entry_t()
        e["object"] = uuid_le(obj)
        e["tower"]["tower_length"] = len(tower)
        e["tower"]["tower_octet_string"] = tower
        e["annotation"] = list(note.encode("ascii") + b"\x00")
        r["entries"].append(e)
    r.fields["entries"].fields["MaximumCount"] = 500
    r["status"] = 0
    return r, {
        "entry_handle": ctx_json(H_EPM),
        "num_ents": len(LOOKUP_ENTRIES),
        "entries": [
            {"object": obj, "tower": twr_json(tower, floors), "annotation": note}
            for obj, tower, floors, note in LOOKUP_ENTRIES
        ],
        "_entries_max_count": 500,
        "status": 0,
    }


# ================================================================= MS-DCOM
# Decoded with the project's ms-dcom.idl (codegen/idl/). IRemUnknown is an [object]
# interface: ORPCTHIS comes before the first [in] parameter and ORPCTHAT
# before the first [out] one, named here orpcthis and orpcthat.

DCOM = dict(protocol="MS-DCOM", idl="project:ms-dcom")

OXID = 0x8B3C6E4D2A197F50
IPID_REMUNK = "0000d404-0c24-0000-5e7a-49f3c1d2b6a8"
CID = "7d3f0a12-5b6c-4e8d-9f01-a2b3c4d5e6f7"
IID_IDISPATCH = "00020400-0000-0000-c000-000000000046"
IID_IUNKNOWN = "00000000-0000-0000-c000-000000000046"
IID_NULL = NULL_HANDLE


@vector(
    "dcom-ServerAlive2-out",
    **DCOM,
    interface="IObjectExporter",
    method="ServerAlive2",
    opnum=5,
    direction="out",
    ndrdump_pipe="IOXIDResolver",
    ndrdump_function="ServerAlive2",
    impacket_class="dcomrt.ServerAlive2Response",
    impacket_names={"return_value": "ErrorCode"},
    notes=[
        "pReserved is [out, ref] DWORD* ([MS-DCOM] 3.1.2.5.1.6): a plain DWORD. impacket declares it LPLONG (a pointer); set to NULL it writes 4 zero bytes, the same as the DWORD 0 the spec wants.",
        "Two string bindings (ncacn_ip_tcp host name and address) and two security bindings (NTLM and Kerberos, the second with a principal name).",
    ],
)
def _():
    d, js = dualstringarray(
        [(0x07, "WIN-SRV01"), (0x07, "10.0.0.5")],
        [(0x0A, 0xFFFF, ""), (0x10, 0xFFFF, "host/win-srv01")],
    )
    r = dcomrt.ServerAlive2Response()
    r["pComVersion"] = comversion()
    r["ppdsaOrBindings"] = d
    r["pReserved"] = NULL
    r["ErrorCode"] = 0
    return r, {
        "pComVersion": {"MajorVersion": 5, "MinorVersion": 7},
        "ppdsaOrBindings": js,
        "pReserved": 0,
        "return_value": 0,
    }


@vector(
    "dcom-ResolveOxid2-in",
    **DCOM,
    interface="IObjectExporter",
    method="ResolveOxid2",
    opnum=4,
    direction="in",
    ndrdump_pipe="IOXIDResolver",
    ndrdump_function="ResolveOxid2",
    impacket_class="dcomrt.ResolveOxid2",
    notes=["arRequestedProtseqs is a [ref] conformant array of unsigned short: 2 bytes of padding after cRequestedProtseqs, then the maximum count."],
)
def _():
    r = dcomrt.ResolveOxid2()
    r["pOxid"] = OXID
    r["cRequestedProtseqs"] = 2
    r["arRequestedProtseqs"] = [0x07, 0x0F]
    return r, {"pOxid": OXID, "cRequestedProtseqs": 2, "arRequestedProtseqs": [7, 15]}


@vector(
    "dcom-ResolveOxid2-out",
    **DCOM,
    interface="IObjectExporter",
    method="ResolveOxid2",
    opnum=4,
    direction="out",
    ndrdump_pipe="IOXIDResolver",
    ndrdump_function="ResolveOxid2",
    impacket_class="dcomrt.ResolveOxid2Response",
    impacket_names={"return_value": "ErrorCode"},
)
def _():
    d, js = dualstringarray([(0x07, "10.0.0.5[49702]")], [(0x0A, 0xFFFF, "")])
    r = dcomrt.ResolveOxid2Response()
    r["ppdsaOxidBindings"] = d
    r["pipidRemUnknown"] = guid(IPID_REMUNK)
    r["pAuthnHint"] = 2  # RPC_C_AUTHN_LEVEL_CONNECT
    r["pComVersion"] = comversion()
    r["ErrorCode"] = 0
    return r, {
        "ppdsaOxidBindings": js,
        "pipidRemUnknown": IPID_REMUNK,
        "pAuthnHint": 2,
        "pComVersion": {"MajorVersion": 5, "MinorVersion": 7},
        "return_value": 0,
    }


@vector(
    "dcom-RemQueryInterface-in",
    **DCOM,
    interface="IRemUnknown",
    method="RemQueryInterface",
    opnum=3,
    direction="in",
    ndrdump_pipe="IRemUnknown",
    ndrdump_function="RemQueryInterface",
    impacket_class="dcomrt.RemQueryInterface",
    impacket_names={"orpcthis": "ORPCthis"},
)
def _():
    r = dcomrt.RemQueryInterface()
    r["ORPCthis"] = orpcthis(CID)
    r["ripid"] = guid(IPID_REMUNK)
    r["cRefs"] = 5
    r["cIids"] = 2
    r["iids"] = [guid(IID_IDISPATCH), guid(IID_IUNKNOWN)]
    return r, {
        "orpcthis": orpcthis_json(CID),
        "ripid": IPID_REMUNK,
        "cRefs": 5,
        "cIids": 2,
        "iids": [IID_IDISPATCH, IID_IUNKNOWN],
    }


IPID_DISP = "00009c08-0c24-0000-1f2e-3d4c5b6a7988"
QI_RESULTS = [
    (0, {"flags": 0, "cPublicRefs": 5, "oxid": OXID, "oid": 0x4F7E2D1C3B5A6978, "ipid": IPID_DISP}),
    (0x80004002, {"flags": 0, "cPublicRefs": 0, "oxid": 0, "oid": 0, "ipid": NULL_HANDLE}),  # E_NOINTERFACE
]


def remqiresult(hr, std):
    q = dcomrt.REMQIRESULT()
    q["hResult"] = hresult(hr)
    s = dcomrt.STDOBJREF()
    s["flags"] = std["flags"]
    s["cPublicRefs"] = std["cPublicRefs"]
    s["oxid"] = std["oxid"]
    s["oid"] = std["oid"]
    s["ipid"] = guid(std["ipid"])
    q["std"] = s
    return q


class REMQIRESULT_ARRAY(ndr.NDRUniConformantArray):
    item = dcomrt.REMQIRESULT


class PREMQIRESULT_ARRAY(ndr.NDRPOINTER):
    referent = (("Data", REMQIRESULT_ARRAY),)


class RemQueryInterfaceResponseAsSpecified(dcomrt.DCOMANSWER):
    """[MS-DCOM] 3.1.1.5.6.1.1: [out, size_is(,cIids)] PREMQIRESULT*
    ppQIResults is a pointer to a conformant ARRAY of REMQIRESULT; impacket's
    PREMQIRESULT points at one REMQIRESULT, without the maximum count."""

    structure = (
        ("ppQIResults", PREMQIRESULT_ARRAY),
        ("ErrorCode", dcomrt.error_status_t),
    )


@vector(
    "dcom-RemQueryInterface-out",
    **DCOM,
    interface="IRemUnknown",
    method="RemQueryInterface",
    opnum=3,
    direction="out",
    ndrdump_pipe="IRemUnknown",
    ndrdump_function="RemQueryInterface",
    impacket_class="make_vectors.RemQueryInterfaceResponseAsSpecified (impacket's DCOMANSWER, REMQIRESULT and array/pointer base classes)",
    impacket_names={"orpcthat": "ORPCthat", "return_value": "ErrorCode"},
    notes=[
        "Two results: IDispatch found (S_OK, a STDOBJREF), IUnknown refused (E_NOINTERFACE, zeros). ppQIResults: referent ID, maximum count 2, then the REMQIRESULTs, 8-aligned (STDOBJREF has hypers).",
        "impacket's own RemQueryInterfaceResponse cannot write this: see dcom-RemQueryInterface-out-impacket.",
    ],
)
def _():
    r = RemQueryInterfaceResponseAsSpecified()
    r["ORPCthat"] = orpcthat()
    for hr, std in QI_RESULTS:
        r["ppQIResults"].append(remqiresult(hr, std))
    r["ErrorCode"] = 0
    return r, {
        "orpcthat": ORPCTHAT_JSON,
        "ppQIResults": [{"hResult": hresult(hr), "std": std} for hr, std in QI_RESULTS],
        "return_value": 0,
    }


@vector(
    "dcom-RemQueryInterface-out-impacket",
    **DCOM,
    interface="IRemUnknown",
    method="RemQueryInterface",
    opnum=3,
    direction="out",
    ndrdump_pipe="IRemUnknown",
    ndrdump_function="RemQueryInterface",
    impacket_class="dcomrt.RemQueryInterfaceResponse",
    impacket_names={"orpcthat": "ORPCthat", "return_value": "ErrorCode"},
    spec_conformant=False,
    notes=[
        "NOT as specified: impacket's PREMQIRESULT points at a single REMQIRESULT, so there is no maximum count after the referent ID; impacket's 8-byte alignment of the REMQIRESULT puts 4 bytes of 0xAB padding exactly where the spec's maximum count would be. Reading impacket's bytes by the spec gives a maximum count of 0xABABABAB. (impacket still reads Windows' replies, because the same gap swallows the real count.)",
        "fields shows what impacket meant (one result).",
    ],
)
def _():
    r = dcomrt.RemQueryInterfaceResponse()
    r["ORPCthat"] = orpcthat()
    hr, std = QI_RESULTS[0]
    r["ppQIResults"] = remqiresult(hr, std)
    r["ErrorCode"] = 0
    return r, {
        "orpcthat": ORPCTHAT_JSON,
        "ppQIResults": [{"hResult": hresult(hr), "std": std}],
        "return_value": 0,
    }


# =================================================================== MS-OAUT
# IDispatch. Decoded with the project's MS-OAUT IDL (being written; the script
# finds the file), names per [MS-OAUT] 3.1.4. Wine's oaidl.idl declares the
# same wire form as [call_as(Invoke)] RemoteInvoke, with two differences a
# decoder must know (see "wine" in each entry).

OAUT = dict(protocol="MS-OAUT", idl="project:ms-oaut", interface="IDispatch", ndrdump_pipe="IDispatch")

WINE_OAUT_NOTE = (
    "Wine's oaidl.idl: VARIANT is [wire_marshal(wireVARIANT)], wireVARIANT a [unique] pointer to struct _wireVARIANT "
    "whose union is [switch_is(vt)] without [switch_type(ULONG)] - read literally, a 2-byte discriminant, so 2- and "
    "1-byte arms (VT_BOOL, VT_I2, VT_UI1) land 2 bytes early; [MS-OAUT] 2.2.29.1 has switch_type(ULONG). "
    "FLAGGED_WORD_BLOB's first member is fFlags in Wine, cBytes in [MS-OAUT] 2.2.23.1."
)


@vector(
    "oaut-GetIDsOfNames-in",
    **OAUT,
    method="GetIDsOfNames",
    opnum=5,
    direction="in",
    ndrdump_function="GetIDsOfNames",
    impacket_class="oaut.IDispatch_GetIDsOfNames",
    impacket_names={"orpcthis": "ORPCthis"},
    wine={"idl": OAIDL, "interface": "IDispatch", "method": "GetIDsOfNames"},
    notes=[
        "riid is REFIID (IID_NULL), inline. rgszNames: maximum count 2, two unique referent IDs, then two conformant varying strings; the second name is non-ASCII (U+00F6, U+00DF).",
    ],
)
def _():
    r = oaut.IDispatch_GetIDsOfNames()
    r["ORPCthis"] = orpcthis(CID)
    r["riid"] = uuid_le(IID_NULL)
    for name in ("ExecuteShellCommand", "Größe"):
        p = oaut.LPOLESTR()
        p["Data"] = z(name)
        r["rgszNames"].append(p)
    r["cNames"] = 2
    r["lcid"] = 0x409
    return r, {
        "orpcthis": orpcthis_json(CID),
        "riid": IID_NULL,
        "rgszNames": ["ExecuteShellCommand", "Größe"],
        "cNames": 2,
        "lcid": 0x409,
    }


@vector(
    "oaut-GetIDsOfNames-out",
    **OAUT,
    method="GetIDsOfNames",
    opnum=5,
    direction="out",
    ndrdump_function="GetIDsOfNames",
    impacket_class="oaut.IDispatch_GetIDsOfNamesResponse",
    impacket_names={"orpcthat": "ORPCthat", "return_value": "ErrorCode"},
    wine={"idl": OAIDL, "interface": "IDispatch", "method": "GetIDsOfNames"},
    notes=[
        "The second name is unknown: DISPID_UNKNOWN (-1) and DISP_E_UNKNOWNNAME (0x80020006). impacket's DISPID_ARRAY items are unsigned ('<L'), so -1 is given as 0xFFFFFFFF; DISPID is a LONG.",
    ],
)
def _():
    r = oaut.IDispatch_GetIDsOfNamesResponse()
    r["ORPCthat"] = orpcthat()
    r["rgDispId"] = [0x60020000, 0xFFFFFFFF]
    r["ErrorCode"] = 0x80020006
    return r, {"orpcthat": ORPCTHAT_JSON, "rgDispId": [0x60020000, -1], "return_value": hresult(0x80020006)}


INVOKE_ARGS = [  # rgvarg is in reverse order: the last argument first
    ("bool", oaut.VARENUM.VT_BOOL, "boolVal", 0xFFFF, -1),
    ("i4", oaut.VARENUM.VT_I4, "lVal", 42, 42),
    ("bstr", oaut.VARENUM.VT_BSTR, "bstrVal", "Größe ✓ テスト", None),
]


@vector(
    "oaut-Invoke-in",
    **OAUT,
    method="Invoke",
    opnum=6,
    direction="in",
    ndrdump_function="Invoke",
    impacket_class="oaut.IDispatch_Invoke",
    impacket_names={"orpcthis": "ORPCthis"},
    wine={"idl": OAIDL, "interface": "IDispatch", "method": "RemoteInvoke"},
    notes=[
        "DISPPARAMS with three VARIANTs: VT_BOOL (VARIANT_TRUE), VT_I4 42, VT_BSTR with BMP non-ASCII text; rgdispidNamedArgs null; cVarRef 0 so rgVarRefIdx and rgVarRef are empty conformant arrays (maximum count 0 each).",
        "clSize is 5 in every VARIANT, as impacket's dcomexec sends it ([MS-OAUT] 2.2.29.1: the size in 8-byte units; receivers ignore it).",
        WINE_OAUT_NOTE,
    ],
)
def _():
    r = oaut.IDispatch_Invoke()
    r["ORPCthis"] = orpcthis(CID)
    r["dispIdMember"] = 0x60020000
    r["riid"] = uuid_le(IID_NULL)
    r["lcid"] = 0x409
    r["dwFlags"] = 1  # DISPATCH_METHOD
    params = oaut.DISPPARAMS(None, False)
    js_args = []
    for _kind, vt, arm, value, jvalue in INVOKE_ARGS:
        if vt == oaut.VARENUM.VT_BSTR:
            params["rgvarg"].append(bstr_variant(value))
            js_args.append(variant_json(vt, arm, bstr_json(value)))
        else:
            params["rgvarg"].append(scalar_variant(vt, arm, value))
            js_args.append(variant_json(vt, arm, jvalue))
    params["rgdispidNamedArgs"] = NULL
    params["cArgs"] = len(INVOKE_ARGS)
    params["cNamedArgs"] = 0
    r["pDispParams"] = params
    r["cVarRef"] = 0
    r["rgVarRefIdx"] = []
    r["rgVarRef"] = []
    return r, {
        "orpcthis": orpcthis_json(CID),
        "dispIdMember": 0x60020000,
        "riid": IID_NULL,
        "lcid": 0x409,
        "dwFlags": 1,
        "pDispParams": {"rgvarg": js_args, "rgdispidNamedArgs": None, "cArgs": 3, "cNamedArgs": 0},
        "cVarRef": 0,
        "rgVarRefIdx": [],
        "rgVarRef": [],
    }


class IDispatch_InvokeResponseAsSpecified(dcomrt.DCOMANSWER):
    """[MS-OAUT] 3.1.4.4: rgVarRef is [in, out]; impacket's response class
    leaves it out, so its bytes lack the array's maximum count."""

    structure = (
        ("pVarResult", oaut.VARIANT),
        ("pExcepInfo", oaut.EXCEPINFO),
        ("pArgErr", oaut.UINT),
        ("rgVarRef", oaut.VARIANT_ARRAY),
        ("ErrorCode", oaut.error_status_t),
    )


def excepinfo(source=None, description=None, scode=0):
    e = oaut.EXCEPINFO()
    e["wCode"] = 0
    e["wReserved"] = 0
    e["bstrSource"] = bstr(source) if source is not None else NULL
    e["bstrDescription"] = bstr(description) if description is not None else NULL
    e["bstrHelpFile"] = NULL
    e["dwHelpContext"] = 0
    e["pvReserved"] = 0
    e["pfnDeferredFillIn"] = 0
    e["scode"] = hresult(scode)
    return e


def excepinfo_json(source=None, description=None, scode=0):
    return {
        "wCode": 0,
        "wReserved": 0,
        "bstrSource": bstr_json(source),
        "bstrDescription": bstr_json(description),
        "bstrHelpFile": None,
        "dwHelpContext": 0,
        "pvReserved": 0,
        "pfnDeferredFillIn": 0,
        "scode": hresult(scode),
    }


INVOKE_OUT_NOTE = (
    "Built with IDispatch_InvokeResponseAsSpecified: impacket's IDispatch_InvokeResponse has no rgVarRef, which "
    "[MS-OAUT] 3.1.4.4 makes [in, out, size_is(cVarRef)]; with cVarRef 0 that is a maximum count of 0 before the "
    "HRESULT. impacket's class would end 4 bytes early (and when reading Windows' reply it takes that 0 for the HRESULT)."
)


@vector(
    "oaut-Invoke-out",
    **OAUT,
    method="Invoke",
    opnum=6,
    direction="out",
    ndrdump_function="Invoke",
    impacket_class="make_vectors.IDispatch_InvokeResponseAsSpecified (impacket's VARIANT, EXCEPINFO, VARIANT_ARRAY)",
    impacket_names={"orpcthat": "ORPCthat", "return_value": "ErrorCode"},
    wine={"idl": OAIDL, "interface": "IDispatch", "method": "RemoteInvoke"},
    notes=[
        "pVarResult: a VT_BSTR VARIANT (referent ID, wireVARIANT, then the BSTR's FLAGGED_WORD_BLOB). EXCEPINFO with three null BSTRs.",
        INVOKE_OUT_NOTE,
        WINE_OAUT_NOTE,
    ],
)
def _():
    r = IDispatch_InvokeResponseAsSpecified()
    r["ORPCthat"] = orpcthat()
    r["pVarResult"] = bstr_variant("Ergebnis: 42 ✓")
    r["pExcepInfo"] = excepinfo()
    r["pArgErr"] = 0
    r["rgVarRef"] = []
    r["ErrorCode"] = 0
    return r, {
        "orpcthat": ORPCTHAT_JSON,
        "pVarResult": variant_json(oaut.VARENUM.VT_BSTR, "bstrVal", bstr_json("Ergebnis: 42 ✓")),
        "pExcepInfo": excepinfo_json(),
        "pArgErr": 0,
        "rgVarRef": [],
        "return_value": 0,
    }


@vector(
    "oaut-Invoke-out-exception",
    **OAUT,
    method="Invoke",
    opnum=6,
    direction="out",
    ndrdump_function="Invoke",
    impacket_class="make_vectors.IDispatch_InvokeResponseAsSpecified (impacket's VARIANT, EXCEPINFO, VARIANT_ARRAY)",
    impacket_names={"orpcthat": "ORPCthat", "return_value": "ErrorCode"},
    wine={"idl": OAIDL, "interface": "IDispatch", "method": "RemoteInvoke"},
    notes=[
        "DISP_E_EXCEPTION: pVarResult VT_EMPTY (no arm), EXCEPINFO with two non-null BSTRs (non-ASCII) and one null, scode 0x800A000D, pArgErr 1.",
        "A null BSTR is a null unique pointer here (impacket); [MS-OAUT] 2.2.23.1 also describes a NULL BSTR as a present FLAGGED_WORD_BLOB with cBytes 0xFFFFFFFF, which Windows' marshaller may send instead: a decoder should take both.",
        "The first referent ID happens to be 1 (the seeded draw).",
        INVOKE_OUT_NOTE,
    ],
)
def _():
    source = "Laufzeitfehler in Microsoft VBScript"
    description = "Typen unverträglich: 'Größe'"
    r = IDispatch_InvokeResponseAsSpecified()
    r["ORPCthat"] = orpcthat()
    r["pVarResult"] = scalar_variant(oaut.VARENUM.VT_EMPTY, None, None)
    r["pExcepInfo"] = excepinfo(source, description, 0x800A000D)
    r["pArgErr"] = 1
    r["rgVarRef"] = []
    r["ErrorCode"] = 0x80020009
    return r, {
        "orpcthat": ORPCTHAT_JSON,
        "pVarResult": variant_json(oaut.VARENUM.VT_EMPTY, None, None),
        "pExcepInfo": excepinfo_json(source, description, 0x800A000D),
        "pArgErr": 1,
        "rgVarRef": [],
        "return_value": hresult(0x80020009),
    }


# ------------------------------------------------------------------ output


def referent_ids(obj, out=None):
    """The non-zero referent IDs in impacket's object tree, in field order
    (close to, not always exactly, wire order)."""
    if out is None:
        out = []
    if isinstance(obj, ndr.NDRPOINTER):
        rid = obj.fields.get("ReferentID", 0)
        if rid:
            out.append(rid)
    if isinstance(obj, ndr.NDR):
        names = [n for n, _ in obj.commonHdr + obj.structure + getattr(obj, "referent", ())]
        for n in names:
            referent_ids(obj.fields.get(n), out)
    elif isinstance(obj, list):
        for x in obj:
            referent_ids(x, out)
    return out


def build_all():
    built = []
    for name, build, meta in VECTORS:
        random.seed("msrpc impacket vector " + name)
        obj, fields = build()
        data = obj.getData()
        built.append((name, meta, obj, fields, data))
    return built


IDL_DIRS = ["codegen/idl", "idl", "examples/idl"]


def interface_blocks(text):
    """(name, body) of each interface definition in IDL TEXT."""
    text = re.sub(r"/\*.*?\*/", lambda m: " " * len(m.group(0)), text, flags=re.S)
    text = re.sub(r"//[^\n]*", lambda m: " " * len(m.group(0)), text)
    for m in re.finditer(r"(?m)^[ \t]*interface[ \t]+(\w+)[ \t]*(?::[ \t]*\w+)?\s*\{", text):
        depth, i = 1, m.end()
        while i < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        yield m.group(1), text[m.end() : i]


def find_project_idl(method, interface_hint):
    """The project IDL file (path relative to the repository) that declares
    METHOD, preferably in interface INTERFACE_HINT, and that interface's
    name; None if no file does yet."""
    seen = set()
    fallback = None
    for d in IDL_DIRS:
        full = os.path.join(ROOT, d)
        if not os.path.isdir(full):
            continue
        for fn in sorted(os.listdir(full)):
            path = os.path.join(full, fn)
            if not fn.endswith(".idl") or os.path.realpath(path) in seen:
                continue
            seen.add(os.path.realpath(path))
            with open(path, encoding="utf-8", errors="replace") as f:
                text = f.read()
            for name, body in interface_blocks(text):
                if not re.search(r"\b%s\s*\(" % re.escape(method), body):
                    continue
                if interface_hint is None or name == interface_hint:
                    return os.path.join(d, fn), name
                fallback = fallback or (os.path.join(d, fn), name)
    return fallback


def padding_map(real, zeroed):
    gaps = []
    for i, (a, b) in enumerate(zip(real, zeroed)):
        if a == b:
            continue
        assert b == 0, "byte %d differs but is not padding" % i
        if gaps and gaps[-1]["offset"] + gaps[-1]["length"] == i and gaps[-1]["byte"] == "%02x" % a:
            gaps[-1]["length"] += 1
        else:
            gaps.append({"offset": i, "length": 1, "byte": "%02x" % a})
    return gaps


CONVENTIONS = {
    "integers": "JSON numbers, read as the IDL type (signed types, HRESULT and DISPID included, may be negative)",
    "uuid": "canonical lowercase text; on the wire in NDR (little-endian fields) form",
    "context_handle": "{attributes, uuid}: the 20 wire bytes",
    "pointer": "null for a null pointer; otherwise the pointee's value (referent IDs are in referent_ids, not in fields)",
    "string": "[string] wide or narrow strings: the text without its terminator (impacket counts the terminator in max/actual count, as NDR wants)",
    "RPC_UNICODE_STRING": "{Length, MaximumLength, Buffer}; Buffer's text has no terminator",
    "byte_array": "lowercase hex",
    "union": "{arm_name: value}; the discriminant is the sibling or parameter named by switch_is",
    "underscore_keys": "keys starting with _ are readings for people (tower floors, string bindings, offsets decoded), not NDR members",
}


def idl_entry(meta):
    idl = meta["idl"]
    method = meta["method"]
    if idl.startswith("project:"):
        found = find_project_idl(method, meta["interface"])
        if found:
            return {"idl": found[0], "interface": found[1], "idl_present": True}
        return {
            "idl": None,
            "interface": meta["interface"],
            "idl_present": False,
            "idl_expected": "the project's %s IDL (not in idl/ or examples/idl/ when this ran)" % idl.split(":", 1)[1],
        }
    path = idl if os.path.isabs(idl) else os.path.join(ROOT, idl)
    return {"idl": idl, "interface": meta["interface"], "idl_present": os.path.exists(path)}


def main():
    built = build_all()
    if "--dump-hex" in sys.argv:
        json.dump({name: data.hex() for name, _m, _o, _f, data in built}, sys.stdout)
        return
    env = dict(os.environ, MAKE_VECTORS_ZERO_PAD="1")
    child = subprocess.run(
        [sys.executable, os.path.abspath(__file__), "--dump-hex"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    zeroed = {k: bytes.fromhex(v) for k, v in json.loads(child.stdout).items()}

    entries = []
    for name, meta, obj, fields, data in built:
        z_data = zeroed[name]
        assert len(z_data) == len(data), name
        pads = padding_map(data, z_data)
        with open(os.path.join(HERE, name + ".hex"), "w") as f:
            f.write(data.hex() + "\n")
        where = idl_entry(meta)
        entry = {
            "name": name,
            "file": name + ".hex",
            "protocol": meta["protocol"],
            "interface": where["interface"],
            "method": meta["method"],
            "direction": meta["direction"],
            "opnum": meta["opnum"],
            "idl": where["idl"],
            "idl_present": where["idl_present"],
        }
        if "idl_expected" in where:
            entry["idl_expected"] = where["idl_expected"]
        entry["decode"] = "%s.%s:%s" % (where["interface"], meta["method"], meta["direction"])
        if "spec_method" in meta:
            entry["spec_method"] = meta["spec_method"]
        if "spec_names" in meta:
            entry["spec_names"] = meta["spec_names"]
        if "spec_method" in meta:
            spec = find_project_idl(meta["spec_method"], None)
            if spec:
                entry["also_project_idl"] = {"idl": spec[0], "interface": spec[1], "method": meta["spec_method"]}
        if "wine" in meta:
            entry["also_wine_idl"] = meta["wine"]
        entry["impacket_class"] = meta["impacket_class"]
        entry["impacket_names"] = meta.get("impacket_names", {})
        entry["spec_conformant"] = meta.get("spec_conformant", True)
        if "trailing_bytes" in meta:
            entry["trailing_bytes"] = meta["trailing_bytes"]
        entry["length"] = len(data)
        entry["fields"] = fields
        entry["referent_ids"] = referent_ids(obj)
        entry["padding"] = pads
        entry["ndrdump"] = {
            "pipe": meta.get("ndrdump_pipe"),
            "function": meta.get("ndrdump_function", meta["method"]),
            "direction": meta["direction"],
        }
        entry["notes"] = meta.get("notes", [])
        entries.append(entry)
        print("%-42s %5d bytes, %d gaps" % (name, len(data), len(pads)), file=sys.stderr)

    manifest = {
        "generator": "tests/vectors/impacket/make_vectors.py",
        "impacket": IMPACKET_VERSION,
        "transfer_syntax": "NDR 2.0 (8a885d04-1ceb-11c9-9fe8-08002b104860 v2), little-endian, ASCII, IEEE; stub data only",
        "conventions": CONVENTIONS,
        "vectors": entries,
    }
    with open(os.path.join(HERE, "vectors.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
