#!/usr/bin/env python3
"""impacket's SAMR client against the Samba AD DC of samba_dc.sh: proof that
the DC answers what the SAMR interop tests will ask, and what it refuses.

    samba_dc.sh start
    samba_dc.sh exec python3 tests/interop/impacket_samr_check.py [--kerberos]

Run inside the DC's network namespace (`samba_dc.sh exec` also exports the
env file's MSRPC_DC_* variables; without them the env file is read from
$MSRPC_DC_DIR or /var/tmp/msrpc-samba-dc). Every connection finds SAMR's
dynamic port through the endpoint mapper at 127.0.0.1:135.

Checks, one PASS or FAIL line each:
  - admin over NTLMSSP (auth type 10) at packet privacy and at packet
    integrity: list the domain's users, SamrCreateUser2InDomain, list again
    and find it, SamrDeleteUser, list again and miss it;
  - no authentication at all (the null session): listing works, creating
    a user is refused with STATUS_ACCESS_DENIED;
  - NTLMSSP anonymous (empty user and password), a wrong password and an
    unknown user are refused, at CONNECT, PKT_INTEGRITY and PKT_PRIVACY;
  - with --kerberos: a TGT and a service ticket for host/dc1.x.test from the
    DC's KDC at 127.0.0.1:88, and the admin round trip over SPNEGO (auth
    type 9) carrying Kerberos, at both levels. impacket's TGS-REQ lacks the
    authenticator checksum Samba's KDC requires, its alter_context repeats
    the context list, it sends no SPNEGO mechListMIC, and it asks for
    confidentiality at integrity: after showing what Samba answers to each,
    this script works around all four (tgs_req_with_body_checksum,
    idempotent_bind_body, spnego_mech_list_mic,
    gss_conf_flag_only_for_privacy). impacket has no raw Kerberos (auth
    type 16) for DCE/RPC; Samba's own client does it (see the notes).

Exits 1 if any check failed.
"""
import argparse
import os
import sys

from impacket.dcerpc.v5 import epm, samr, transport
from impacket.dcerpc.v5.rpcrt import (
    RPC_C_AUTHN_GSS_NEGOTIATE,
    RPC_C_AUTHN_LEVEL_CONNECT,
    RPC_C_AUTHN_LEVEL_NONE,
    RPC_C_AUTHN_LEVEL_PKT_INTEGRITY,
    RPC_C_AUTHN_LEVEL_PKT_PRIVACY,
    RPC_C_AUTHN_WINNT,
    DCERPCException,
    rpc_status_codes,
)

LEVELS = {
    RPC_C_AUTHN_LEVEL_PKT_PRIVACY: "PKT_PRIVACY",
    RPC_C_AUTHN_LEVEL_PKT_INTEGRITY: "PKT_INTEGRITY",
    RPC_C_AUTHN_LEVEL_CONNECT: "CONNECT",
    RPC_C_AUTHN_LEVEL_NONE: "NONE",
}
# impacket raises a fault as its name alone: the number back from the name.
FAULTS = {name: code for code, name in rpc_status_codes.items()}

failures = 0
passes = 0
# Set once the impacket work-arounds for Samba are in (see --kerberos).
KERBEROS_FIXES = False


def report(ok, what, detail=""):
    global failures, passes
    if ok:
        passes += 1
    else:
        failures += 1
    print("%s: %s%s" % ("PASS" if ok else "FAIL", what, " (%s)" % detail if detail else ""), flush=True)


def info(what, detail=""):
    print("INFO: %s%s" % (what, " (%s)" % detail if detail else ""), flush=True)


def describe(exc):
    """The status or fault code an exception carries, and impacket's text."""
    code = getattr(exc, "error_code", None)
    text = str(exc).strip() or type(exc).__name__
    if code is None and text in FAULTS:
        return "fault 0x%08x %s" % (FAULTS[text], text)
    if code is None and text.startswith("Unknown DCE RPC fault status code: "):
        return "fault 0x%s (impacket has no name for it)" % text.rsplit(" ", 1)[1]
    if code is not None:
        # "SAMR SessionError: code: 0xc0000022 - STATUS_ACCESS_DENIED - {Access Denied} ..."
        parts = text.split(" - ")
        return "0x%08x %s" % (code & 0xFFFFFFFF, parts[1] if len(parts) > 1 else text)
    return "%s: %s" % (type(exc).__name__, text)


