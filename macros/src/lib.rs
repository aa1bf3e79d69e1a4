//! oxidl-macros: the Rust-trait front end of oxidl. It will lower traits into
//! the same model the IDL front end produces.
