//! The trait of an enum of typed events, so that receiving can decode into it without
//! knowing which namespaces a build holds.

/// A set of typed events, chosen by name: `bitrix_api::Event`, the enum of every namespace's
/// events in a build (and `Unknown` for the rest), implements it.
///
/// [`ReceivedEvent::typed`](super::ReceivedEvent::typed), the event router and the poller
/// decode into any such type; implement it for an enum of your own to narrow the set.
pub trait TypedEvent: Sized {
    /// The event's wire name (upper case, as the portal sends it).
    fn name(&self) -> &str;

    /// Decodes the `data` of the event named `name` (any case) into its variant. A name
    /// without a typed payload in the set should decode into a catch-all variant rather than
    /// fail, so that a new event never fails a handler.
    fn decode<'de, D: serde::Deserializer<'de>>(name: &str, data: D) -> Result<Self, D::Error>;
}
