//! Connection-oriented PDUs (C706 12.6, MS-RPCE 2.2.2): their exact
//! layouts, read from untrusted bytes and written back.
//!
//! Only the little-endian, ASCII, IEEE data representation is read; it is
//! the one Windows, Samba and impacket send.

use super::SyntaxId;
use crate::reader::{Reader, Truncated};

/// The common header's size.
pub const HEADER_LEN: usize = 16;
/// Request header after the common one: alloc_hint, p_cont_id, opnum.
const REQUEST_LEN: usize = HEADER_LEN + 8;
/// Response and fault headers after the common one.
const RESPONSE_LEN: usize = HEADER_LEN + 8;
const FAULT_LEN: usize = HEADER_LEN + 16;

/// `packed_drep`: little-endian integers, ASCII characters, IEEE floats.
pub const DREP_LE: [u8; 4] = [0x10, 0, 0, 0];

/// `pfc_flags` (C706 12.6.3.1): the fragment is a call's first.
pub const PFC_FIRST_FRAG: u8 = 0x01;
/// The fragment is a call's last; a single-fragment PDU sets both.
pub const PFC_LAST_FRAG: u8 = 0x02;
/// In bind and alter_context: the client supports header signing.
pub const PFC_SUPPORT_HEADER_SIGN: u8 = 0x04;
/// In bind: the client supports concurrent multiplexing of the connection.
pub const PFC_CONC_MPX: u8 = 0x10;
/// In a fault: the call did not execute; it was refused before the
/// server method ran.
pub const PFC_DID_NOT_EXECUTE: u8 = 0x20;
/// In a request: `maybe` semantics, no response wanted.
pub const PFC_MAYBE: u8 = 0x40;
/// In a request: an object UUID follows the opnum.
pub const PFC_OBJECT_UUID: u8 = 0x80;

/// `PTYPE` values (C706 12.6.3.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum PacketType {
    /// request: one fragment of a call, client to server.
    Request = 0,
    /// response: one fragment of a call's result.
    Response = 2,
    /// fault: the call failed; the body carries a status.
    Fault = 3,
    /// bind: opens an association and proposes presentation contexts.
    Bind = 11,
    /// bind_ack: the server's answer to bind, one result per context.
    BindAck = 12,
    /// bind_nak: the server refuses the association.
    BindNak = 13,
    /// alter_context: proposes more contexts on a bound association.
    AlterContext = 14,
    /// alter_context_resp: the answer to alter_context.
    AlterContextResp = 15,
    /// auth3: the third leg of a security handshake.
    Auth3 = 16,
    /// shutdown: the server asks the client to close the connection.
    Shutdown = 17,
    /// co_cancel: the client cancels a call in progress.
    CoCancel = 18,
    /// orphaned: the client abandons a call and wants no response.
    Orphaned = 19,
}

impl PacketType {
    fn from_u8(v: u8) -> Option<PacketType> {
        use PacketType::*;
        Some(match v {
            0 => Request,
            2 => Response,
            3 => Fault,
            11 => Bind,
            12 => BindAck,
            13 => BindNak,
            14 => AlterContext,
            15 => AlterContextResp,
            16 => Auth3,
            17 => Shutdown,
            18 => CoCancel,
            19 => Orphaned,
            _ => return None,
        })
    }
}

/// The 16-byte header every PDU starts with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// The packet type, which says how the body reads.
    pub ptype: PacketType,
    /// `pfc_flags`: the `PFC_*` bits.
    pub flags: u8,
    /// The fragment's whole length in bytes: header, body and auth verifier.
    pub frag_length: u16,
    /// The length of the auth verifier's `auth_value`, without its 8-byte
    /// `sec_trailer`; 0 when there is no verifier.
    pub auth_length: u16,
    /// The PDU's call ID: a request and its response share it, as do a
    /// bind and its answer.
    pub call_id: u32,
}

