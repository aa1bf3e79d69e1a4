//! oxidl: the runtime that generated DCOM code depends on.
//!
//! [`ndr`] marshals values in NDR20. The DCE/RPC transport and ORPC
//! dispatch arrive with the work that builds them.

pub mod ndr;
