//! Checking a token against Parakey before anything is stored: which header form it takes,
//! and what the first page shows of the place.

use doorpost_core::i18n::{self, Msg};
use doorpost_core::ipc::{AppError, ErrorCode, TokenCheck};
use doorpost_core::poller::{AuthStyle, Outcome, Query, Request};
use doorpost_core::settings::Language;

use super::internal;
use crate::http::{ApiToken, BaseUrl, ParakeyClient, Timeouts};

/// One `GET /eventLogs?limit=100` with each header form in turn: whether Parakey takes the
/// token, and the name of the place (its domain) when a row says.
pub async fn validate(
    base: &BaseUrl,
    token: &ApiToken,
    lang: Language,
) -> Result<(TokenCheck, Option<String>), AppError> {
    let client =
        ParakeyClient::new(base.clone(), token.clone(), Timeouts::default()).map_err(internal)?;
    let mut last = None;
    for auth in [AuthStyle::AccessToken, AuthStyle::Bearer] {
        let request = Request {
            query: Query::Newest {
                limit: 100,
                skip: 0,
            },
            auth,
            if_none_match: None,
        };
        match client.send(&request).await.outcome {
            Outcome::Page { page, .. } => {
                let doors: std::collections::HashSet<&str> =
                    page.events.iter().filter_map(|e| e.door_id()).collect();
                let domain = page
                    .events
                    .iter()
                    .find_map(|e| e.domain.as_ref().and_then(|d| d.name.clone()));
                let check = TokenCheck {
                    auth_style: auth_name(auth).into(),
                    doors_seen: doors.len() as u32,
                    events_seen: page.events.len() as u32,
                };
                return Ok((check, domain));
            }
            Outcome::AuthRejected { status } => last = Some(status),
            Outcome::Network(e) | Outcome::Offline(e) => {
                let why = e.to_string();
                return Err(AppError::new(
                    ErrorCode::Network,
                    i18n::t(lang, Msg::CannotReach, &[("why", &why)]),
                ));
            }
            other => {
                let why = format!("{other:?}");
                return Err(AppError::new(
                    ErrorCode::Network,
                    i18n::t(lang, Msg::CannotReach, &[("why", &why)]),
                ));
            }
        }
    }
    let status = last.unwrap_or(401).to_string();
    Err(AppError::new(
        ErrorCode::AuthRejected,
        i18n::t(lang, Msg::ErrAuth, &[("status", &status)]),
    ))
}

pub fn auth_name(a: AuthStyle) -> &'static str {
    match a {
        AuthStyle::AccessToken => "access-token",
        AuthStyle::Bearer => "bearer",
    }
}