impl Header {
    /// The header of a PDU that is one whole fragment; `frag_length` is
    /// filled in by [`Pdu::to_bytes`].
    pub fn single(ptype: PacketType, call_id: u32) -> Header {
        Header {
            ptype,
            flags: PFC_FIRST_FRAG | PFC_LAST_FRAG,
            frag_length: 0,
            auth_length: 0,
            call_id,
        }
    }
}

/// Why bytes are not a PDU.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PduError {
    /// The RPC version (major, minor) is neither 5.0 nor 5.1.
    #[error("RPC version {0}.{1}; only 5.0 and 5.1 are spoken")]
    Version(u8, u8),
    /// The `packed_drep` is not little-endian, ASCII, IEEE.
    #[error("data representation {0:02x?} is not little-endian ASCII IEEE")]
    DataRepresentation([u8; 4]),
    /// The `PTYPE` byte names no packet type.
    #[error("unknown packet type {0}")]
    UnknownType(u8),
    /// `frag_length` is shorter than the header it is read from: the
    /// length, and the bytes needed.
    #[error("frag_length {0} is shorter than the {1} bytes its header needs")]
    FragTooShort(u16, usize),
    /// The auth verifier `auth_length` announces does not fit in the
    /// fragment after the header.
    #[error("auth_length {0} does not fit in the fragment")]
    AuthTooLong(u16),
    /// The body of the named packet type ends before its fields do.
    #[error("the {0} body ends early")]
    Truncated(&'static str),
}

/// Reads the common header from the first 16 bytes of `b` (callers check
/// the length), leaving the body to [`Pdu::parse`].
pub fn parse_header(b: &[u8; HEADER_LEN]) -> Result<Header, PduError> {
    if b[0] != 5 || b[1] > 1 {
        return Err(PduError::Version(b[0], b[1]));
    }
    let drep = [b[4], b[5], b[6], b[7]];
    // Little-endian integers and ASCII (first byte 0x10), IEEE floats.
    if drep[0] != 0x10 || drep[1] != 0 {
        return Err(PduError::DataRepresentation(drep));
    }
    let ptype = PacketType::from_u8(b[2]).ok_or(PduError::UnknownType(b[2]))?;
    let frag_length = u16::from_le_bytes([b[8], b[9]]);
    if usize::from(frag_length) < HEADER_LEN {
        return Err(PduError::FragTooShort(frag_length, HEADER_LEN));
    }
    Ok(Header {
        ptype,
        flags: b[3],
        frag_length,
        auth_length: u16::from_le_bytes([b[10], b[11]]),
        call_id: u32::from_le_bytes([b[12], b[13], b[14], b[15]]),
    })
}

/// One presentation context a client proposes: `p_cont_elem_t`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContextElem {
    /// The ID the client gives the context; requests name it.
    pub context_id: u16,
    /// The interface proposed.
    pub abstract_syntax: SyntaxId,
    /// The transfer syntaxes offered for it, or a bind time feature
    /// negotiation proposal (MS-RPCE 3.3.1.5.3).
    pub transfer_syntaxes: Vec<SyntaxId>,
}

/// The result for one proposed context: `p_result_t`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ContextResult {
    /// One of the [`result`] values.
    pub result: u16,
    /// Why a context was rejected, one of the [`reason`] values; after
    /// [`result::NEGOTIATE_ACK`], the bind time features agreed to.
    pub reason: u16,
    /// The transfer syntax accepted; all zeros when none was.
    pub transfer_syntax: SyntaxId,
}

/// `p_cont_def_result_t`.
pub mod result {
    /// The context is accepted; requests may use it.
    pub const ACCEPTANCE: u16 = 0;
    /// The server application refused the context.
    pub const USER_REJECTION: u16 = 1;
    /// The RPC runtime refused the context; the result's `reason` says why.
    pub const PROVIDER_REJECTION: u16 = 2;
    /// MS-RPCE 2.2.2.14: the answer to a bind time feature proposal.
    pub const NEGOTIATE_ACK: u16 = 3;
}