def load_env():
    env = {}
    path = os.path.join(os.environ.get("MSRPC_DC_DIR", "/var/tmp/msrpc-samba-dc"), "env")
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                key, sep, value = line.rstrip("\n").partition("=")
                if sep:
                    env[key] = value
    # The environment (samba_dc.sh exec) wins over the file.
    env.update({k: v for k, v in os.environ.items() if k.startswith("MSRPC_DC_")})
    missing = [k for k in ("MSRPC_DC_IP", "MSRPC_DC_DOMAIN", "MSRPC_DC_USER", "MSRPC_DC_PASSWORD") if k not in env]
    if missing:
        sys.exit("no DC environment (%s): run samba_dc.sh start, then this under samba_dc.sh exec" % ", ".join(missing))
    return env


def samr_binding(ip):
    """ept_map of SAMR over ncacn_ip_tcp: 'ncacn_ip_tcp:127.0.0.1[49154]'."""
    return epm.hept_map(ip, samr.MSRPC_UUID_SAMR, protocol="ncacn_ip_tcp")


def connect(env, level, user, password, domain, auth_type=RPC_C_AUTHN_WINNT, kerberos=False):
    binding = samr_binding(env["MSRPC_DC_IP"])
    rpc = transport.DCERPCTransportFactory(binding)
    rpc.set_credentials(user, password, domain)
    if kerberos:
        # The SPN is host/<remote name>: the DC's name, not its address.
        rpc.setRemoteName(env["MSRPC_DC_FQDN"])
        rpc.set_kerberos(True, kdcHost=env["MSRPC_DC_IP"])
    dce = rpc.get_dce_rpc()
    if level != RPC_C_AUTHN_LEVEL_NONE:
        dce.set_auth_type(auth_type)
        dce.set_auth_level(level)
    dce.connect()
    dce.bind(samr.MSRPC_UUID_SAMR)
    return dce, binding


def open_domain(dce, domain, access=samr.MAXIMUM_ALLOWED):
    server = samr.hSamrConnect(dce)["ServerHandle"]
    sid = samr.hSamrLookupDomainInSamServer(dce, server, domain)["DomainId"]
    return samr.hSamrOpenDomain(dce, server, desiredAccess=access, domainId=sid)["DomainHandle"]


def list_users(dce, domain_handle):
    names, context = [], 0
    while True:
        try:
            resp = samr.hSamrEnumerateUsersInDomain(dce, domain_handle, enumerationContext=context)
        except samr.DCERPCSessionError as e:
            if e.get_error_code() != 0x00000105:  # STATUS_MORE_ENTRIES
                raise
            resp = e.get_packet()
        names += [u["Name"] for u in resp["Buffer"]["Buffer"]]
        context = resp["EnumerationContext"]
        if resp["ErrorCode"] != 0x00000105:
            return names


def create_user(dce, domain_handle, name):
    # dce.request, not hSamrCreateUser2InDomain, which turns the status of
    # a refusal into a message without its code.
    request = samr.SamrCreateUser2InDomain()
    request["DomainHandle"] = domain_handle
    request["Name"] = name
    request["AccountType"] = samr.USER_NORMAL_ACCOUNT
    request["DesiredAccess"] = samr.USER_ALL_ACCESS
    return dce.request(request)


