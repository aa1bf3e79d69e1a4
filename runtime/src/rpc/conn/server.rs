//! The server's side of one association: bind negotiation, request
//! reassembly, response fragmentation, and the answer the spec gives to
//! each malformed PDU.

use std::collections::HashMap;

use super::{fault_pdu, fragments, InBuf, Limits, ProtocolError, MIN_FRAG};
use crate::rpc::pdu::{
    self, reason, reject, result, Body, ContextElem, ContextResult, Header, PacketType, Pdu,
    PduError,
};
use crate::rpc::{status, SyntaxId, NDR20};

/// The UUID prefix of a bind time feature negotiation proposal (MS-RPCE 3.3.1.5.3).
const BTFN_PREFIX: [u8; 8] = [0x2c, 0x1c, 0xb7, 0x6c, 0x12, 0x98, 0x40, 0x45];
/// Features msrpc agrees to: keep the connection when a call is orphaned.
const BTFN_KEEP_CONNECTION_ON_ORPHAN: u16 = 0x02;

/// A complete request, reassembled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IncomingCall {
    /// The call ID, which the response carries back.
    pub call_id: u32,
    /// The presentation context the request named.
    pub context_id: u16,
    /// The interface the context was bound to.
    pub syntax: SyntaxId,
    /// The operation called.
    pub opnum: u16,
    /// The object UUID, if the request carried one; for ORPC, the IPID.
    pub object: Option<uuid::Uuid>,
    /// The request's stub data, reassembled.
    pub stub: Vec<u8>,
}

/// What the connection asks of the layer above.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ServerEvent {
    /// Run this call and answer with [`ServerConn::respond`].
    Call(IncomingCall),
    /// The client cancelled a call (co_cancel).
    Cancel {
        /// The call cancelled.
        call_id: u32,
    },
    /// The client abandoned a call (orphaned): no response is wanted.
    Orphaned {
        /// The call abandoned.
        call_id: u32,
    },
    /// Send what is left in the output, then close: the peer broke the
    /// protocol in a way the connection cannot recover from.
    Close(ProtocolError),
}

struct Partial {
    context_id: u16,
    opnum: u16,
    object: Option<uuid::Uuid>,
    stub: Vec<u8>,
    /// Refused already (too large, unknown context): its fragments are dropped.
    refused: bool,
}

/// The server's side of one association, sans I/O: it negotiates binds,
/// reassembles requests into [`IncomingCall`]s, and sends responses and
/// faults in fragments.
pub struct ServerConn {
    limits: Limits,
    /// The port or pipe name bind_ack reports (`sec_addr`).
    sec_addr: String,
    new_group: u32,
    inbuf: InBuf,
    out: Vec<u8>,
    bound: bool,
    max_xmit: u16,
    max_recv: u16,
    contexts: HashMap<u16, SyntaxId>,
    partial: HashMap<u32, Partial>,
    /// Calls handed out and not yet answered.
    running: usize,
    closed: bool,
}

impl ServerConn {
    /// `assoc_group_id` is the group a client that asks for a new one joins.
    pub fn new(limits: Limits, assoc_group_id: u32, sec_addr: String) -> ServerConn {
        ServerConn {
            limits,
            sec_addr,
            new_group: assoc_group_id,
            inbuf: InBuf::default(),
            out: Vec::new(),
            bound: false,
            max_xmit: limits.max_frag,
            max_recv: limits.max_frag,
            contexts: HashMap::new(),
            partial: HashMap::new(),
            running: 0,
            closed: false,
        }
    }

    /// Takes bytes read from the client; they are dropped once the
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

    /// Handles what has arrived until a call (or the end) comes out.
    /// `serves` says whether an interface is registered.
    pub fn poll(&mut self, serves: &dyn Fn(&SyntaxId) -> bool) -> Option<ServerEvent> {
        while !self.closed {
            let frag = match self.inbuf.next_fragment(usize::from(self.max_recv)) {
                None => return None,
                Some(Ok(f)) => f,
                Some(Err(e)) => return Some(self.refuse_header(e)),
            };
            if let Some(event) = self.fragment(frag, serves) {
                return Some(event);
            }
        }
        None
    }