/// `p_provider_reason_t`.
pub mod reason {
    /// No reason given; msrpc sends it when a context ID is proposed
    /// again for a different interface.
    pub const NOT_SPECIFIED: u16 = 0;
    /// The server does not serve the interface proposed.
    pub const ABSTRACT_SYNTAX_NOT_SUPPORTED: u16 = 1;
    /// None of the transfer syntaxes offered is one the server speaks.
    pub const PROPOSED_TRANSFER_SYNTAXES_NOT_SUPPORTED: u16 = 2;
    /// The server cannot take on another context.
    pub const LOCAL_LIMIT_EXCEEDED: u16 = 3;
}

/// bind_nak's `p_reject_reason_t`.
pub mod reject {
    /// No reason given; msrpc sends it for a bind that does not parse.
    pub const REASON_NOT_SPECIFIED: u16 = 0;
    /// The server is busy; the client may try again later.
    pub const TEMPORARY_CONGESTION: u16 = 1;
    /// A limit of the server's is exceeded; msrpc sends it for fragment
    /// sizes below [`MIN_FRAG`](crate::rpc::conn::MIN_FRAG).
    pub const LOCAL_LIMIT_EXCEEDED: u16 = 2;
    /// The bind's RPC version is not one the server speaks; the bind_nak
    /// lists those it does.
    pub const PROTOCOL_VERSION_NOT_SUPPORTED: u16 = 4;
    /// The bind asks for a security provider the server
    /// does not have; msrpc, with none configured, sends it for any bind
    /// that carries an auth verifier.
    pub const AUTHENTICATION_TYPE_NOT_RECOGNIZED: u16 = 8;
}

/// A PDU body, by type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Body {
    /// bind and alter_context.
    Bind {
        /// The largest fragment the client will send.
        max_xmit_frag: u16,
        /// The largest fragment the client will receive.
        max_recv_frag: u16,
        /// The association group to join; 0 asks for a new one.
        assoc_group_id: u32,
        /// The presentation contexts proposed.
        contexts: Vec<ContextElem>,
    },
    /// bind_ack and alter_context_resp.
    BindAck {
        /// The largest fragment the server will send, as negotiated.
        max_xmit_frag: u16,
        /// The largest fragment the server will receive, as negotiated.
        max_recv_frag: u16,
        /// The association group the connection belongs to.
        assoc_group_id: u32,
        /// The secondary address, without its terminating NUL.
        sec_addr: String,
        /// One result per proposed context, in the order proposed.
        results: Vec<ContextResult>,
    },
    /// bind_nak.
    BindNak {
        /// Why the bind is refused: one of the [`reject`] values.
        reason: u16,
        /// RPC versions the server speaks: (major, minor).
        versions: Vec<(u8, u8)>,
    },
    /// request: one fragment of a call.
    Request {
        /// The stub bytes still to come, this fragment's included: a hint
        /// for how much to allocate; 0 when unknown.
        alloc_hint: u32,
        /// The presentation context, and so the interface, of the call.
        context_id: u16,
        /// The operation called.
        opnum: u16,
        /// The object UUID, present when `PFC_OBJECT_UUID` is set; for
        /// ORPC, the IPID.
        object: Option<uuid::Uuid>,
        /// This fragment's stub data.
        stub: Vec<u8>,
    },
    /// response: one fragment of a call's result.
    Response {
        /// The stub bytes still to come, this fragment's included.
        alloc_hint: u32,
        /// The presentation context of the request answered.
        context_id: u16,
        /// How many cancels the server received for the call.
        cancel_count: u8,
        /// This fragment's stub data.
        stub: Vec<u8>,
    },
    /// fault: the call failed.
    Fault {
        /// Unused by a fault; msrpc sends 0.
        alloc_hint: u32,
        /// The presentation context of the request answered.
        context_id: u16,
        /// How many cancels the server received for the call.
        cancel_count: u8,
        /// The failure: an NCA status (see [`status`](crate::rpc::status))
        /// or, for ORPC, an HRESULT.
        status: u32,
    },
    /// auth3, shutdown, co_cancel and orphaned carry nothing msrpc reads
    /// (their auth verifier belongs to a security provider).
    Empty,
}