def admin_round_trip(env, level, auth_type=RPC_C_AUTHN_WINNT, kerberos=False):
    tag = "%s %s" % ("SPNEGO-Kerberos (9)" if kerberos else "NTLMSSP (10)", LEVELS[level])
    domain = env["MSRPC_DC_DOMAIN"]
    # Kerberos wants the realm: with the NetBIOS name, the KDC still issues
    # tickets (for crealm X.TEST), but impacket's authenticator then says
    # crealm X and the DC refuses the bind ("Ticket/authenticator don't
    # match" in its log, a bind_nak to the client).
    cred_domain = env.get("MSRPC_DC_REALM", "X.TEST") if kerberos else domain
    who = "%s@%s" % (env["MSRPC_DC_USER"], cred_domain) if kerberos else "%s\\%s" % (domain, env["MSRPC_DC_USER"])
    if kerberos and KERBEROS_FIXES:
        gss_conf_flag_only_for_privacy(level)
    try:
        dce, binding = connect(env, level, env["MSRPC_DC_USER"], env["MSRPC_DC_PASSWORD"], cred_domain, auth_type, kerberos)
    except Exception as e:
        report(False, "%s: bind as %s" % (tag, who), describe(e))
        return
    report(True, "%s: bind as %s" % (tag, who), binding)
    name = "msrpcchk%d%d" % (os.getpid() % 100000, level)
    try:
        dh = open_domain(dce, domain)
        before = list_users(dce, dh)
        report("Administrator" in before, "%s: list users" % tag, "%d users: %s" % (len(before), ", ".join(before)))
        resp = create_user(dce, dh, name)
        rid = resp["RelativeId"]
        report(resp["ErrorCode"] == 0, "%s: SamrCreateUser2InDomain %s" % (tag, name),
               "rid %d, granted access 0x%08x" % (rid, resp["GrantedAccess"]))
        during = list_users(dce, dh)
        report(name in during, "%s: list finds %s" % (tag, name), "%d users" % len(during))
        samr.hSamrDeleteUser(dce, resp["UserHandle"])
        after = list_users(dce, dh)
        report(name not in after, "%s: SamrDeleteUser %s, list misses it" % (tag, name), "%d users" % len(after))
    except Exception as e:
        report(False, "%s: SAMR calls" % tag, describe(e))
    finally:
        dce.disconnect()


def anonymous(env):
    """No authentication at all (auth level none, no auth verifier): listing
    works, creating a user is refused."""
    label = "anonymous (no auth)"
    domain = env["MSRPC_DC_DOMAIN"]
    try:
        dce, binding = connect(env, RPC_C_AUTHN_LEVEL_NONE, "", "", "")
        report(True, "%s: bind" % label, binding)
    except Exception as e:
        report(False, "%s: bind" % label, describe(e))
        return
    try:
        dh = open_domain(dce, domain)
        users = list_users(dce, dh)
        report("Administrator" in users, "%s: list users" % label, "%d users: %s" % (len(users), ", ".join(users)))
        try:
            resp = create_user(dce, dh, "msrpcanon%d" % (os.getpid() % 100000))
            report(False, "%s: SamrCreateUser2InDomain refused" % label, "it succeeded: rid %d" % resp["RelativeId"])
            samr.hSamrDeleteUser(dce, resp["UserHandle"])
        except DCERPCException as e:
            report(e.get_error_code() == 0xC0000022, "%s: SamrCreateUser2InDomain refused" % label, describe(e))
        # Samba does not refuse the access right up front: SamrOpenDomain
        # grants DOMAIN_CREATE_USER to anonymous, the create says no.
        try:
            dh = open_domain(dce, domain, access=samr.DOMAIN_CREATE_USER | samr.DOMAIN_LOOKUP)
            info("%s: SamrOpenDomain(DOMAIN_CREATE_USER | DOMAIN_LOOKUP)" % label, "granted")
            create_user(dce, dh, "msrpcanon%d" % (os.getpid() % 100000))
            report(False, "%s: SamrCreateUser2InDomain on that handle refused" % label, "it succeeded")
        except DCERPCException as e:
            report(e.get_error_code() == 0xC0000022, "%s: SamrCreateUser2InDomain on that handle refused" % label, describe(e))
    except Exception as e:
        report(False, "%s: SAMR calls" % label, describe(e))
    finally:
        dce.disconnect()


