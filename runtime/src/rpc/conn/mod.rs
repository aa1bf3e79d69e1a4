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

/// The smallest fragment msrpc agrees to: a request header, an object
/// UUID and 8 bytes of stub data fit, so every call can make progress.
pub const MIN_FRAG: u16 = 64;

/// Why a connection cannot go on.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProtocolError {
    /// Bytes that are not a PDU.
    #[error(transparent)]
    Pdu(#[from] PduError),
    /// A fragment longer than the negotiated receive size.
    #[error("a fragment of {len} bytes exceeds the negotiated {max}")]
    FragTooLong {
        /// The fragment's `frag_length`.
        len: usize,
        /// The negotiated receive size.
        max: usize,
    },
    /// A PDU of a type this side does not accept at this point.
    #[error("a {0:?} PDU is not expected here")]
    Unexpected(PacketType),
    /// A request or alter_context arrived before bind.
    #[error("a request arrived before bind")]
    NotBound,
    /// A later fragment of the call with this ID, whose first fragment
    /// never came.
    #[error("fragment of call {0} without a first fragment")]
    NoFirstFragment(u32),
    /// Reassembled stub data exceeds [`Limits::max_message`], in bytes.
    #[error("a reassembled message exceeds the limit of {0} bytes")]
    MessageTooLarge(usize),
    /// More calls outstanding than [`Limits::max_calls`].
    #[error("more than {0} calls outstanding")]
    TooManyCalls(usize),
    /// A bind offered a fragment size below [`MIN_FRAG`].
    #[error("fragment size {0} is below the minimum of {MIN_FRAG}")]
    FragTooSmall(u16),
    /// A PDU carried an auth verifier, and no security provider is
    /// configured to check it.
    #[error("an auth verifier arrived, and no security provider is configured")]
    Unauthenticated,
}

/// A fragment's header, and its PDU or why it is not one.
type Fragment = (Header, Result<Pdu, PduError>);

/// Received bytes not yet handled. Fragments are read in place and the
/// consumed front is dropped in bulk, not shifted out one fragment at a time.
#[derive(Default)]
struct InBuf {
    buf: Vec<u8>,
    start: usize,
}

impl InBuf {
    fn extend(&mut self, bytes: &[u8]) {
        if self.start == self.buf.len() {
            self.buf.clear();
            self.start = 0;
        } else if self.start > 64 * 1024 && self.start * 2 > self.buf.len() {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        self.buf.extend_from_slice(bytes);
    }

    fn clear(&mut self) {
        *self = InBuf::default();
    }

    /// The bytes not yet handled.
    fn rest(&self) -> &[u8] {
        &self.buf[self.start..]
    }

    /// Takes one whole fragment off the front, if it has arrived, and
    /// parses it. The header is checked first, so a hostile frag_length is
    /// refused before anything waits for or allocates its bytes.
    fn next_fragment(&mut self, max: usize) -> Option<Result<Fragment, ProtocolError>> {
        let rest = self.rest();
        let head: &[u8; pdu::HEADER_LEN] = rest.get(..pdu::HEADER_LEN)?.try_into().ok()?;
        let header = match pdu::parse_header(head) {
            Ok(h) => h,
            Err(e) => return Some(Err(e.into())),
        };
        let len = usize::from(header.frag_length);
        if len > max {
            return Some(Err(ProtocolError::FragTooLong { len, max }));
        }
        let frag = rest.get(..len)?;
        let pdu = Pdu::parse(header, frag);
        self.start += len;
        Some(Ok((header, pdu)))
    }
}

/// Splits stub data into fragments of at most `max_frag` bytes; every
/// fragment but the last carries a multiple of 8 stub bytes, so that NDR
/// alignment holds across them. `make` builds one fragment's PDU, without
/// its stub, from its flags and alloc_hint; the stub bytes are appended
/// straight from `stub`, copied once.
fn fragments(
    stub: &[u8],
    max_frag: u16,
    overhead: usize,
    mut make: impl FnMut(u8, u32) -> Pdu,
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
        let begin = out.len();
        make(flags, hint).write_to(out);
        out.extend_from_slice(&stub[at..end]);
        let len = (out.len() - begin) as u16;
        out[begin + 8..begin + 10].copy_from_slice(&len.to_le_bytes());
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
        auth: None,
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