/// A whole PDU: header, body, and the auth verifier that ends it when
/// `auth_length` is not 0. A security provider (NTLM, Kerberos) reads and
/// writes the verifier; until one is configured, msrpc refuses binds that
/// carry one, and never sends one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pdu {
    /// The common header.
    pub header: Header,
    /// The body, as the header's packet type says.
    pub body: Body,
    /// The auth verifier, present when `auth_length` is not 0.
    pub auth: Option<AuthVerifier>,
}

/// `sec_trailer` and `auth_value` (C706 13.2.6.1, MS-RPCE 2.2.2.11).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthVerifier {
    /// The security provider (MS-RPCE 2.2.1.1.7: 10 is NTLM, 16 Kerberos).
    pub auth_type: u8,
    /// The authentication level, from 1 (none) to 6 (packet privacy).
    pub auth_level: u8,
    /// How many padding bytes the stub data was given to align the
    /// `sec_trailer`.
    pub auth_pad_length: u8,
    /// Which of the connection's security contexts the verifier belongs to.
    pub auth_context_id: u32,
    /// The provider's token or signature.
    pub auth_value: Vec<u8>,
}

impl From<Truncated> for PduError {
    fn from(t: Truncated) -> PduError {
        PduError::Truncated(t.part)
    }
}

/// `p_syntax_id_t`: the UUID, then the major and minor versions packed
/// into a u32.
fn read_syntax(r: &mut Reader<'_>) -> Result<SyntaxId, Truncated> {
    let uuid = r.guid()?;
    let version = r.u32()?;
    Ok(SyntaxId {
        uuid,
        major: version as u16,
        minor: (version >> 16) as u16,
    })
}

