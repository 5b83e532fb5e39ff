//! How much a received body may hold.

/// The most nesting levels a body may use, whatever [`Limits::max_depth`] says: decoding and
/// dropping a tree recurse once per level, so this bounds the stack they use.
pub const HARD_MAX_DEPTH: usize = 256;

/// Limits on a received body; a body over any of them is rejected before it is decoded.
///
/// Memory follows the number of maps a body creates, not only its size: at the defaults, the
/// worst form body (5000 fields each nested 64 deep, 0.7 MB) builds 320 000 maps, about 55 MB
/// while it is held. Lower `max_fields` or `max_depth` where that matters.
///
/// ```
/// let limits = bitrix_api::events::Limits::default().max_fields(500);
/// assert_eq!(limits.max_body, 4 * 1024 * 1024);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Largest body, in bytes (default 4 MiB).
    pub max_body: usize,
    /// Deepest nesting: brackets after a form field's name, or JSON objects and arrays inside
    /// one another (default 64, PHP's `max_input_nesting_level`; at most [`HARD_MAX_DEPTH`]).
    pub max_depth: usize,
    /// Most `&`-separated fields in a form body (default 5000; PHP's `max_input_vars` is 1000,
    /// which large events come near).
    pub max_fields: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body: 4 * 1024 * 1024,
            max_depth: 64,
            max_fields: 5000,
        }
    }
}

impl Limits {
    /// Sets the largest body, in bytes.
    #[must_use]
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// Sets the deepest nesting (values over [`HARD_MAX_DEPTH`] count as it).
    #[must_use]
    pub fn max_depth(mut self, levels: usize) -> Self {
        self.max_depth = levels;
        self
    }

    /// Sets the most fields of a form body.
    #[must_use]
    pub fn max_fields(mut self, fields: usize) -> Self {
        self.max_fields = fields;
        self
    }

    /// The nesting limit in force.
    pub(crate) fn depth(&self) -> usize {
        self.max_depth.min(HARD_MAX_DEPTH)
    }
}
