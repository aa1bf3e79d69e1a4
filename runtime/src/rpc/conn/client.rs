//! The client's side of one association: bind and alter_context,
//! request fragmentation, response reassembly matched by call ID.

use std::collections::HashMap;

use super::{fragments, InBuf, Limits, ProtocolError};
use crate::rpc::pdu::{self, result, Body, ContextElem, Header, PacketType, Pdu};
use crate::rpc::{SyntaxId, NDR20};

/// What the server said.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientEvent {
    /// bind_ack or alter_context_resp: whether the proposed interface was accepted.
    Bound {
        /// The call ID of the bind or alter_context answered.
        call_id: u32,
        /// The interface proposed.
        syntax: SyntaxId,
        /// Whether the server accepted it.
        accepted: bool,
        /// The result's reason (see [`pdu::reason`]); 0 when the answer
        /// carried no result.
        reason: u16,
    },
    /// bind_nak.
    BindRejected {
        /// The call ID of the bind refused.
        call_id: u32,
        /// Why: one of the [`pdu::reject`] values.
        reason: u16,
    },
    /// A call's response, reassembled from its fragments.
    Response {
        /// The call answered.
        call_id: u32,
        /// The response's stub data.
        stub: Vec<u8>,
    },
    /// A call failed with a fault PDU.
    Fault {
        /// The call that failed.
        call_id: u32,
        /// The fault status: an NCA status or an HRESULT.
        status: u32,
    },
    /// The server broke the protocol; the connection is done.
    Close(ProtocolError),
}

/// The client's side of one association, sans I/O: it binds interfaces,
/// sends requests in fragments and matches reassembled responses to their
/// calls by call ID.
pub struct ClientConn {
    limits: Limits,
    inbuf: InBuf,
    out: Vec<u8>,
    max_xmit: u16,
    max_recv: u16,
    assoc_group_id: u32,
    next_call_id: u32,
    next_context_id: u16,
    bind_sent: bool,
    /// Bind or alter_context calls in flight: the context each proposed.
    proposing: HashMap<u32, (u16, SyntaxId)>,
    contexts: HashMap<SyntaxId, u16>,
    responses: HashMap<u32, Vec<u8>>,
    closed: bool,
}

impl ClientConn {
    /// A connection that has sent nothing yet; `limits` bounds the
    /// fragments it offers and the responses it reassembles.
    pub fn new(limits: Limits) -> ClientConn {
        ClientConn {
            limits,
            inbuf: InBuf::default(),
            out: Vec::new(),
            max_xmit: limits.max_frag,
            max_recv: limits.max_frag,
            assoc_group_id: 0,
            next_call_id: 1,
            next_context_id: 0,
            bind_sent: false,
            proposing: HashMap::new(),
            contexts: HashMap::new(),
            responses: HashMap::new(),
            closed: false,
        }
    }

    /// The fragment size negotiated for requests.
    pub fn max_xmit_frag(&self) -> u16 {
        self.max_xmit
    }

    /// The association group bind_ack named; 0 before it came.
    pub fn assoc_group_id(&self) -> u32 {
        self.assoc_group_id
    }

    /// The presentation context bound to `syntax`, once accepted.
    pub fn context(&self, syntax: &SyntaxId) -> Option<u16> {
        self.contexts.get(syntax).copied()
    }

    fn call_id(&mut self) -> u32 {
        let id = self.next_call_id;
        self.next_call_id = self.next_call_id.wrapping_add(1).max(1);
        id
    }

    /// Proposes `syntax` over `transfer` (NDR20 normally): a bind first, an
    /// alter_context after. Returns the call ID the answer will carry.
    pub fn bind(&mut self, syntax: SyntaxId, transfer: &[SyntaxId]) -> u32 {
        let call_id = self.call_id();
        let context_id = self.next_context_id;
        self.next_context_id = self.next_context_id.wrapping_add(1);
        let ptype = if self.bind_sent {
            PacketType::AlterContext
        } else {
            PacketType::Bind
        };
        self.bind_sent = true;
        let pdu = Pdu {
            header: Header::single(ptype, call_id),
            auth: None,
            body: Body::Bind {
                max_xmit_frag: self.limits.max_frag,
                max_recv_frag: self.limits.max_frag,
                assoc_group_id: self.assoc_group_id,
                contexts: vec![ContextElem {
                    context_id,
                    abstract_syntax: syntax,
                    transfer_syntaxes: if transfer.is_empty() {
                        vec![NDR20]
                    } else {
                        transfer.to_vec()
                    },
                }],
            },
        };
        self.proposing.insert(call_id, (context_id, syntax));
        self.out.extend_from_slice(&pdu.to_bytes());
        call_id
    }

