//! Adding, renaming and removing places, and their tokens.
//!
//! A token is checked against Parakey before anything is stored; then it goes to the
//! place's own keychain entry, and the session restarts with every place. Removing a place
//! deletes its token and, when asked, its history.

use std::sync::Arc;

use std::path::Path;

use doorpost_core::i18n::{self, Msg};
use doorpost_core::ipc::{AppError, ErrorCode, Mode, NewPlace, PlacePatch, TokenCheck};
use doorpost_core::settings::{FieldError, Language};

use super::{FIRST_PLACE, Hub, Keychains, internal, keychain_entry, validate};
use crate::http::{ApiToken, BaseUrl, wall_now};
use crate::store::{PlaceRow, Store};

/// Longest place name.
const MAX_NAME: usize = 80;

impl Hub {
    fn bad_token(&self, e: impl std::fmt::Display) -> AppError {
        AppError::new(ErrorCode::AuthRejected, e.to_string())
    }

    /// The account's store, whatever the session shows (the demo has its own).
    fn account_store(&self) -> Result<Store, AppError> {
        Self::open_store(&self.opts.data_dir)
    }

    /// The first run, or a new token for the first place: checked, stored, then syncing.
    pub async fn set_token(self: &Arc<Self>, raw: &str) -> Result<TokenCheck, AppError> {
        let lang = self.language().await;
        let token = ApiToken::new(raw).map_err(|e| self.bad_token(e))?;
        let mut store = self.account_store()?;
        let first = store.places().map_err(internal)?.into_iter().next();
        let base = match first.as_ref().and_then(|p| p.api_url.as_deref()) {
            Some(url) => BaseUrl::parse(url).map_err(internal)?,
            None => self.opts.default_base.clone(),
        };
        let (check, domain) = validate(&base, &token, lang).await?;
        let id = first
            .as_ref()
            .map_or(FIRST_PLACE.to_string(), |p| p.id.clone());
        (self.opts.keychains)(&keychain_entry(&id))
            .set(&token)
            .map_err(|e| keychain_error(lang, e))?;
        if first.is_none() {
            let row = PlaceRow {
                id: id.clone(),
                name: domain.unwrap_or_else(|| "Parakey".into()),
                api_url: None,
                notify_mode: None,
            };
            store.add_place(&row, wall_now()).map_err(internal)?;
            store.adopt_unplaced(&id).map_err(internal)?;
        }
        drop(store);
        self.switch(Mode::Account).await?;
        Ok(check)
    }

    /// Forgets the first place's token (the window's "Remove token").
    pub async fn clear_token(self: &Arc<Self>) -> Result<(), AppError> {
        let lang = self.language().await;
        let first = self.account_store()?.places().map_err(internal)?;
        let id = first.first().map_or(FIRST_PLACE, |p| p.id.as_str());
        (self.opts.keychains)(&keychain_entry(id))
            .clear()
            .map_err(|e| keychain_error(lang, e))?;
        self.switch(Mode::Account).await
    }

    /// Adds a place: its token checked against its address, then stored in its own
    /// keychain entry; the session restarts with it.
    pub async fn add_place(self: &Arc<Self>, new: NewPlace) -> Result<TokenCheck, AppError> {
        let lang = self.language().await;
        let (check, _) = self.book(lang).add(new).await?;
        self.switch(Mode::Account).await?;
        Ok(check)
    }

    fn book(&self, lang: Language) -> PlaceBook<'_> {
        PlaceBook {
            data_dir: &self.opts.data_dir,
            keychains: &self.opts.keychains,
            default_base: &self.opts.default_base,
            lang,
        }
    }

    /// Renames a place or changes its notification mode; applied at once.
    pub async fn update_place(
        self: &Arc<Self>,
        id: &str,
        patch: PlacePatch,
    ) -> Result<(), AppError> {
        let lang = self.language().await;
        let name = match &patch.name {
            Some(n) => Some(self.book(lang).name(n, Some(id))?),
            None => None,
        };
        let found = self
            .account_store()?
            .update_place(id, name.as_deref(), patch.notify_mode)
            .map_err(internal)?;
        if !found {
            return Err(self.error(
                lang,
                ErrorCode::InvalidSettings,
                Msg::NoSuchPlace,
                &[("name", id)],
            ));
        }
        self.reload().await
    }

    /// A new token for a place: checked against its address first.
    pub async fn set_place_token(
        self: &Arc<Self>,
        id: &str,
        raw: &str,
    ) -> Result<TokenCheck, AppError> {
        let lang = self.language().await;
        let token = ApiToken::new(raw).map_err(|e| self.bad_token(e))?;
        let places = self.account_store()?.places().map_err(internal)?;
        let place = places.iter().find(|p| p.id == id).ok_or_else(|| {
            self.error(
                lang,
                ErrorCode::InvalidSettings,
                Msg::NoSuchPlace,
                &[("name", id)],
            )
        })?;
        let base = match &place.api_url {
            Some(url) => BaseUrl::parse(url).map_err(internal)?,
            None => self.opts.default_base.clone(),
        };
        let (check, _) = validate(&base, &token, lang).await?;
        (self.opts.keychains)(&keychain_entry(id))
            .set(&token)
            .map_err(|e| keychain_error(lang, e))?;
        self.switch(Mode::Account).await?;
        Ok(check)
    }

    /// Removes a place and its token; its history too when `delete_history`.
    pub async fn remove_place(
        self: &Arc<Self>,
        id: &str,
        delete_history: bool,
    ) -> Result<(), AppError> {
        let lang = self.language().await;
        self.book(lang).remove(id, delete_history)?;
        let mode = self.state.lock().await.mode;
        match mode {
            Some(Mode::Demo) => Ok(()),
            _ => self.switch(Mode::Account).await,
        }
    }
}