impl Pdu {
    /// Reads one complete fragment (`frag.len() == frag_length`).
    pub fn parse(header: Header, frag: &[u8]) -> Result<Pdu, PduError> {
        let auth = usize::from(header.auth_length);
        // The auth verifier (8-byte sec_trailer, then auth_length bytes) ends the fragment.
        let body_end = if auth == 0 {
            frag.len()
        } else {
            frag.len()
                .checked_sub(auth + 8)
                .filter(|&e| e >= HEADER_LEN)
                .ok_or(PduError::AuthTooLong(header.auth_length))?
        };
        let auth = (auth > 0).then(|| {
            let t = &frag[body_end..];
            AuthVerifier {
                auth_type: t[0],
                auth_level: t[1],
                auth_pad_length: t[2],
                auth_context_id: u32::from_le_bytes([t[4], t[5], t[6], t[7]]),
                auth_value: t[8..].to_vec(),
            }
        });
        let what = type_name(header.ptype);
        // Alignment in the body counts from the fragment's first byte.
        let mut r = Reader::new(&frag[..body_end], what);
        r.skip(HEADER_LEN)?;
        let body = match header.ptype {
            PacketType::Bind | PacketType::AlterContext => {
                let max_xmit_frag = r.u16()?;
                let max_recv_frag = r.u16()?;
                let assoc_group_id = r.u32()?;
                let n = r.u8()?;
                r.skip(3)?;
                let mut contexts = Vec::with_capacity(usize::from(n).min(r.remaining() / 44));
                for _ in 0..n {
                    let context_id = r.u16()?;
                    let n_transfer = r.u8()?;
                    r.skip(1)?;
                    let abstract_syntax = read_syntax(&mut r)?;
                    let mut transfer_syntaxes =
                        Vec::with_capacity(usize::from(n_transfer).min(r.remaining() / 20));
                    for _ in 0..n_transfer {
                        transfer_syntaxes.push(read_syntax(&mut r)?);
                    }
                    contexts.push(ContextElem {
                        context_id,
                        abstract_syntax,
                        transfer_syntaxes,
                    });
                }
                Body::Bind {
                    max_xmit_frag,
                    max_recv_frag,
                    assoc_group_id,
                    contexts,
                }
            }
            PacketType::BindAck | PacketType::AlterContextResp => {
                let max_xmit_frag = r.u16()?;
                let max_recv_frag = r.u16()?;
                let assoc_group_id = r.u32()?;
                let len = usize::from(r.u16()?);
                let addr = r.take(len)?;
                let sec_addr =
                    String::from_utf8_lossy(addr.strip_suffix(&[0]).unwrap_or(addr)).into_owned();
                r.align(4)?;
                let n = r.u8()?;
                r.skip(3)?;
                let mut results = Vec::with_capacity(usize::from(n).min(r.remaining() / 24));
                for _ in 0..n {
                    results.push(ContextResult {
                        result: r.u16()?,
                        reason: r.u16()?,
                        transfer_syntax: read_syntax(&mut r)?,
                    });
                }
                Body::BindAck {
                    max_xmit_frag,
                    max_recv_frag,
                    assoc_group_id,
                    sec_addr,
                    results,
                }
            }
            PacketType::BindNak => {
                let reason = r.u16()?;
                // Some servers end the PDU after the reason.
                let n = r.u8().unwrap_or(0);
                let mut versions = Vec::new();
                for _ in 0..n {
                    versions.push((r.u8()?, r.u8()?));
                }
                Body::BindNak { reason, versions }
            }
            PacketType::Request => {
                let alloc_hint = r.u32()?;
                let context_id = r.u16()?;
                let opnum = r.u16()?;
                let object = if header.flags & PFC_OBJECT_UUID != 0 {
                    Some(r.guid()?)
                } else {
                    None
                };
                let stub = r.rest().to_vec();
                Body::Request {
                    alloc_hint,
                    context_id,
                    opnum,
                    object,
                    stub,
                }
            }
            PacketType::Response => {
                let alloc_hint = r.u32()?;
                let context_id = r.u16()?;
                let cancel_count = r.u8()?;
                r.skip(1)?;
                Body::Response {
                    alloc_hint,
                    context_id,
                    cancel_count,
                    stub: r.rest().to_vec(),
                }
            }
            PacketType::Fault => {
                let alloc_hint = r.u32()?;
                let context_id = r.u16()?;
                let cancel_count = r.u8()?;
                r.skip(1)?;
                let status = r.u32()?;
                Body::Fault {
                    alloc_hint,
                    context_id,
                    cancel_count,
                    status,
                }
            }
            PacketType::Auth3
            | PacketType::Shutdown
            | PacketType::CoCancel
            | PacketType::Orphaned => Body::Empty,
        };
        Ok(Pdu { header, body, auth })
    }