def refused(env, label, level, user, password, domain):
    """Credentials Samba must not accept: where and how it says no.

    With NTLMSSP, bind, bind_ack and auth3 go through whatever the
    credentials (auth3 has no answer); Samba says no at the first request.
    At CONNECT level impacket's requests carry no auth trailer, and Samba
    runs a request without one on the connection's anonymous state when
    auth3 failed: the calls work as anonymous, and the test is that the
    admin's rights are not there (creating a user is refused)."""
    try:
        dce, _ = connect(env, level, user, password, domain)
    except Exception as e:
        report(True, "%s: refused at bind" % label, describe(e))
        return
    try:
        dh = open_domain(dce, env["MSRPC_DC_DOMAIN"])
    except Exception as e:
        report(True, "%s: refused at the first request" % label, describe(e))
        return
    try:
        users = list_users(dce, dh)
        info("%s: the first request was not refused" % label, "listed %d users, as anonymous may" % len(users))
        resp = create_user(dce, dh, "msrpcbad%d" % (os.getpid() % 100000))
        report(False, "%s: no admin rights" % label, "SamrCreateUser2InDomain succeeded: rid %d" % resp["RelativeId"])
        samr.hSamrDeleteUser(dce, resp["UserHandle"])
    except Exception as e:
        report(getattr(e, "error_code", None) == 0xC0000022,
               "%s: no admin rights (SamrCreateUser2InDomain refused)" % label, describe(e))
    finally:
        try:
            dce.disconnect()
        except Exception:
            pass


def tgs_req_with_body_checksum(server_name, domain, kdc_host, tgt, cipher, session_key, renew=False):
    """A TGS-REQ whose PA-TGS-REQ authenticator carries a keyed checksum of
    the KDC-REQ-BODY (RFC 4120 5.5.1, key usage 6), with the same reply
    handling as impacket's getKerberosTGS.

    impacket 0.13.1 sends the authenticator without `cksum`; Samba 4.17's
    KDC answers that with KRB_AP_ERR_INAPP_CKSUM (Windows accepts it).
    Only the TGS-REQ differs; what impacket does with the ticket is its own.
    """
    import datetime
    import random

    from pyasn1.codec.der import decoder, encoder
    from pyasn1.type.univ import noValue
    from impacket.krb5 import constants, crypto
    from impacket.krb5.asn1 import AP_REQ, AS_REP, TGS_REP, TGS_REQ, Authenticator, EncTGSRepPart, seq_set, seq_set_iter
    from impacket.krb5.kerberosv5 import sendReceive
    from impacket.krb5.types import KerberosTime, Principal, Ticket

    try:
        decoded_tgt = decoder.decode(tgt, asn1Spec=AS_REP())[0]
    except Exception:
        decoded_tgt = decoder.decode(tgt, asn1Spec=TGS_REP())[0]
    domain = domain.upper()

    tgs_req = TGS_REQ()
    tgs_req["pvno"] = 5
    tgs_req["msg-type"] = int(constants.ApplicationTagNumbers.TGS_REQ.value)
    body = seq_set(tgs_req, "req-body")
    opts = [constants.KDCOptions.forwardable.value, constants.KDCOptions.renewable.value,
            constants.KDCOptions.renewable_ok.value, constants.KDCOptions.canonicalize.value]
    if renew:
        opts.append(constants.KDCOptions.renew.value)
    body["kdc-options"] = constants.encodeFlags(opts)
    seq_set(body, "sname", server_name.components_to_asn1)
    body["realm"] = domain
    body["till"] = KerberosTime.to_asn1(datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1))
    body["nonce"] = random.SystemRandom().getrandbits(31)
    seq_set_iter(body, "etype", (int(cipher.enctype), int(constants.EncryptionTypes.rc4_hmac.value)))
    # The checksum covers the KDC-REQ-BODY's own encoding; impacket's field
    # encodes with the [4] explicit tag of KDC-REQ around it: strip it.
    wrapped = encoder.encode(tgs_req["req-body"])
    n = wrapped[1]
    encoded_body = wrapped[2:] if n < 0x80 else wrapped[2 + (n & 0x7F):]

    # The checksum type that goes with the session key's enctype.
    cksumtype = {
        crypto.Enctype.AES256: crypto.Cksumtype.SHA1_AES256,
        crypto.Enctype.AES128: crypto.Cksumtype.SHA1_AES128,
        crypto.Enctype.RC4: crypto.Cksumtype.HMAC_MD5,
    }[session_key.enctype]

    ticket = Ticket()
    ticket.from_asn1(decoded_tgt["ticket"])
    ap_req = AP_REQ()
    ap_req["pvno"] = 5
    ap_req["msg-type"] = int(constants.ApplicationTagNumbers.AP_REQ.value)
    ap_req["ap-options"] = constants.encodeFlags([])
    seq_set(ap_req, "ticket", ticket.to_asn1)
    auth = Authenticator()
    auth["authenticator-vno"] = 5
    auth["crealm"] = decoded_tgt["crealm"].asOctets()
    client = Principal()
    client.from_asn1(decoded_tgt, "crealm", "cname")
    seq_set(auth, "cname", client.components_to_asn1)
    auth["cksum"] = noValue
    auth["cksum"]["cksumtype"] = cksumtype
    auth["cksum"]["checksum"] = crypto.make_checksum(cksumtype, session_key, 6, encoded_body)
    now = datetime.datetime.now(datetime.timezone.utc)
    auth["cusec"] = now.microsecond
    auth["ctime"] = KerberosTime.to_asn1(now)
    ap_req["authenticator"] = noValue
    ap_req["authenticator"]["etype"] = cipher.enctype
    ap_req["authenticator"]["cipher"] = cipher.encrypt(session_key, 7, encoder.encode(auth), None)

    tgs_req["padata"] = noValue
    tgs_req["padata"][0] = noValue
    tgs_req["padata"][0]["padata-type"] = int(constants.PreAuthenticationDataTypes.PA_TGS_REQ.value)
    tgs_req["padata"][0]["padata-value"] = encoder.encode(ap_req)

    r = sendReceive(encoder.encode(tgs_req), domain, kdc_host)
    tgs = decoder.decode(r, asn1Spec=TGS_REP())[0]
    part = decoder.decode(cipher.decrypt(session_key, 8, tgs["enc-part"]["cipher"]), asn1Spec=EncTGSRepPart())[0]
    new_key = crypto.Key(part["key"]["keytype"], part["key"]["keyvalue"].asOctets())
    return r, crypto._enctype_table[part["key"]["keytype"]], session_key, new_key