    /// A header that cannot be used: answer what the spec says, then close.
    fn refuse_header(&mut self, e: ProtocolError) -> ServerEvent {
        let head = self.inbuf.rest().get(..pdu::HEADER_LEN).unwrap_or(&[]);
        let ptype = head.get(2).copied();
        let call_id = head
            .get(12..16)
            .map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
        match (&e, ptype) {
            // A bind in a version we do not speak: bind_nak, naming ours.
            (ProtocolError::Pdu(PduError::Version(..)), Some(11)) => {
                self.nak(call_id, reject::PROTOCOL_VERSION_NOT_SUPPORTED)
            }
            (ProtocolError::FragTooLong { .. }, Some(0)) => self.fault(
                call_id,
                0,
                status::NCA_S_PROTO_ERROR,
                pdu::PFC_DID_NOT_EXECUTE,
            ),
            _ => {}
        }
        self.close(e)
    }

    fn close(&mut self, e: ProtocolError) -> ServerEvent {
        tracing::debug!(error = %e, "closing the connection");
        self.closed = true;
        self.inbuf.clear();
        ServerEvent::Close(e)
    }

    fn fragment(
        &mut self,
        (header, pdu): (Header, Result<Pdu, PduError>),
        serves: &dyn Fn(&SyntaxId) -> bool,
    ) -> Option<ServerEvent> {
        let pdu = match pdu {
            Ok(p) => p,
            Err(e) => {
                match header.ptype {
                    PacketType::Bind => self.nak(header.call_id, reject::REASON_NOT_SPECIFIED),
                    PacketType::Request => self.fault(
                        header.call_id,
                        0,
                        status::NCA_S_PROTO_ERROR,
                        pdu::PFC_DID_NOT_EXECUTE,
                    ),
                    _ => {}
                }
                return Some(self.close(e.into()));
            }
        };
        tracing::trace!(ptype = ?header.ptype, call_id = header.call_id, len = header.frag_length, "received");
        if let Some(auth) = &pdu.auth {
            // The seam for a security provider: none is configured, so a
            // bind that asks for one is refused, and a verifier anywhere
            // else has no security context to belong to.
            tracing::debug!(
                auth_type = auth.auth_type,
                level = auth.auth_level,
                "auth verifier"
            );
            match header.ptype {
                PacketType::Bind => {
                    self.nak(header.call_id, reject::AUTHENTICATION_TYPE_NOT_RECOGNIZED);
                }
                PacketType::Request => {
                    self.fault(
                        header.call_id,
                        0,
                        status::NCA_S_PROTO_ERROR,
                        pdu::PFC_DID_NOT_EXECUTE,
                    );
                }
                _ => {}
            }
            return Some(self.close(ProtocolError::Unauthenticated));
        }
        match pdu.body {
            Body::Bind {
                max_xmit_frag,
                max_recv_frag,
                assoc_group_id,
                contexts,
            } if header.ptype == PacketType::Bind => {
                // A second bind on a bound connection is not C706's way
                // (alter_context is), but impacket's DCOM client sends one
                // for every activation, reusing context IDs for other
                // interfaces: it starts the association's contexts afresh.
                if self.bound {
                    self.contexts.clear();
                }
                if max_xmit_frag < MIN_FRAG || max_recv_frag < MIN_FRAG {
                    self.nak(header.call_id, reject::LOCAL_LIMIT_EXCEEDED);
                    let small = max_xmit_frag.min(max_recv_frag);
                    return Some(self.close(ProtocolError::FragTooSmall(small)));
                }
                self.max_xmit = max_recv_frag.min(self.limits.max_frag);
                self.max_recv = max_xmit_frag.min(self.limits.max_frag);
                let group = if assoc_group_id == 0 {
                    self.new_group
                } else {
                    assoc_group_id
                };
                self.bound = true;
                let results = self.negotiate(&contexts, serves);
                tracing::debug!(?results, max_xmit = self.max_xmit, "bind");
                self.ack(PacketType::BindAck, header.call_id, group, results);
                None
            }
            Body::Bind { contexts, .. } => {
                if !self.bound {
                    return Some(self.close(ProtocolError::NotBound));
                }
                let results = self.negotiate(&contexts, serves);
                self.ack(
                    PacketType::AlterContextResp,
                    header.call_id,
                    self.new_group,
                    results,
                );
                None
            }
            Body::Request {
                context_id,
                opnum,
                object,
                stub,
                ..
            } => self.request(header, context_id, opnum, object, stub),
            Body::Empty => match header.ptype {
                PacketType::CoCancel => Some(ServerEvent::Cancel {
                    call_id: header.call_id,
                }),
                PacketType::Orphaned => {
                    self.partial.remove(&header.call_id);
                    Some(ServerEvent::Orphaned {
                        call_id: header.call_id,
                    })
                }
                // auth3 completes a security handshake no provider started.
                _ => None,
            },
            _ => Some(self.close(ProtocolError::Unexpected(header.ptype))),
        }
    }