    /// The PDU's bytes; `frag_length` is computed, `auth_length` is 0.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Vec::with_capacity(HEADER_LEN + 64);
        self.write_to(&mut w);
        w
    }

    /// Appends the PDU's bytes to `out`.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        let begin = out.len();
        let w = out;
        w.extend_from_slice(&[5, 0, self.header.ptype as u8, self.header.flags]);
        w.extend_from_slice(&DREP_LE);
        w.extend_from_slice(&[0, 0, 0, 0]); // frag_length and auth_length, below
        w.extend_from_slice(&self.header.call_id.to_le_bytes());
        match &self.body {
            Body::Bind {
                max_xmit_frag,
                max_recv_frag,
                assoc_group_id,
                contexts,
            } => {
                w.extend_from_slice(&max_xmit_frag.to_le_bytes());
                w.extend_from_slice(&max_recv_frag.to_le_bytes());
                w.extend_from_slice(&assoc_group_id.to_le_bytes());
                w.extend_from_slice(&[contexts.len() as u8, 0, 0, 0]);
                for c in contexts {
                    w.extend_from_slice(&c.context_id.to_le_bytes());
                    w.extend_from_slice(&[c.transfer_syntaxes.len() as u8, 0]);
                    put_syntax(w, &c.abstract_syntax);
                    for t in &c.transfer_syntaxes {
                        put_syntax(w, t);
                    }
                }
            }
            Body::BindAck {
                max_xmit_frag,
                max_recv_frag,
                assoc_group_id,
                sec_addr,
                results,
            } => {
                w.extend_from_slice(&max_xmit_frag.to_le_bytes());
                w.extend_from_slice(&max_recv_frag.to_le_bytes());
                w.extend_from_slice(&assoc_group_id.to_le_bytes());
                if sec_addr.is_empty() {
                    w.extend_from_slice(&0u16.to_le_bytes());
                } else {
                    w.extend_from_slice(&(sec_addr.len() as u16 + 1).to_le_bytes());
                    w.extend_from_slice(sec_addr.as_bytes());
                    w.push(0);
                }
                w.resize(w.len() + (w.len().wrapping_neg() & 3), 0);
                w.extend_from_slice(&[results.len() as u8, 0, 0, 0]);
                for r in results {
                    w.extend_from_slice(&r.result.to_le_bytes());
                    w.extend_from_slice(&r.reason.to_le_bytes());
                    put_syntax(w, &r.transfer_syntax);
                }
            }
            Body::BindNak { reason, versions } => {
                w.extend_from_slice(&reason.to_le_bytes());
                w.push(versions.len() as u8);
                for (major, minor) in versions {
                    w.extend_from_slice(&[*major, *minor]);
                }
            }
            Body::Request {
                alloc_hint,
                context_id,
                opnum,
                object,
                stub,
            } => {
                w.extend_from_slice(&alloc_hint.to_le_bytes());
                w.extend_from_slice(&context_id.to_le_bytes());
                w.extend_from_slice(&opnum.to_le_bytes());
                if let Some(o) = object {
                    w.extend_from_slice(&o.to_bytes_le());
                }
                w.extend_from_slice(stub);
            }
            Body::Response {
                alloc_hint,
                context_id,
                cancel_count,
                stub,
            } => {
                w.extend_from_slice(&alloc_hint.to_le_bytes());
                w.extend_from_slice(&context_id.to_le_bytes());
                w.extend_from_slice(&[*cancel_count, 0]);
                w.extend_from_slice(stub);
            }
            Body::Fault {
                alloc_hint,
                context_id,
                cancel_count,
                status,
            } => {
                w.extend_from_slice(&alloc_hint.to_le_bytes());
                w.extend_from_slice(&context_id.to_le_bytes());
                w.extend_from_slice(&[*cancel_count, 0]);
                w.extend_from_slice(&status.to_le_bytes());
                w.extend_from_slice(&[0, 0, 0, 0]);
            }
            Body::Empty => {
                if self.header.ptype == PacketType::Auth3 {
                    w.extend_from_slice(&[0, 0, 0, 0]);
                }
            }
        }
        let len = ((w.len() - begin) as u16).to_le_bytes();
        w[begin + 8..begin + 10].copy_from_slice(&len);
    }
}

fn put_syntax(w: &mut Vec<u8>, s: &SyntaxId) {
    w.extend_from_slice(&s.uuid.to_bytes_le());
    w.extend_from_slice(&(u32::from(s.major) | (u32::from(s.minor) << 16)).to_le_bytes());
}

fn type_name(t: PacketType) -> &'static str {
    match t {
        PacketType::Request => "request",
        PacketType::Response => "response",
        PacketType::Fault => "fault",
        PacketType::Bind => "bind",
        PacketType::BindAck => "bind_ack",
        PacketType::BindNak => "bind_nak",
        PacketType::AlterContext => "alter_context",
        PacketType::AlterContextResp => "alter_context_resp",
        PacketType::Auth3 => "auth3",
        PacketType::Shutdown => "shutdown",
        PacketType::CoCancel => "co_cancel",
        PacketType::Orphaned => "orphaned",
    }
}

/// The fixed part of a request before its stub data, with an object UUID or not.
pub fn request_overhead(object: bool) -> usize {
    REQUEST_LEN + if object { 16 } else { 0 }
}

/// The fixed part of a response before its stub data.
pub const RESPONSE_OVERHEAD: usize = RESPONSE_LEN;

/// The size of a fault PDU.
pub const FAULT_SIZE: usize = FAULT_LEN;