def idempotent_bind_body():
    """impacket's MSRPCBind.getData appends the context items to the body
    each time it is called; the SPNEGO path calls it for the bind and again
    for the alter_context, which then carries the SAMR context item twice
    under a count of 1. Windows ignores the 44 stray bytes; Samba checks
    that the auth trailer follows the body and faults the alter_context
    with nca_s_proto_error ("auth_data_only pad length mismatch" in its
    log). This makes getData build the body afresh each time."""
    from impacket.dcerpc.v5 import rpcrt
    from impacket.structure import Structure

    def get_data(self):
        items = self._MSRPCBind__ctx_items
        self["ctx_num"] = len(items)
        self["ctx_items"] = b"".join(i.getData() for i in items)
        return Structure.getData(self)

    rpcrt.MSRPCBind.getData = get_data


def der(tag, content):
    n = len(content)
    if n < 0x80:
        return bytes([tag, n]) + content
    length = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(length)]) + length + content


def spnego_mech_list_mic():
    """impacket's SPNEGO third leg (the alter_context) carries the DCE-style
    AP-REP and no mechListMIC. With AES (RFC 4121 tokens), Samba's SPNEGO
    wants one: its alter_context_resp says accept-incomplete with its own
    MIC, and the first request is faulted with nca_s_proto_error. Samba's
    own client sends, in the alter_context, negTokenResp { responseToken
    AP-REP, mechListMIC } where the MIC is a GetMIC token (flags
    AcceptorSubkey, sequence number = the authenticator's) over the DER
    mechTypes of its negTokenInit, keyed with the AP-REP's subkey; its
    first request then uses the next sequence number. This does the same:
    the MIC with sequence 0 (impacket's authenticator seq-number), then
    requests from 1."""
    import struct

    from impacket.dcerpc.v5 import rpcrt
    from impacket.krb5 import crypto, kerberosv5
    from impacket.spnego import SPNEGO_NegTokenResp

    # impacket's negTokenInit offers one mechanism, MS KRB5 (1.2.840.48018.1.2.2).
    mech_types = der(0x30, der(0x06, bytes.fromhex("2a864882f712010202")))
    original_type3 = kerberosv5.getKerberosType3

    def type3(cipher, session_key, auth_data):
        cipher2, subkey, resp = original_type3(cipher, session_key, auth_data)
        ap_rep = SPNEGO_NegTokenResp(resp)["ResponseToken"]
        header = struct.pack(">HBBLQ", 0x0404, 0x04, 0xFF, 0xFFFFFFFF, 0)
        cksumtype = {crypto.Enctype.AES256: crypto.Cksumtype.SHA1_AES256,
                     crypto.Enctype.AES128: crypto.Cksumtype.SHA1_AES128}[subkey.enctype]
        mic = header + crypto.make_checksum(cksumtype, subkey, 25, mech_types + header)  # KG_USAGE_INITIATOR_SIGN
        return cipher2, subkey, der(0xA1, der(0x30, der(0xA2, der(0x04, ap_rep)) + der(0xA3, der(0x04, mic))))

    kerberosv5.getKerberosType3 = type3
    original_bind = rpcrt.DCERPC_v5.bind

    def bind(self, *args, **kwargs):
        resp = original_bind(self, *args, **kwargs)
        if self.get_auth_type() == RPC_C_AUTHN_GSS_NEGOTIATE:
            self._DCERPC_v5__sequence = 1  # 0 went to the mechListMIC
        return resp

    rpcrt.DCERPC_v5.bind = bind