/// The places as stored, with their keychain entries: what both the window (through the
/// hub) and `doorpost places` change. Nothing here starts or stops an engine.
pub struct PlaceBook<'a> {
    pub data_dir: &'a Path,
    pub keychains: &'a Keychains,
    pub default_base: &'a BaseUrl,
    pub lang: Language,
}

impl PlaceBook<'_> {
    fn error(&self, code: ErrorCode, msg: Msg, args: &[(&str, &str)]) -> AppError {
        AppError::new(code, i18n::t(self.lang, msg, args))
    }

    fn store(&self) -> Result<Store, AppError> {
        Hub::open_store(self.data_dir)
    }

    /// An invalid field, said once as the message and once for the field.
    fn field_error(&self, field: &str, msg: Msg, args: &[(&str, &str)]) -> AppError {
        let mut err = self.error(ErrorCode::InvalidSettings, msg, args);
        err.fields.push(FieldError {
            field: field.into(),
            message: err.message.clone(),
        });
        err
    }

    /// Every place as stored.
    pub fn list(&self) -> Result<Vec<PlaceRow>, AppError> {
        self.store()?.places().map_err(internal)
    }

    /// Whether a place's keychain entry holds a token.
    pub fn token_set(&self, id: &str) -> bool {
        (self.keychains)(&keychain_entry(id))
            .is_set()
            .unwrap_or(false)
    }

    /// The place with this id, or this name (any case).
    pub fn find(&self, id_or_name: &str) -> Result<PlaceRow, AppError> {
        self.list()?
            .into_iter()
            .find(|p| p.id == id_or_name || p.name.eq_ignore_ascii_case(id_or_name.trim()))
            .ok_or_else(|| {
                self.error(
                    ErrorCode::InvalidSettings,
                    Msg::NoSuchPlace,
                    &[("name", id_or_name)],
                )
            })
    }

    /// A name a person can tell apart: trimmed, not blank, not too long, not taken.
    pub fn name(&self, raw: &str, except: Option<&str>) -> Result<String, AppError> {
        let name: String = raw.trim().chars().filter(|c| !c.is_control()).collect();
        if name.is_empty() || name.chars().count() > MAX_NAME {
            let max = MAX_NAME.to_string();
            return Err(self.field_error("name", Msg::PlaceNameInvalid, &[("max", &max)]));
        }
        let taken = self
            .list()?
            .iter()
            .any(|p| p.name.eq_ignore_ascii_case(&name) && Some(p.id.as_str()) != except);
        if taken {
            return Err(self.field_error("name", Msg::PlaceExists, &[("name", &name)]));
        }
        Ok(name)
    }

    /// Checks the token against the place's address, then stores the token in the place's
    /// own keychain entry and the place in the history; the first place takes the rows
    /// stored before places existed.
    pub async fn add(&self, new: NewPlace) -> Result<(TokenCheck, PlaceRow), AppError> {
        let name = self.name(&new.name, None)?;
        let token = ApiToken::new(&new.token)
            .map_err(|e| AppError::new(ErrorCode::AuthRejected, e.to_string()))?;
        let api_url = new.api_url.filter(|u| !u.trim().is_empty());
        let base = match &api_url {
            Some(url) => BaseUrl::parse(url).map_err(|e| {
                let mut err = AppError::new(ErrorCode::InvalidSettings, e.to_string());
                err.fields.push(FieldError {
                    field: "apiUrl".into(),
                    message: e.to_string(),
                });
                err
            })?,
            None => self.default_base.clone(),
        };
        let (check, _) = validate(&base, &token, self.lang).await?;
        let mut store = self.store()?;
        let id = if store.places().map_err(internal)?.is_empty() {
            FIRST_PLACE.to_string()
        } else {
            new_place_id()
        };
        (self.keychains)(&keychain_entry(&id))
            .set(&token)
            .map_err(|e| keychain_error(self.lang, e))?;
        let row = PlaceRow {
            id: id.clone(),
            name,
            api_url: api_url.map(|_| base.as_str().to_string()),
            notify_mode: None,
        };
        store.add_place(&row, wall_now()).map_err(internal)?;
        if id == FIRST_PLACE {
            store.adopt_unplaced(&id).map_err(internal)?;
        }
        Ok((check, row))
    }

    /// Forgets a place's token, then the place (and its history when asked).
    pub fn remove(&self, id_or_name: &str, delete_history: bool) -> Result<PlaceRow, AppError> {
        let place = self.find(id_or_name)?;
        (self.keychains)(&keychain_entry(&place.id))
            .clear()
            .map_err(|e| keychain_error(self.lang, e))?;
        self.store()?
            .remove_place(&place.id, delete_history)
            .map_err(internal)?;
        Ok(place)
    }
}

fn keychain_error(lang: Language, e: impl std::fmt::Display) -> AppError {
    let message = i18n::t(lang, Msg::KeychainUnavailable, &[]);
    AppError::new(ErrorCode::KeychainUnavailable, format!("{message} ({e})"))
}

/// A new place's id: random, short, never reused.
fn new_place_id() -> String {
    let mut bytes = [0u8; 6];
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let seed = nanos ^ u64::from(std::process::id()).rotate_left(32);
    let mut rng = doorpost_core::rng::Rng::seeded(seed);
    for b in &mut bytes {
        *b = (rng.next_u64() & 0xff) as u8;
    }
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("p-{hex}")
}
