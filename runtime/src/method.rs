//! The traits every generated request and error enum implement.

use crate::error::ApiError;
use crate::Scope;
use serde::Serialize;

/// A REST method: implemented by every generated request struct.
pub trait Method: Serialize {
    /// The wire name, such as `imopenlines.bot.session.finish`.
    const NAME: &'static str;
    /// The scopes the method needs.
    const SCOPES: &'static [Scope];
    /// What a successful call returns.
    type Result: crate::__private::Lenient;
    /// The method's documented errors.
    type Error: MethodError;
    /// Whether the method only reads: a read is repeated after a transport error or an HTTP
    /// 5xx answer, a write never is (unless the client opts in), because it may have run.
    /// Refusals before running are repeated either way. The generator sets this from the
    /// spec; the default treats a method as a write.
    const READ: bool = false;

    /// Checks documented constraints before sending; the generated impls fill this in.
    fn check(&self, c: &mut crate::__private::Checker) {
        let _ = c;
    }

    /// An error the server reported inside a successful answer (`result.error`), for methods
    /// documented to do so; the client returns it as a typed error.
    fn result_error(result: &Self::Result) -> Option<ApiError> {
        let _ = result;
        None
    }
}

/// A documented error case: what the official page lists for a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorDoc {
    /// The `error` code.
    pub code: &'static str,
    /// The HTTP status the docs give.
    pub status: u16,
    /// The server's `error_description` the docs give (empty when none is documented).
    pub message: &'static str,
}

/// An enum of documented error codes (one per method, plus [`crate::SystemError`]).
pub trait MethodError: Sized + std::fmt::Debug + std::fmt::Display {
    /// Every documented case, in documentation order.
    const DOCUMENTED: &'static [ErrorDoc];
    /// The typed variant for an error answer, or the answer back when its code is not documented.
    fn from_api(e: ApiError) -> Result<Self, ApiError>;
    /// The server's answer behind the variant.
    fn api_error(&self) -> &ApiError;
    /// The error code.
    fn code(&self) -> &str {
        &self.api_error().code
    }
}

/// The error enum of methods that document no errors of their own: it has no values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoMethodError {}

impl MethodError for NoMethodError {
    const DOCUMENTED: &'static [ErrorDoc] = &[];
    fn from_api(e: ApiError) -> Result<Self, ApiError> {
        Err(e)
    }
    fn api_error(&self) -> &ApiError {
        match *self {}
    }
}

impl std::fmt::Display for NoMethodError {
    fn fmt(&self, _: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {}
    }
}

impl std::error::Error for NoMethodError {}