def gss_conf_flag_only_for_privacy(level):
    """impacket puts GSS_C_CONF_FLAG in the AP-REQ checksum's flags at every
    level. At PKT_INTEGRITY Samba then runs the call (the request's MIC
    checks out) and answers a fault 0x00000001 (nca_s_fault_other) in place
    of the response, with nothing in its log: most likely it sizes the
    response verifier for sealing and the 28-byte MIC does not fit. Samba's
    own client leaves Conf out at integrity. This sets the flag impacket's
    getKerberosType1 reads (a module global) for the next bind."""
    from impacket.krb5 import gssapi, kerberosv5

    kerberosv5.GSS_C_CONF_FLAG = gssapi.GSS_C_CONF_FLAG if level == RPC_C_AUTHN_LEVEL_PKT_PRIVACY else 0


def kerberos_tickets(env, tgs_fn, report_tgt=True):
    from impacket.krb5 import constants
    from impacket.krb5.kerberosv5 import getKerberosTGT
    from impacket.krb5.types import Principal

    realm = env.get("MSRPC_DC_REALM", "X.TEST")
    user = Principal(env["MSRPC_DC_USER"], type=constants.PrincipalNameType.NT_PRINCIPAL.value)
    try:
        tgt, cipher, _, session_key = getKerberosTGT(user, env["MSRPC_DC_PASSWORD"], realm, "", "", "", env["MSRPC_DC_IP"])
        if report_tgt:
            report(True, "Kerberos: TGT for %s@%s from %s:88" % (env["MSRPC_DC_USER"], realm, env["MSRPC_DC_IP"]),
                   "session key enctype %d" % session_key.enctype)
    except Exception as e:
        report(False, "Kerberos: TGT", describe(e))
        return False
    spn = "host/%s" % env["MSRPC_DC_FQDN"]
    try:
        tgs_fn(Principal(spn, type=constants.PrincipalNameType.NT_SRV_INST.value), realm, env["MSRPC_DC_IP"],
               tgt, cipher, session_key)
        return True
    except Exception as e:
        return e


