//! DCE/RPC, connection-oriented (C706 chapter 12, MS-RPCE 2.2.2), over TCP.
//!
//! [`pdu`] reads and writes the PDUs. [`conn`] holds the protocol of one
//! connection as plain state machines over bytes, the server's and the
//! client's, with no I/O: tests and fuzzers drive them directly, and a
//! [`Server`] hands out a [`Session`] (one connection and its dispatch)
//! to drive the same way. With the `tokio` feature (on by default), a thin
//! layer runs them over TCP: `Server::bind` and `Client`.
//!
//! Generated code meets this module in two traits: a generated stub
//! implements [`Dispatch`], and a generated proxy calls through a
//! [`Channel`].

pub mod conn;
mod message;
pub mod pdu;
mod server;
pub mod session;
pub mod status;
#[cfg(feature = "tokio")]
mod tcp;

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;

pub use message::{acf_status, invoke, reply, request, Request, Response};
pub use server::{ConnectionLimits, Server};
pub use session::{Session, SessionEvent};
#[cfg(feature = "tokio")]
pub use tcp::{Client, ServerHandle};

/// The client an address stands for, in limits per client: an IPv4
/// address (an IPv4-mapped IPv6 one too) is one client; an IPv6 address
/// counts as its /64, which one host or site commonly holds whole.
pub fn client_of(ip: std::net::IpAddr) -> std::net::IpAddr {
    use std::net::{IpAddr, Ipv6Addr};
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !u128::from(u64::MAX))),
        },
    }
}

/// A future that can move between threads, boxed.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// An interface (or transfer syntax) with its version: `p_syntax_id_t`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SyntaxId {
    /// The interface's UUID; for a DCOM interface, its IID.
    pub uuid: uuid::Uuid,
    /// The major version: a server accepts only the one it serves.
    pub major: u16,
    /// The minor version.
    pub minor: u16,
}

/// NDR20, the only transfer syntax msrpc speaks.
pub const NDR20: SyntaxId = SyntaxId {
    uuid: uuid::uuid!("8a885d04-1ceb-11c9-9fe8-08002b104860"),
    major: 2,
    minor: 0,
};

/// NDR64, which a client may propose and gets refused.
pub const NDR64: SyntaxId = SyntaxId {
    uuid: uuid::uuid!("71710533-beba-4937-8319-b5dbef9ccc36"),
    major: 1,
    minor: 0,
};

/// What a server method knows about the call it serves.
#[derive(Clone, Debug, Default)]
pub struct CallContext {
    /// The operation number.
    pub opnum: u16,
    /// The object UUID of the request (`PFC_OBJECT_UUID`): for ORPC, the IPID.
    pub object: Option<uuid::Uuid>,
    /// The caller's address.
    pub peer: Option<SocketAddr>,
    /// Who the caller authenticated as; `None` at authentication level NONE.
    pub caller: Option<String>,
}

/// A call that failed on the server: the status of a fault PDU.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("RPC fault {status:#010x} ({})", status::name(*status))]
pub struct Fault {
    /// The fault status: an NCA status from [`status`] or, for ORPC, an
    /// HRESULT.
    pub status: u32,
}

impl Fault {
    /// A fault carrying `status`.
    pub const fn new(status: u32) -> Fault {
        Fault { status }
    }

    /// The status as an HRESULT, which is what ORPC faults carry.
    pub const fn hresult(&self) -> crate::Hresult {
        crate::Hresult(self.status)
    }

    /// Stub data that does not decode: the NDR fault.
    pub fn from_ndr(_e: crate::ndr::Error) -> Fault {
        Fault::new(status::NCA_S_FAULT_NDR)
    }
}

impl From<crate::Hresult> for Fault {
    /// An ORPC fault: its status is the HRESULT (MS-DCOM 3.1.1.5.4).
    fn from(h: crate::Hresult) -> Fault {
        Fault::new(h.0)
    }
}

/// A server-side stub: decodes a request for one interface, calls the
/// implementation, encodes the response. Generated for every interface.
pub trait Dispatch: Send + Sync + 'static {
    /// The interface this stub serves.
    fn syntax(&self) -> SyntaxId;

    /// Serves one call. The future owns what it needs, so the server can
    /// run it as a task of its own and catch a panic in it.
    fn dispatch(
        &self,
        ctx: CallContext,
        stub: Vec<u8>,
    ) -> BoxFuture<'static, Result<Vec<u8>, Fault>>;
}

/// Why a call made through a [`Channel`] failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CallError {
    /// The server answered with a fault PDU.
    #[error(transparent)]
    Fault(#[from] Fault),
    /// The request could not be encoded, or the response decoded.
    #[error("the request could not be encoded, or the response decoded: {0}")]
    Ndr(#[from] crate::ndr::Error),
    /// The transport failed.
    #[error("transport: {0}")]
    Io(#[from] std::io::Error),
    /// The server broke the protocol, and the connection closed.
    #[error("protocol: {0}")]
    Protocol(#[from] conn::ProtocolError),
    /// The server refused the interface, with a bind_nak or a rejected
    /// presentation context; the message names which, and the reason.
    #[error("the server refused the binding: {0}")]
    BindRejected(String),
    /// The connection closed before the response came.
    #[error("the connection closed before the response came")]
    Closed,
}

/// What a generated proxy sends its calls through.
pub trait Channel: Send + Sync {
    /// Calls operation `opnum` of interface `syntax`, on `object` (for
    /// ORPC, the IPID) when given, with the request's stub data; resolves
    /// to the response's stub data.
    fn call(
        &self,
        syntax: SyntaxId,
        opnum: u16,
        object: Option<uuid::Uuid>,
        stub: Vec<u8>,
    ) -> BoxFuture<'_, Result<Vec<u8>, CallError>>;
}

/// A generated client proxy, made from a channel and the object it calls
/// (for ORPC, an IPID): what DCOM's client side hands out.
pub trait Proxy<C>: Sized {
    /// The interface, whose UUID is the IID.
    const SYNTAX: SyntaxId;
    /// The proxy that calls `object` (for ORPC, the IPID) through `channel`.
    fn connect(channel: C, object: Option<uuid::Uuid>) -> Self;
}

impl<C: Channel + ?Sized> Channel for std::sync::Arc<C> {
    fn call(
        &self,
        syntax: SyntaxId,
        opnum: u16,
        object: Option<uuid::Uuid>,
        stub: Vec<u8>,
    ) -> BoxFuture<'_, Result<Vec<u8>, CallError>> {
        (**self).call(syntax, opnum, object, stub)
    }
}

#[cfg(test)]
mod tests {
    use super::client_of;
    use std::net::IpAddr;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("an address")
    }

    #[test]
    fn an_ipv6_client_is_its_slash_64_and_a_mapped_ipv4_one_its_ipv4_address() {
        assert_eq!(client_of(ip("192.0.2.7")), ip("192.0.2.7"));
        assert_eq!(client_of(ip("::ffff:192.0.2.7")), ip("192.0.2.7"));
        assert_eq!(client_of(ip("2001:db8:1:2:aaaa::1")), ip("2001:db8:1:2::"));
        assert_eq!(
            client_of(ip("2001:db8:1:2:ffff:ffff:ffff:ffff")),
            client_of(ip("2001:db8:1:2::9"))
        );
        assert_ne!(
            client_of(ip("2001:db8:1:3::1")),
            client_of(ip("2001:db8:1:2::1"))
        );
    }
}
