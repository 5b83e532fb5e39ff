//! The error answers the emulator gives, with the codes, HTTP statuses and
//! `error_description` texts that the documentation lists for them.

use std::borrow::Cow;

/// One REST error answer: `{"error": code, "error_description": message}`
/// sent with `status`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub status: u16,
    pub code: Cow<'static, str>,
    pub message: Cow<'static, str>,
}

const fn e(status: u16, code: &'static str, message: &'static str) -> ApiError {
    ApiError {
        status,
        code: Cow::Borrowed(code),
        message: Cow::Borrowed(message),
    }
}

// System errors (any method).
pub(crate) const NO_AUTH_FOUND: ApiError = e(401, "NO_AUTH_FOUND", "Wrong authorization data");
pub(crate) const EXPIRED_TOKEN: ApiError = e(
    401,
    "expired_token",
    "The access token provided has expired",
);
pub(crate) const QUERY_LIMIT_EXCEEDED: ApiError =
    e(503, "QUERY_LIMIT_EXCEEDED", "Too many requests");
pub(crate) const OPERATION_TIME_LIMIT: ApiError = e(
    429,
    "OPERATION_TIME_LIMIT",
    "Method is blocked due to operation time limit.",
);
pub(crate) const METHOD_NOT_FOUND: ApiError = e(404, "ERROR_METHOD_NOT_FOUND", "Method not found!");
pub(crate) const BATCH_METHOD_NOT_ALLOWED: ApiError = e(
    405,
    "ERROR_BATCH_METHOD_NOT_ALLOWED",
    "Method is not allowed for batch usage",
);
pub(crate) const BATCH_LENGTH_EXCEEDED: ApiError = e(
    400,
    "ERROR_BATCH_LENGTH_EXCEEDED",
    "Max batch length exceeded",
);

// imopenlines.bot.session.*
pub(crate) const CHAT_ID_EMPTY: ApiError = e(400, "CHAT_ID_EMPTY", "Chat ID can't be empty");
pub(crate) const BOT_ID_ERROR: ApiError = e(400, "BOT_ID_ERROR", "Bot not found");
pub(crate) const WRONG_AUTH_TYPE: ApiError = e(
    403,
    "WRONG_AUTH_TYPE",
    "Access for this method not allowed by session authorization",
);
pub(crate) const WRONG_CHAT: ApiError = e(400, "WRONG_CHAT", "Operator is not a bot");
pub(crate) const USER_ID_EMPTY: ApiError = e(400, "USER_ID_EMPTY", "User ID can't be empty");
pub(crate) const QUEUE_ID_EMPTY: ApiError = e(400, "QUEUE_ID_EMPTY", "QUEUE ID can't be empty");
pub(crate) const TRANSFER_ID_EMPTY: ApiError = e(
    400,
    "TRANSFER_ID_EMPTY",
    "Queue ID or User ID can't be empty",
);
pub(crate) const OPERATOR_WRONG: ApiError = e(
    400,
    "OPERATOR_WRONG",
    "You cannot redirect to this operator",
);

// imopenlines.dialog.get
pub(crate) const ACCESS_ERROR: ApiError = e(
    400,
    "ACCESS_ERROR",
    "You do not have access to the specified dialog",
);

// imopenlines.crm.chat.get
pub(crate) const CRM_ACCESS_DENIED: ApiError = e(
    403,
    "ACCESS_DENIED",
    "Access denied! You don't have access to this action",
);
pub(crate) const CRM_ENTITY_TYPE_EMPTY: ApiError = e(
    400,
    "ERROR_ARGUMENT",
    "Argument 'CRM_ENTITY_TYPE' is null or empty",
);
pub(crate) const CRM_ENTITY_EMPTY: ApiError = e(
    400,
    "ERROR_ARGUMENT",
    "Argument 'CRM_ENTITY' is null or empty",
);
pub(crate) const CRM_ENTITY_INVALID_TYPE: ApiError = e(
    400,
    "ERROR_ARGUMENT",
    "The value of an argument 'CRM_ENTITY' has an invalid type",
);
