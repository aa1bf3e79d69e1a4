#!/usr/bin/env python3
"""tests/fixtures/rpc_test.idl's interface, declared with impacket's own NDR
classes, for tests/interop.rs.

    impacket_rpc.py call HOST PORT   bind to an msrpc server and call it
    impacket_rpc.py stubs            print the request stub data impacket
                                     builds for fixed calls, as JSON hex

impacket is an independent DCE/RPC implementation, tested for years against
Windows: its client binding to our server, and its bytes matching our
client's, check both sides of our wire format.
"""
import json
import sys

from impacket.dcerpc.v5 import transport
from impacket.dcerpc.v5.dtypes import LPWSTR, NULL, WSTR
from impacket.dcerpc.v5.ndr import (
    NDRCALL,
    NDRHYPER,
    NDRLONG,
    NDRPOINTER,
    NDRSTRUCT,
    NDRULONG,
    NDRUniConformantArray,
)
from impacket.dcerpc.v5.rpcrt import DCERPCException
from impacket.uuid import uuidtup_to_bin

ITESTRPC = uuidtup_to_bin(("6f5ac3c4-3a0b-4c0e-9d2d-1b8f3b1c7e01", "1.0"))


class LONG_ARRAY(NDRUniConformantArray):
    item = NDRLONG


class BYTE_ARRAY(NDRUniConformantArray):
    item = "c"


class PBYTE_ARRAY(NDRPOINTER):
    referent = (("Data", BYTE_ARRAY),)


class BUFFER(NDRSTRUCT):
    structure = (("length", NDRULONG), ("data", PBYTE_ARRAY))


class ITEM(NDRSTRUCT):
    structure = (("id", NDRLONG), ("name", LPWSTR))


class PITEM(NDRPOINTER):
    referent = (("Data", ITEM),)


class ITEM_ARRAY(NDRUniConformantArray):
    item = ITEM


class PLONG(NDRPOINTER):
    referent = (("Data", NDRLONG),)


class Add(NDRCALL):
    opnum = 0
    structure = (("a", NDRLONG), ("b", NDRLONG))


class AddResponse(NDRCALL):
    structure = (("sum", NDRLONG), ("ErrorCode", NDRLONG))


class Greet(NDRCALL):
    opnum = 1
    structure = (("name", WSTR),)


class GreetResponse(NDRCALL):
    structure = (("greeting", LPWSTR), ("ErrorCode", NDRLONG))


class Sum(NDRCALL):
    opnum = 2
    structure = (("count", NDRULONG), ("values", LONG_ARRAY))


class SumResponse(NDRCALL):
    structure = (("total", NDRHYPER), ("ErrorCode", NDRLONG))


class Echo(NDRCALL):
    opnum = 3
    structure = (("request", BUFFER),)


class EchoResponse(NDRCALL):
    structure = (("reply", BUFFER), ("ErrorCode", NDRLONG))


class Find(NDRCALL):
    opnum = 4
    structure = (("hint", PITEM), ("count", NDRULONG), ("items", ITEM_ARRAY))


class FindResponse(NDRCALL):
    structure = (("found", ITEM), ("ErrorCode", NDRLONG))


class Bump(NDRCALL):
    opnum = 5
    structure = (("counter", NDRLONG), ("maybe", PLONG))


class BumpResponse(NDRCALL):
    structure = (("counter", NDRLONG), ("maybe", PLONG))


def referent(parent, field, rid):
    parent.fields[field].fields["ReferentID"] = rid


def longs(v):
    x = NDRLONG()
    x["Data"] = v
    return x


def item(id_, name, rid):
    it = ITEM()
    it["id"] = id_
    it["name"] = name + "\x00"
    referent(it, "name", rid)
    return it


def requests():
    """The calls both sides build, referent IDs set to Windows' pattern."""
    add = Add()
    add["a"], add["b"] = 2, 3
    yield "add", add

    greet = Greet()
    greet["name"] = "msrpc\x00"
    yield "greet", greet

    s = Sum()
    s["count"] = 4
    s["values"] = [longs(v) for v in (1, 2, 3, -10)]
    yield "sum", s

    echo = Echo()
    echo["request"]["length"] = 3
    echo["request"]["data"] = b"abc"
    referent(echo["request"], "data", 0x20000)
    yield "echo", echo

    find = Find()
    hint = PITEM()
    hint["Data"] = item(2, "", 0x20004)
    find["hint"] = hint
    referent(find, "hint", 0x20000)
    find["count"] = 2
    find["items"] = [item(1, "one", 0x20008), item(2, "two", 0x2000C)]
    yield "find", find

    bump = Bump()
    bump["counter"] = 41
    maybe = PLONG()
    maybe["Data"] = 5
    bump["maybe"] = maybe
    referent(bump, "maybe", 0x20000)
    yield "bump", bump


def stubs():
    print(json.dumps({name: req.getData().hex() for name, req in requests()}))


def check(what, got, want):
    if got != want:
        raise SystemExit(f"{what}: got {got!r}, want {want!r}")
    print(f"ok {what}")


def call(host, port):
    rpc = transport.DCERPCTransportFactory(f"ncacn_ip_tcp:{host}[{port}]")
    dce = rpc.get_dce_rpc()
    dce.connect()
    dce.bind(ITESTRPC)
    reqs = dict(requests())

    r = dce.request(reqs["add"])
    check("Add", r["sum"], 5)

    r = dce.request(reqs["greet"])
    check("Greet", r["greeting"], "hello, msrpc\x00")

    r = dce.request(reqs["sum"], checkError=False)
    check("Sum", (r["total"], r["ErrorCode"]), (-4, 4))

    r = dce.request(reqs["echo"])
    # impacket gives a byte array's elements as one-byte strings.
    check("Echo", b"".join(r["reply"]["data"]), b"cba")

    r = dce.request(reqs["find"])
    check("Find", (r["found"]["id"], r["found"]["name"]), (2, "two\x00"))

    r = dce.request(reqs["bump"], checkError=False)
    check("Bump", (r["counter"], r["maybe"]), (42, 50))

    # An opnum the interface does not have: our server's fault, as impacket reads it.
    class Missing(NDRCALL):
        opnum = 99
        structure = ()

    try:
        dce.request(Missing())
        raise SystemExit("opnum 99 did not fault")
    except DCERPCException as e:
        # impacket names the fault's status in its message.
        check("opnum 99", "nca_s_op_rng_error" in str(e), True)
    dce.disconnect()


def main():
    if sys.argv[1:2] == ["stubs"]:
        stubs()
    elif sys.argv[1:2] == ["call"] and len(sys.argv) == 4:
        call(sys.argv[2], int(sys.argv[3]))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
