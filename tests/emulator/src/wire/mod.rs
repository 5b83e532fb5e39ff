//! How requests and answers look on the wire: parameter parsing, lenient
//! value coercion, the JSON envelopes and the `time` object.

pub(crate) mod clock;
pub(crate) mod coerce;
pub(crate) mod envelope;
pub(crate) mod params;
