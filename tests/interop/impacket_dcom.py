#!/usr/bin/env python3
"""impacket's DCOM client against an msrpc DCOM server (the calculator of
examples/), at authentication level NONE, for tests/interop.rs.

    impacket_dcom.py HOST PORT

Prints "ok STEP" for each step that gave the right answer, and exits
non-zero at the first that did not. The ICalculator calls are declared
here with impacket's own DCOMCALL/DCOMANSWER classes.
"""
import sys

from impacket import uuid as iuuid
from impacket.dcerpc.v5 import transport
from impacket.dcerpc.v5.dcomrt import (
    DCERPCSessionError,  # noqa: F401  impacket looks it up in this module
    DCOMANSWER,
    DCOMCALL,
    DCOMConnection,
    IObjectExporter,
    IRemUnknown2,
)
from impacket.dcerpc.v5.dtypes import LONG, LPWSTR, LONGLONG, ULONG, WSTR
from impacket.dcerpc.v5.ndr import NDRUniConformantArray
from impacket.dcerpc.v5.rpcrt import RPC_C_AUTHN_LEVEL_NONE

CLSID_CALCULATOR = iuuid.string_to_bin("85911500-e978-4cc4-918c-e829b5e25e13")
IID_ICALCULATOR = iuuid.uuidtup_to_bin(("ac40e92e-1925-45a0-9f3e-95874a35497b", "0.0"))
IID_ISTATISTICS = iuuid.uuidtup_to_bin(("4ad0854a-2d31-4792-8391-82b4953a257a", "0.0"))
HRESULT = LONG


class LONG_ARRAY(NDRUniConformantArray):
    item = LONG


class Add(DCOMCALL):
    opnum = 3
    structure = (("a", LONG), ("b", LONG))


class AddResponse(DCOMANSWER):
    structure = (("sum", LONG), ("ErrorCode", HRESULT))


class Concat(DCOMCALL):
    opnum = 4
    structure = (("left", WSTR), ("right", WSTR))


class ConcatResponse(DCOMANSWER):
    structure = (("joined", LPWSTR), ("ErrorCode", HRESULT))


class Sum(DCOMCALL):
    opnum = 5
    structure = (("count", ULONG), ("values", LONG_ARRAY))


class SumResponse(DCOMANSWER):
    structure = (("total", LONGLONG), ("ErrorCode", HRESULT))


class Count(DCOMCALL):
    opnum = 3
    structure = ()


class CountResponse(DCOMANSWER):
    structure = (("calls", ULONG), ("ErrorCode", HRESULT))


class Object(IRemUnknown2):
    def __init__(self, interface, iid):
        IRemUnknown2.__init__(self, interface)
        self._iid = iid

    def call(self, req):
        return self.request(req, iid=self._iid, uuid=self.get_iPid())


def longs(values):
    out = []
    for v in values:
        x = LONG()
        x["Data"] = v
        out.append(x)
    return out


def check(what, got, want):
    if got != want:
        raise SystemExit(f"{what}: got {got!r}, want {want!r}")
    print(f"ok {what}", flush=True)


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    # DCOMConnection always dials port 135 first; point it at ours.
    defaults = transport.TCPTransport.__init__.__defaults__
    transport.TCPTransport.__init__.__defaults__ = (port,)
    try:
        dcom = DCOMConnection(host, authLevel=RPC_C_AUTHN_LEVEL_NONE, oxidResolver=True)
    finally:
        transport.TCPTransport.__init__.__defaults__ = defaults
    try:
        exporter = IObjectExporter(dcom.get_dce_rpc())
        bindings = exporter.ServerAlive2()
        check("ServerAlive2", any(host in b["aNetworkAddr"] for b in bindings), True)

        unk = dcom.CoCreateInstanceEx(CLSID_CALCULATOR, IID_ICALCULATOR)
        print("ok CoCreateInstanceEx", flush=True)
        calc = Object(unk, IID_ICALCULATOR)

        check("Add", calc.call(add(2, 3))["sum"], 5)
        r = calc.call(concat("foo", "bar"))
        check("Concat", r["joined"], "foobar\x00")
        check("Sum", calc.call(sums([1, 2, 3, 4]))["total"], 10)

        stats = Object(unk.RemQueryInterface(1, (IID_ISTATISTICS,)), IID_ISTATISTICS)
        print("ok RemQueryInterface", flush=True)
        check("Count", stats.call(Count())["calls"], 3)

        setid = exporter.ComplexPing(0, 0, [unk.get_oid()], [])["pSetId"]
        check("ComplexPing", setid != 0, True)
        exporter.SimplePing(setid)
        print("ok SimplePing", flush=True)

        stats.RemRelease()
        print("ok RemRelease", flush=True)
        # The calculator is still alive through its other references.
        check("Add after RemRelease", calc.call(add(20, 22))["sum"], 42)
    finally:
        dcom.disconnect()


def add(a, b):
    r = Add()
    r["a"], r["b"] = a, b
    return r


def concat(left, right):
    r = Concat()
    r["left"], r["right"] = left + "\x00", right + "\x00"
    return r


def sums(values):
    r = Sum()
    r["count"] = len(values)
    r["values"] = longs(values)
    return r


if __name__ == "__main__":
    main()
