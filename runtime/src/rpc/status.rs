//! Status codes of fault and bind_nak PDUs (C706 appendix E, MS-RPCE 2.2.2.11).

/// The operation number is out of range for the interface.
pub const NCA_S_OP_RNG_ERROR: u32 = 0x1C01_0002;
/// The interface is not served.
pub const NCA_S_UNK_IF: u32 = 0x1C01_0003;
/// The PDU broke the protocol.
pub const NCA_S_PROTO_ERROR: u32 = 0x1C01_000B;
/// The server method failed in a way it did not describe (here: it panicked).
pub const NCA_S_FAULT_UNSPEC: u32 = 0x1C00_0012;
/// The request's presentation context is not one the client bound.
pub const NCA_S_INVALID_PRES_CONTEXT_ID: u32 = 0x1C00_001C;
/// The request is larger than the server accepts.
pub const NCA_S_FAULT_REMOTE_NO_MEMORY: u32 = 0x1C00_001B;
/// The stub data does not decode as the IDL says (RPC_X_BAD_STUB_DATA).
pub const NCA_S_FAULT_NDR: u32 = 0x0000_06F7;
/// The C706 name of a status code, or the MS-ERREF name of an HRESULT
/// (ORPC faults carry those), for messages.
pub fn name(status: u32) -> &'static str {
    match status {
        NCA_S_OP_RNG_ERROR => "nca_s_op_rng_error",
        NCA_S_UNK_IF => "nca_s_unk_if",
        NCA_S_PROTO_ERROR => "nca_s_proto_error",
        NCA_S_FAULT_UNSPEC => "nca_s_fault_unspec",
        NCA_S_INVALID_PRES_CONTEXT_ID => "nca_s_invalid_pres_context_id",
        NCA_S_FAULT_REMOTE_NO_MEMORY => "nca_s_fault_remote_no_memory",
        NCA_S_FAULT_NDR => "nca_s_fault_ndr",
        _ => crate::Hresult(status).name().unwrap_or("unknown status"),
    }
}
