//! Nothing here: the examples are the cargo examples of this package.
#![forbid(unsafe_code)]