    fn request(
        &mut self,
        header: Header,
        context_id: u16,
        opnum: u16,
        object: Option<uuid::Uuid>,
        stub: Vec<u8>,
    ) -> Option<ServerEvent> {
        if !self.bound {
            self.fault(header.call_id, context_id, status::NCA_S_PROTO_ERROR, 0);
            return Some(self.close(ProtocolError::NotBound));
        }
        let call_id = header.call_id;
        if header.flags & pdu::PFC_FIRST_FRAG != 0 {
            if self.partial.len() + self.running >= self.limits.max_calls {
                self.fault(call_id, context_id, status::NCA_S_PROTO_ERROR, 0);
                return Some(self.close(ProtocolError::TooManyCalls(self.limits.max_calls)));
            }
            let refused = if !self.contexts.contains_key(&context_id) {
                // A context never bound: the call cannot run (Samba answers alike).
                self.fault(
                    call_id,
                    context_id,
                    status::NCA_S_UNK_IF,
                    pdu::PFC_DID_NOT_EXECUTE,
                );
                true
            } else {
                false
            };
            self.partial.insert(
                call_id,
                Partial {
                    context_id,
                    opnum,
                    object,
                    stub: Vec::new(),
                    refused,
                },
            );
        }
        let Some(p) = self.partial.get_mut(&call_id) else {
            self.fault(call_id, context_id, status::NCA_S_PROTO_ERROR, 0);
            return Some(self.close(ProtocolError::NoFirstFragment(call_id)));
        };
        if !p.refused {
            if p.stub.is_empty() {
                p.stub = stub; // the common single fragment: no copy
                if p.stub.len() > self.limits.max_message {
                    p.refused = true;
                    p.stub = Vec::new();
                    let ctx = p.context_id;
                    let flags = pdu::PFC_DID_NOT_EXECUTE;
                    self.fault(call_id, ctx, status::NCA_S_FAULT_REMOTE_NO_MEMORY, flags);
                }
            } else if p.stub.len() + stub.len() > self.limits.max_message {
                p.refused = true;
                p.stub = Vec::new();
                let ctx = p.context_id;
                let flags = pdu::PFC_DID_NOT_EXECUTE;
                self.fault(call_id, ctx, status::NCA_S_FAULT_REMOTE_NO_MEMORY, flags);
            } else {
                p.stub.extend_from_slice(&stub);
            }
        }
        if header.flags & pdu::PFC_LAST_FRAG == 0 {
            return None;
        }
        let p = self.partial.remove(&call_id)?;
        if p.refused {
            return None;
        }
        let syntax = *self.contexts.get(&p.context_id)?;
        self.running += 1;
        Some(ServerEvent::Call(IncomingCall {
            call_id,
            context_id: p.context_id,
            syntax,
            opnum: p.opnum,
            object: p.object,
            stub: p.stub,
        }))
    }

