//! Scripted customers for open-line conversations: what a customer writes, line by line.
//! Play one with [`Emulator::customer_writes`](crate::Emulator::customer_writes) and
//! [`Emulator::wait_for_answer`](crate::Emulator::wait_for_answer) after each line.

/// A customer who says hello, asks two questions and then wants a human operator.
pub const ASKS_FOR_OPERATOR: &[&str] = &["Hello!", "help", "hours", "operator please"];

/// A customer who says hello, asks a question and says goodbye.
pub const SAYS_GOODBYE: &[&str] = &["Hi there", "hours", "bye"];