    /// Sends a request on a bound context, in fragments. Returns its call ID.
    pub fn request(
        &mut self,
        context_id: u16,
        opnum: u16,
        object: Option<uuid::Uuid>,
        stub: &[u8],
    ) -> u32 {
        let call_id = self.call_id();
        let make = |flags, alloc_hint| Pdu {
            header: Header {
                ptype: PacketType::Request,
                flags: flags
                    | if object.is_some() {
                        pdu::PFC_OBJECT_UUID
                    } else {
                        0
                    },
                frag_length: 0,
                auth_length: 0,
                call_id,
            },
            auth: None,
            body: Body::Request {
                alloc_hint,
                context_id,
                opnum,
                object,
                stub: Vec::new(),
            },
        };
        let overhead = pdu::request_overhead(object.is_some());
        fragments(stub, self.max_xmit, overhead, make, &mut self.out);
        call_id
    }

    /// Tells the server a call's response is no longer wanted.
    pub fn orphan(&mut self, call_id: u32) {
        self.responses.remove(&call_id);
        let pdu = Pdu {
            header: Header::single(PacketType::Orphaned, call_id),
            auth: None,
            body: Body::Empty,
        };
        self.out.extend_from_slice(&pdu.to_bytes());
    }

    /// Takes bytes read from the server; they are dropped once the
    /// connection has closed.
    pub fn receive(&mut self, bytes: &[u8]) {
        if !self.closed {
            self.inbuf.extend(bytes);
        }
    }

    /// Bytes to send.
    pub fn take_output(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.out)
    }

    /// Handles what has arrived until an event comes out; `None` when more
    /// bytes are needed or the connection has closed.
    pub fn poll(&mut self) -> Option<ClientEvent> {
        while !self.closed {
            let (_, pdu) = match self.inbuf.next_fragment(usize::from(self.max_recv)) {
                None => return None,
                Some(Ok(f)) => f,
                Some(Err(e)) => return Some(self.close(e)),
            };
            let pdu = match pdu {
                Ok(p) => p,
                Err(e) => return Some(self.close(e.into())),
            };
            if let Some(event) = self.pdu(pdu) {
                return Some(event);
            }
        }
        None
    }

    fn close(&mut self, e: ProtocolError) -> ClientEvent {
        self.closed = true;
        self.inbuf.clear();
        ClientEvent::Close(e)
    }

    fn pdu(&mut self, pdu: Pdu) -> Option<ClientEvent> {
        let call_id = pdu.header.call_id;
        match pdu.body {
            Body::BindAck {
                max_xmit_frag,
                max_recv_frag,
                assoc_group_id,
                results,
                ..
            } => {
                let (context_id, syntax) = self.proposing.remove(&call_id)?;
                if pdu.header.ptype == PacketType::BindAck {
                    // The server's receive size bounds what we send.
                    self.max_xmit = max_recv_frag.min(self.limits.max_frag);
                    self.max_recv = max_xmit_frag.min(self.limits.max_frag);
                    self.assoc_group_id = assoc_group_id;
                }
                let r = results.first().copied();
                let accepted = r.is_some_and(|r| r.result == result::ACCEPTANCE);
                if accepted {
                    self.contexts.insert(syntax, context_id);
                }
                Some(ClientEvent::Bound {
                    call_id,
                    syntax,
                    accepted,
                    reason: r.map_or(0, |r| r.reason),
                })
            }
            Body::BindNak { reason, .. } => {
                self.proposing.remove(&call_id);
                Some(ClientEvent::BindRejected { call_id, reason })
            }
            Body::Response { stub, .. } => {
                let first = pdu.header.flags & pdu::PFC_FIRST_FRAG != 0;
                let last = pdu.header.flags & pdu::PFC_LAST_FRAG != 0;
                let mut buf = if first {
                    Vec::with_capacity(stub.len())
                } else {
                    match self.responses.remove(&call_id) {
                        Some(b) => b,
                        None => return Some(self.close(ProtocolError::NoFirstFragment(call_id))),
                    }
                };
                if buf.len() + stub.len() > self.limits.max_message {
                    return Some(
                        self.close(ProtocolError::MessageTooLarge(self.limits.max_message)),
                    );
                }
                buf.extend_from_slice(&stub);
                if last {
                    Some(ClientEvent::Response { call_id, stub: buf })
                } else {
                    self.responses.insert(call_id, buf);
                    None
                }
            }
            Body::Fault { status, .. } => {
                self.responses.remove(&call_id);
                Some(ClientEvent::Fault { call_id, status })
            }
            // shutdown: the server will close; nothing to answer.
            Body::Empty if pdu.header.ptype == PacketType::Shutdown => None,
            _ => Some(self.close(ProtocolError::Unexpected(pdu.header.ptype))),
        }
    }
}