    /// Answers a call from [`ServerEvent::Call`]: the response stub data in
    /// fragments, or a fault.
    pub fn respond(&mut self, call_id: u32, context_id: u16, outcome: Result<Vec<u8>, u32>) {
        self.running = self.running.saturating_sub(1);
        if self.closed {
            return;
        }
        match outcome {
            Ok(stub) => {
                let make = |flags, alloc_hint| Pdu {
                    header: Header {
                        ptype: PacketType::Response,
                        flags,
                        frag_length: 0,
                        auth_length: 0,
                        call_id,
                    },
                    auth: None,
                    body: Body::Response {
                        alloc_hint,
                        context_id,
                        cancel_count: 0,
                        stub: Vec::new(),
                    },
                };
                let overhead = pdu::RESPONSE_OVERHEAD;
                fragments(&stub, self.max_xmit, overhead, make, &mut self.out);
            }
            Err(status) => self.fault(call_id, context_id, status, 0),
        }
    }

    /// Ends a call whose client orphaned it: nothing is sent.
    pub fn forget(&mut self, _call_id: u32) {
        self.running = self.running.saturating_sub(1);
    }

    /// One result per proposed context, recording the accepted ones.
    fn negotiate(
        &mut self,
        proposed: &[ContextElem],
        serves: &dyn Fn(&SyntaxId) -> bool,
    ) -> Vec<ContextResult> {
        let zero = SyntaxId {
            uuid: uuid::Uuid::nil(),
            major: 0,
            minor: 0,
        };
        let reject = |reason| ContextResult {
            result: result::PROVIDER_REJECTION,
            reason,
            transfer_syntax: zero,
        };
        proposed
            .iter()
            .map(|c| {
                let btfn = c
                    .transfer_syntaxes
                    .iter()
                    .find(|t| t.uuid.to_bytes_le()[..8] == BTFN_PREFIX);
                if let Some(t) = btfn {
                    let asked = u16::from(t.uuid.to_bytes_le()[8]);
                    return ContextResult {
                        result: result::NEGOTIATE_ACK,
                        reason: asked & BTFN_KEEP_CONNECTION_ON_ORPHAN,
                        transfer_syntax: zero,
                    };
                }
                if !serves(&c.abstract_syntax) {
                    return reject(reason::ABSTRACT_SYNTAX_NOT_SUPPORTED);
                }
                if !c.transfer_syntaxes.contains(&NDR20) {
                    return reject(reason::PROPOSED_TRANSFER_SYNTAXES_NOT_SUPPORTED);
                }
                match self.contexts.get(&c.context_id) {
                    // A context ID keeps the syntax it was first bound to.
                    Some(s) if *s != c.abstract_syntax => reject(reason::NOT_SPECIFIED),
                    _ => {
                        self.contexts.insert(c.context_id, c.abstract_syntax);
                        ContextResult {
                            result: result::ACCEPTANCE,
                            reason: 0,
                            transfer_syntax: NDR20,
                        }
                    }
                }
            })
            .collect()
    }

    fn ack(&mut self, ptype: PacketType, call_id: u32, group: u32, results: Vec<ContextResult>) {
        let sec_addr = if ptype == PacketType::BindAck {
            self.sec_addr.clone()
        } else {
            String::new()
        };
        let pdu = Pdu {
            header: Header::single(ptype, call_id),
            auth: None,
            body: Body::BindAck {
                max_xmit_frag: self.max_xmit,
                max_recv_frag: self.max_recv,
                assoc_group_id: group,
                sec_addr,
                results,
            },
        };
        self.out.extend_from_slice(&pdu.to_bytes());
    }

    fn nak(&mut self, call_id: u32, reason: u16) {
        let pdu = Pdu {
            header: Header::single(PacketType::BindNak, call_id),
            auth: None,
            body: Body::BindNak {
                reason,
                versions: vec![(5, 0)],
            },
        };
        self.out.extend_from_slice(&pdu.to_bytes());
    }

    fn fault(&mut self, call_id: u32, context_id: u16, status: u32, flags: u8) {
        tracing::debug!(call_id, status = %format_args!("{status:#010x}"), "fault");
        let pdu = fault_pdu(call_id, context_id, status, flags);
        self.out.extend_from_slice(&pdu.to_bytes());
    }
}
