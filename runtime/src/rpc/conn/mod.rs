//! The protocol of one connection, sans I/O: bytes go in with `receive`,
//! events come out of `poll`, and bytes to send come out of
//! `take_output`. [`ServerConn`] is the server's side of an association,
//! [`ClientConn`] the client's.

mod client;
mod server;

pub use client::{ClientConn, ClientEvent};
pub use server::{IncomingCall, ServerConn, ServerEvent};

use super::pdu::{self, Body, Header, PacketType, Pdu, PduError};

/// What a connection accepts and sends.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// The largest fragment this side sends or receives; the negotiated
    /// size is the smaller of the two sides'.
    pub max_frag: u16,
    /// The largest request (server) or response (client) stub data
    /// reassembled from fragments.
    pub max_message: usize,
    /// Calls one connection may have outstanding at once.
    pub max_calls: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            // Windows' usual fragment size over TCP.
            max_frag: 5840,
            max_message: 64 << 20,
            max_calls: 64,
        }
    }
}

/// The smallest fragment oxidl agrees to: a request header, an object
/// UUID and 8 bytes of stub data fit, so every call can make progress.
pub const MIN_FRAG: u16 = 64;

/// Why a connection cannot go on.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProtocolError {
    #[error(transparent)]
    Pdu(#[from] PduError),
    #[error("a fragment of {len} bytes exceeds the negotiated {max}")]
    FragTooLong { len: usize, max: usize },
    #[error("a {0:?} PDU is not expected here")]
    Unexpected(PacketType),
    #[error("a request arrived before bind")]
    NotBound,
    #[error("fragment of call {0} without a first fragment")]
    NoFirstFragment(u32),
    #[error("a reassembled message exceeds the limit of {0} bytes")]
    MessageTooLarge(usize),
    #[error("more than {0} calls outstanding")]
    TooManyCalls(usize),
    #[error("fragment size {0} is below the minimum of {MIN_FRAG}")]
    FragTooSmall(u16),
}

/// Takes one whole fragment off the front of `buf`, if it has arrived.
/// Checks the header first, so a hostile frag_length is refused before
/// anything waits for or allocates its bytes.
fn next_fragment(
    buf: &mut Vec<u8>,
    max: usize,
) -> Option<Result<(Header, Vec<u8>), ProtocolError>> {
    let head: &[u8; pdu::HEADER_LEN] = buf.get(..pdu::HEADER_LEN)?.try_into().ok()?;
    let header = match pdu::parse_header(head) {
        Ok(h) => h,
        Err(e) => return Some(Err(e.into())),
    };
    let len = usize::from(header.frag_length);
    if len > max {
        return Some(Err(ProtocolError::FragTooLong { len, max }));
    }
    if buf.len() < len {
        return None;
    }
    let frag: Vec<u8> = buf.drain(..len).collect();
    Some(Ok((header, frag)))
}

/// Splits stub data into fragments of at most `max_frag` bytes; every
/// fragment but the last carries a multiple of 8 stub bytes, so that NDR
/// alignment holds across them. `make` builds one fragment's PDU from its
/// flags, alloc_hint and stub slice.
fn fragments(
    stub: &[u8],
    max_frag: u16,
    overhead: usize,
    mut make: impl FnMut(u8, u32, &[u8]) -> Pdu,
    out: &mut Vec<u8>,
) {
    let room = (usize::from(max_frag).saturating_sub(overhead) & !7).max(8);
    let mut at = 0;
    loop {
        let end = (at + room).min(stub.len());
        let mut flags = 0;
        if at == 0 {
            flags |= pdu::PFC_FIRST_FRAG;
        }
        if end == stub.len() {
            flags |= pdu::PFC_LAST_FRAG;
        }
        let hint = u32::try_from(stub.len() - at).unwrap_or(u32::MAX);
        out.extend_from_slice(&make(flags, hint, &stub[at..end]).to_bytes());
        if end == stub.len() {
            break;
        }
        at = end;
    }
}

fn fault_pdu(call_id: u32, context_id: u16, status: u32, flags: u8) -> Pdu {
    Pdu {
        header: Header {
            ptype: PacketType::Fault,
            flags: pdu::PFC_FIRST_FRAG | pdu::PFC_LAST_FRAG | flags,
            frag_length: 0,
            auth_length: 0,
            call_id,
        },
        body: Body::Fault {
            alloc_hint: 0,
            context_id,
            cancel_count: 0,
            status,
        },
    }
}

#[cfg(test)]
mod tests;