def kerberos(env):
    """TGT, service ticket, SAMR over SPNEGO-Kerberos: each of impacket's
    steps as released first (INFO lines say what Samba answers), then with
    the four work-arounds above, at both levels (PASS/FAIL)."""
    global KERBEROS_FIXES
    from impacket.krb5 import kerberosv5

    spn = "host/%s" % env["MSRPC_DC_FQDN"]
    realm = env.get("MSRPC_DC_REALM", "X.TEST")
    result = kerberos_tickets(env, kerberosv5.getKerberosTGS)
    if result is False:
        return
    if result is True:
        info("Kerberos: impacket's own TGS-REQ for %s accepted" % spn)
    else:
        info("Kerberos: impacket's own TGS-REQ for %s refused" % spn, describe(result))
    # Everywhere impacket asks for a service ticket (getKerberosType1
    # looks the function up in its module).
    kerberosv5.getKerberosTGS = tgs_req_with_body_checksum
    result = kerberos_tickets(env, tgs_req_with_body_checksum, report_tgt=False)
    report(result is True, "Kerberos: service ticket for %s (TGS-REQ with a body checksum)" % spn,
           "" if result is True else describe(result))
    if result is not True:
        return

    def as_released(what, level):
        try:
            dce, _ = connect(env, level, env["MSRPC_DC_USER"], env["MSRPC_DC_PASSWORD"], realm,
                             RPC_C_AUTHN_GSS_NEGOTIATE, True)
        except Exception as e:
            info("SPNEGO-Kerberos (9) %s, %s: bind refused" % (LEVELS[level], what), describe(e))
            return
        try:
            samr.hSamrConnect(dce)
            info("SPNEGO-Kerberos (9) %s, %s: SamrConnect works" % (LEVELS[level], what))
        except Exception as e:
            info("SPNEGO-Kerberos (9) %s, %s: bind done, SamrConnect refused" % (LEVELS[level], what), describe(e))
        finally:
            dce.disconnect()

    as_released("impacket's bind as released", RPC_C_AUTHN_LEVEL_PKT_INTEGRITY)
    idempotent_bind_body()
    as_released("alter_context fixed, no mechListMIC", RPC_C_AUTHN_LEVEL_PKT_INTEGRITY)
    spnego_mech_list_mic()
    as_released("with mechListMIC, Conf flag asked", RPC_C_AUTHN_LEVEL_PKT_INTEGRITY)
    KERBEROS_FIXES = True
    for level in (RPC_C_AUTHN_LEVEL_PKT_PRIVACY, RPC_C_AUTHN_LEVEL_PKT_INTEGRITY):
        admin_round_trip(env, level, RPC_C_AUTHN_GSS_NEGOTIATE, kerberos=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kerberos", action="store_true", help="also Kerberos (needs MSRPC_DC_FQDN to resolve)")
    args = parser.parse_args()
    env = load_env()
    env.setdefault("MSRPC_DC_FQDN", "dc1.x.test")

    try:
        report(True, "ept_map of SAMR at %s:135" % env["MSRPC_DC_IP"], samr_binding(env["MSRPC_DC_IP"]))
    except Exception as e:
        report(False, "ept_map of SAMR at %s:135" % env["MSRPC_DC_IP"], describe(e))
        return 1

    for level in (RPC_C_AUTHN_LEVEL_PKT_PRIVACY, RPC_C_AUTHN_LEVEL_PKT_INTEGRITY):
        admin_round_trip(env, level)
    anonymous(env)
    for level in (RPC_C_AUTHN_LEVEL_CONNECT, RPC_C_AUTHN_LEVEL_PKT_INTEGRITY, RPC_C_AUTHN_LEVEL_PKT_PRIVACY):
        refused(env, "NTLMSSP anonymous (empty user and password) %s" % LEVELS[level], level, "", "", "")
    for level in (RPC_C_AUTHN_LEVEL_CONNECT, RPC_C_AUTHN_LEVEL_PKT_INTEGRITY, RPC_C_AUTHN_LEVEL_PKT_PRIVACY):
        refused(env, "wrong password, NTLMSSP %s" % LEVELS[level], level,
                env["MSRPC_DC_USER"], "Not-The-Password1", env["MSRPC_DC_DOMAIN"])
        refused(env, "unknown user, NTLMSSP %s" % LEVELS[level], level,
                "nosuchuser", env["MSRPC_DC_PASSWORD"], env["MSRPC_DC_DOMAIN"])
    if args.kerberos:
        kerberos(env)

    print("impacket_samr_check: %d passed, %d failed" % (passes, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
