//! The one pre-send step of calls and batch commands: the method name, the documented
//! constraints, the encoding. Whatever fails here is [`Error::Refused`] and nothing is sent.

use crate::__private::Checker;
use crate::error::{Error, Problem, Refusal};
use crate::method::Method;
use crate::Client;

/// A refusal of `method` with one problem that concerns no particular param.
pub(crate) fn refuse<E>(method: &'static str, message: String) -> Error<E> {
    Error::Refused(Refusal {
        method,
        problems: vec![Problem {
            param: String::new(),
            message,
        }],
    })
}

/// Checks a call of `M` as `client` would send it, then encodes it with `encode`.
pub(crate) fn prepare<M: Method, T, X: std::fmt::Display>(
    client: &Client,
    request: &M,
    encode: impl FnOnce(&M) -> Result<T, X>,
) -> Result<T, Error<M::Error>> {
    prepare_except(client, request, |_| false, encode)
}

/// [`prepare`], leaving out the problems `skip` selects (params whose value is not sent).
pub(crate) fn prepare_except<M: Method, T, X: std::fmt::Display>(
    client: &Client,
    request: &M,
    skip: impl Fn(&Problem) -> bool,
    encode: impl FnOnce(&M) -> Result<T, X>,
) -> Result<T, Error<M::Error>> {
    if let Err(message) = check_method_name(M::NAME) {
        return Err(refuse(M::NAME, message));
    }
    if client.checks_requests() {
        let mut c = Checker::new(client.auth_kind());
        request.check(&mut c);
        let mut problems = c.into_problems();
        problems.retain(|p| !skip(p));
        if !problems.is_empty() {
            return Err(Error::Refused(Refusal {
                method: M::NAME,
                problems,
            }));
        }
    }
    encode(request).map_err(|e| refuse(M::NAME, format!("cannot be encoded: {e}")))
}

/// Checks that `name` is a method name as the portal spells them: dot-separated parts of ASCII
/// letters, digits and `_` (`imbot.v2.Chat.get`, `sonet_group.create`). Anything else (`/`,
/// `..`, `?`, `#`, `%`, spaces, an empty name) would reach another path than `/rest/METHOD`.
pub(crate) fn check_method_name(name: &str) -> Result<(), String> {
    let part_ok =
        |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if name.len() <= 200 && name.split('.').all(part_ok) {
        Ok(())
    } else {
        Err(format!(
            "{:?} is not a method name (dot-separated parts of ASCII letters, digits and _)",
            name.chars().take(80).collect::<String>()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::check_method_name;

    #[test]
    fn method_names_are_what_the_portal_accepts() {
        for ok in [
            "batch",
            "imopenlines.bot.session.finish",
            "imbot.v2.Chat.get",
            "sonet_group.create",
            "im.v2.File.upload",
        ] {
            assert!(check_method_name(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            ".",
            "a..b",
            ".a",
            "a.",
            "../../x",
            "a/b",
            "a?b=1",
            "a#b",
            "a%2Fb",
            "a b",
            "a\tb",
            "a\nb",
            "a.-b",
            "ünïcode.get",
        ] {
            assert!(check_method_name(bad).is_err(), "{bad:?}");
        }
    }
}
