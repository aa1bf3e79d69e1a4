//! What generated stubs and proxies call: a request decoded and checked, a
//! response checked against the request and encoded, a call made.

use super::{CallError, Channel, Fault, SyntaxId};
use crate::ndr::{self, Ndr};

/// The stub data of a request.
pub trait Request: Ndr {
    /// The values of this request that its response's correlations name
    /// (`[in] count` sizing an `[out]` array), in the order the response
    /// expects them.
    fn context(&self) -> Vec<i128> {
        Vec::new()
    }
}

/// The stub data of a response.
pub trait Response: Ndr {
    /// Checks the correlations that name the request's values (`cx`, from
    /// [`Request::context`]): MIDL's /robust checks for `[out]` data.
    fn check(&self, _cx: &[i128]) -> ndr::Result<()> {
        Ok(())
    }

    /// Encodes the response with the request's values at hand, for bounds
    /// that only they give (an `[out]` array's maximum from an `[in]` count).
    fn encode_for(&self, e: &mut ndr::Encoder, _cx: &[i128]) -> ndr::Result<()> {
        ndr::encode_pointee(e, self)
    }
}

/// Decodes a request's stub data; what does not decode is the NDR fault.
pub fn request<R: Request>(stub: &[u8]) -> Result<R, Fault> {
    ndr::from_bytes(stub).map_err(Fault::from_ndr)
}

/// Checks and encodes a server's response. A response whose arrays
/// disagree with the request's counts is refused, as the client would.
pub fn reply<R: Response>(resp: R, cx: &[i128]) -> Result<Vec<u8>, Fault> {
    resp.check(cx).map_err(Fault::from_ndr)?;
    let mut e = ndr::Encoder::new();
    resp.encode_for(&mut e, cx).map_err(Fault::from_ndr)?;
    Ok(e.into_bytes())
}

/// Calls operation `opnum` with `req`, and decodes and checks the response.
pub async fn invoke<C: Channel + ?Sized, Q: Request, R: Response>(
    channel: &C,
    syntax: SyntaxId,
    opnum: u32,
    object: Option<uuid::Uuid>,
    req: &Q,
) -> Result<R, CallError> {
    let cx = req.context();
    let stub = ndr::try_to_bytes(req)?;
    let opnum = u16::try_from(opnum).map_err(|_| {
        CallError::Ndr(ndr::Error {
            offset: 0,
            kind: ndr::ErrorKind::CountOverflow(opnum as usize),
        })
    })?;
    let bytes = channel.call(syntax, opnum, object, stub).await?;
    // The request's values bound the response's arrays as it is read.
    let resp: R = ndr::from_bytes_in(&bytes, &cx)?;
    resp.check(&cx)?;
    Ok(resp)
}

/// The status an ACF's `[comm_status]` or `[fault_status]` makes a failed
/// call return in its `error_status_t`, as MIDL's stubs do: a fault's own
/// status, or for a failed connection RPC_S_SERVER_UNAVAILABLE (1722) and
/// RPC_S_CALL_FAILED (1726). `None` where the failure stays an error.
pub fn acf_status(e: &CallError, fault_status: bool, comm_status: bool) -> Option<u32> {
    const RPC_S_SERVER_UNAVAILABLE: u32 = 1722;
    const RPC_S_CALL_FAILED: u32 = 1726;
    const RPC_S_UNKNOWN_IF: u32 = 1717;
    match e {
        CallError::Fault(f) if fault_status => Some(f.status),
        CallError::Io(_) if comm_status => Some(RPC_S_SERVER_UNAVAILABLE),
        CallError::Protocol(_) | CallError::Closed if comm_status => Some(RPC_S_CALL_FAILED),
        CallError::BindRejected(_) if comm_status => Some(RPC_S_UNKNOWN_IF),
        _ => None,
    }
}
