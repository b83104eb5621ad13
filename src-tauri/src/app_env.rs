//! What the app and the command-line tools both start from: the keychain entries,
//! `DOORPOST_TOKEN` and `DOORPOST_API_URL` (checked), and Parakey's own address.

use std::sync::Arc;

use doorpost_engine::http::{ApiToken, BaseUrl, DEFAULT_BASE_URL};
use doorpost_engine::hub::Keychains;
use doorpost_engine::keychain::{OsKeychain, TokenStore};

use crate::{env_token, paths};

/// The keychain entries: one per place, in a service per build flavour, so a dev build
/// never touches a real one.
pub fn keychains() -> Keychains {
    Arc::new(|entry: &str| {
        Arc::new(OsKeychain::new(paths::IDENTIFIER, entry)) as Arc<dyn TokenStore>
    })
}

/// `DOORPOST_TOKEN` and `DOORPOST_API_URL`, checked; a bad one is a usage error. For the
/// command-line tools, which start no child process: the app takes its token out of the
/// environment first ([`env_token::take`]).
pub fn environment() -> Result<(Option<ApiToken>, BaseUrl), String> {
    checked_environment(std::env::var(env_token::VAR).ok())
}

pub(crate) fn checked_environment(
    token: Option<String>,
) -> Result<(Option<ApiToken>, BaseUrl), String> {
    let token = match token {
        Some(t) if !t.trim().is_empty() => {
            Some(ApiToken::new(&t).map_err(|e| format!("DOORPOST_TOKEN: {e}"))?)
        }
        _ => None,
    };
    let base = std::env::var("DOORPOST_API_URL").unwrap_or_else(|_| DEFAULT_BASE_URL.into());
    let base = BaseUrl::parse(&base).map_err(|e| format!("DOORPOST_API_URL: {e}"))?;
    Ok((token, base))
}

/// Parakey's own address: where a stored place without one of its own is.
pub fn parakey_base() -> BaseUrl {
    BaseUrl::parse(DEFAULT_BASE_URL).expect("Parakey's address is valid")
}
