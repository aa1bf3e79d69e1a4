//! oxidl: the runtime that generated DCOM code depends on.
//!
//! NDR marshaling, the DCE/RPC transport and ORPC dispatch arrive with the
//! issues that build them; this crate is the name users depend on.
