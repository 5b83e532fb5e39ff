//! Support for the generated code: pre-send checks, lenient decoding, wire forms, and the
//! macros that stand in for per-type boilerplate. Not a public API: names here may change in
//! any release.

mod check;
mod lenient;
mod list;
mod macros;
mod wire;
mod writer;

#[allow(unused_imports)]
// Exported at the crate root (as `$crate` paths need), and named here, where generated code
// calls them.
pub use crate::{
    __lenient_struct as lenient_struct, __method_error as method_error, __wire_enum as wire_enum,
};
pub use check::{result_error, AuthKind, Check, Checker, Count, Field};
pub use lenient::{
    lenient, lenient_object, lenient_object_opt, read_field, required, skip_value, Key, Lenient,
    Seed,
};
pub use list::{after_id, item_id, page_param, IdFilter};
pub use wire::{wire_value, WireEnum};
pub use writer::{write_struct, BoolWire, StructWriter};
