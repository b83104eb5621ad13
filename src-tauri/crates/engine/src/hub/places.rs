//! Adding, renaming and removing places, and their tokens.
//!
//! A token is checked against Parakey before anything is stored; then it goes to the
//! place's own keychain entry, and the session restarts with every place. Removing a place
//! deletes its token and, when asked, its history.
//!
//! A place and its keychain entry come and go as one. Adding gives out an id never given
//! before ([`Store::new_place_id`]: no two adds share one, and no new place inherits a
//! removed one's history), saves the token under it, then the row; a row that cannot be
//! stored takes its token back out. Removing deletes the row (and its data), then the
//! token; a token that cannot be deleted then is remembered with the removal and deleted
//! at the next start ([`PlaceBook::clear_removed_tokens`]), so the place is gone either way.
//!
//! Keychain entries are this install's alone: named by the install id the database was
//! created with, so a scratch `DOORPOST_DATA_DIR` never adopts, overwrites or deletes a
//! real install's token. A token is bound to the address it was checked against (the
//! place's `api_url`, `None` for Parakey's own, and the entry's `origin` attribute): it is
//! sent nowhere else, whatever `DOORPOST_API_URL` says, which names the address of places
//! being added and of `DOORPOST_TOKEN` only. Moving a place means entering its token again.

use std::sync::Arc;

use std::path::Path;

use doorpost_core::i18n::{self, Msg};
use doorpost_core::ipc::{
    AppError, ErrorCode, Mode, NewPlace, PlacePatch, PlaceView, SecretToken, TokenCheck,
};
use doorpost_core::settings::{FieldError, Language, Problem, SettingsPatch};

use super::{
    FIRST_PLACE, Hub, Keychains, internal, keychain_entry, legacy_keychain_entry, validate,
};
use crate::http::{ApiToken, BaseUrl, wall_now};
use crate::store::{PlaceRow, Store};

/// Longest place name.
const MAX_NAME: usize = 80;

impl Hub {
    fn bad_token(&self, e: impl std::fmt::Display) -> AppError {
        AppError::new(ErrorCode::AuthRejected, e.to_string())
    }

    /// The account's store, whatever the session shows (the demo has its own).
    pub(super) fn account_store(&self) -> Result<Store, AppError> {
        self.book(Language::En).store()
    }

    /// The first run, or a new token for the first place: checked, stored, then syncing.
    pub async fn set_token(self: &Arc<Self>, raw: &SecretToken) -> Result<TokenCheck, AppError> {
        let lang = self.language().await;
        let token = ApiToken::new(raw.expose()).map_err(|e| self.bad_token(e))?;
        let mut store = self.account_store()?;
        let first = store.places().map_err(internal)?.into_iter().next();
        let book = self.book(lang);
        // A new place is checked where the environment says; a place's new token, where
        // the place is.
        let base = match &first {
            Some(p) => book.address(p)?,
            None => self.opts.default_base.clone(),
        };
        let (check, domain) = validate(&base, &token, lang).await?;
        match &first {
            Some(place) => {
                let install = store.install_id().map_err(internal)?;
                (self.opts.keychains)(&keychain_entry(&install, &place.id))
                    .set(&token, &base.origin())
                    .map_err(|e| keychain_error(lang, e))?;
            }
            None => {
                let name = domain.unwrap_or_else(|| "Parakey".into());
                book.store_new_place(&mut store, &token, &base, name)?;
            }
        }
        drop(store);
        self.switch(Mode::Account).await?;
        Ok(check)
    }

    /// Forgets the first place's token (the window's "Remove token").
    pub async fn clear_token(self: &Arc<Self>) -> Result<(), AppError> {
        let lang = self.language().await;
        let store = self.account_store()?;
        let first = store.places().map_err(internal)?;
        let id = first.first().map_or(FIRST_PLACE, |p| p.id.as_str());
        let install = store.install_id().map_err(internal)?;
        (self.opts.keychains)(&keychain_entry(&install, id))
            .clear()
            .map_err(|e| keychain_error(lang, e))?;
        self.switch(Mode::Account).await
    }

    /// Adds a place: its token checked against its address, then stored in its own
    /// keychain entry; the session restarts with it. Answers the place as the window will
    /// list it (the window says "Sea cabin added" with its name).
    pub async fn add_place(self: &Arc<Self>, new: NewPlace) -> Result<PlaceView, AppError> {
        let lang = self.language().await;
        let (_, row) = self.book(lang).add(new).await?;
        self.switch(Mode::Account).await?;
        self.place(&row.id).await
    }

    pub(super) fn book(&self, lang: Language) -> PlaceBook<'_> {
        PlaceBook {
            data_dir: &self.opts.data_dir,
            keychains: &self.opts.keychains,
            default_base: &self.opts.default_base,
            parakey_base: &self.opts.parakey_base,
            lang,
        }
    }

    /// Renames a place, changes its notification mode or its own values of the settings
    /// with a per-place scope; checked whole before anything is stored, applied at once.
    /// Answers the place as changed.
    pub async fn update_place(
        self: &Arc<Self>,
        id: &str,
        patch: PlacePatch,
    ) -> Result<PlaceView, AppError> {
        let lang = self.language().await;
        let name = match &patch.name {
            Some(n) => Some(self.book(lang).name(n, Some(id))?),
            None => None,
        };
        let mut store = self.account_store()?;
        let own = own_settings(&store, id, &patch, lang)?;
        let found = store
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
        if let Some(own) = own {
            store.set_place_settings(id, &own).map_err(internal)?;
        }
        drop(store);
        self.reload().await?;
        self.place(id).await
    }

    /// A new token for a place: checked against its address first.
    pub async fn set_place_token(
        self: &Arc<Self>,
        id: &str,
        raw: &SecretToken,
    ) -> Result<TokenCheck, AppError> {
        let lang = self.language().await;
        let token = ApiToken::new(raw.expose()).map_err(|e| self.bad_token(e))?;
        let store = self.account_store()?;
        let places = store.places().map_err(internal)?;
        let place = places.iter().find(|p| p.id == id).ok_or_else(|| {
            self.error(
                lang,
                ErrorCode::InvalidSettings,
                Msg::NoSuchPlace,
                &[("name", id)],
            )
        })?;
        let base = self.book(lang).address(place)?;
        let (check, _) = validate(&base, &token, lang).await?;
        let install = store.install_id().map_err(internal)?;
        (self.opts.keychains)(&keychain_entry(&install, id))
            .set(&token, &base.origin())
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
    /// `DOORPOST_API_URL`, else Parakey's: where a place being added is checked.
    pub default_base: &'a BaseUrl,
    /// Parakey's own address: a stored place without one of its own is there.
    pub parakey_base: &'a BaseUrl,
    pub lang: Language,
}

impl PlaceBook<'_> {
    fn error(&self, code: ErrorCode, msg: Msg, args: &[(&str, &str)]) -> AppError {
        AppError::new(code, i18n::t(self.lang, msg, args))
    }

    /// The account's store, after moving an older Doorpost's tokens under this install's
    /// keychain names (once).
    pub fn store(&self) -> Result<Store, AppError> {
        let mut store = Hub::open_store(self.data_dir)?;
        if let Err(e) = self.upgrade_keychain(&mut store) {
            // Tried again at the next start; meanwhile those places show no token.
            tracing::warn!("could not move the saved tokens to this install's entries: {e}");
        }
        Ok(store)
    }

    /// Where a stored place is, and so the only address its token goes to: its own, else
    /// Parakey's (never the environment's).
    pub fn address(&self, row: &PlaceRow) -> Result<BaseUrl, AppError> {
        match &row.api_url {
            Some(url) => BaseUrl::parse(url).map_err(internal),
            None => Ok(self.parakey_base.clone()),
        }
    }

    /// How an address a token was checked against is stored with its place (`None`:
    /// Parakey's own).
    pub fn stored_url(&self, base: &BaseUrl) -> Option<String> {
        (base.as_str() != self.parakey_base.as_str()).then(|| base.as_str().to_string())
    }

    /// A place's token and the address it may go to: only a token checked against the
    /// place's address. One saved for another address (or with none) is not handed out.
    pub fn token(
        &self,
        install: &str,
        row: &PlaceRow,
    ) -> Result<Option<(ApiToken, BaseUrl)>, AppError> {
        let base = self.address(row)?;
        let saved = (self.keychains)(&keychain_entry(install, &row.id))
            .get()
            .map_err(|e| keychain_error(self.lang, e))?;
        let Some(saved) = saved else { return Ok(None) };
        match saved.for_origin(&base.origin()) {
            Some(token) => Ok(Some((token, base))),
            None => {
                tracing::warn!(
                    place = %row.id,
                    "the saved token was checked against another address: not sent to {}",
                    base.origin()
                );
                Ok(None)
            }
        }
    }

    /// Moves the tokens an older Doorpost kept (entries named by place only) under this
    /// install's names, each bound to the address its place uses: its own, else Parakey's.
    /// Only for a database that held that Doorpost's data, and only once: the old entries
    /// are then deleted. An install from before places first gets its place `main`.
    fn upgrade_keychain(&self, store: &mut Store) -> Result<(), AppError> {
        if !store.legacy_keychain().map_err(internal)? {
            return Ok(());
        }
        let install = store.install_id().map_err(internal)?;
        let old = |id: &str| (self.keychains)(&legacy_keychain_entry(id));
        let keychain = |e| keychain_error(self.lang, e);
        if store.places().map_err(internal)?.is_empty()
            && old(FIRST_PLACE).is_set().map_err(keychain)?
        {
            store
                .add_first_place(FIRST_PLACE, wall_now())
                .map_err(internal)?;
        }
        for row in store.places().map_err(internal)? {
            let entry = old(&row.id);
            if let Some(saved) = entry.get().map_err(keychain)? {
                let base = self.address(&row)?;
                (self.keychains)(&keychain_entry(&install, &row.id))
                    .set(&saved.token, &base.origin())
                    .map_err(keychain)?;
            }
            entry.clear().map_err(keychain)?;
        }
        store.legacy_keychain_done().map_err(internal)?;
        Ok(())
    }

    /// An invalid field, said once as the message and once for the field.
    fn field_error(
        &self,
        field: &str,
        problem: Problem,
        msg: Msg,
        args: &[(&str, &str)],
    ) -> AppError {
        let mut err = self.error(ErrorCode::InvalidSettings, msg, args);
        err.fields.push(FieldError {
            field: field.into(),
            problem,
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
        let Ok(install) = self.store().and_then(|s| s.install_id().map_err(internal)) else {
            return false;
        };
        (self.keychains)(&keychain_entry(&install, id))
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
            let problem = Problem::NameLength {
                max: MAX_NAME as u32,
            };
            return Err(self.field_error("name", problem, Msg::PlaceNameInvalid, &[("max", &max)]));
        }
        let taken = self
            .list()?
            .iter()
            .any(|p| p.name.eq_ignore_ascii_case(&name) && Some(p.id.as_str()) != except);
        if taken {
            let args = [("name", name.as_str())];
            return Err(self.field_error("name", Problem::NameTaken, Msg::PlaceExists, &args));
        }
        Ok(name)
    }

    /// Checks the token against the place's address, then stores the token in the place's
    /// own keychain entry and the place in the history; the first place takes the rows
    /// stored before places existed.
    pub async fn add(&self, new: NewPlace) -> Result<(TokenCheck, PlaceRow), AppError> {
        let name = self.name(&new.name, None)?;
        let token = ApiToken::new(new.token.expose())
            .map_err(|e| AppError::new(ErrorCode::AuthRejected, e.to_string()))?;
        let api_url = new.api_url.filter(|u| !u.trim().is_empty());
        let base = match &api_url {
            Some(url) => BaseUrl::parse(url).map_err(|e| {
                let mut err = AppError::new(ErrorCode::InvalidSettings, e.to_string());
                err.fields.push(FieldError {
                    field: "apiUrl".into(),
                    problem: Problem::BadAddress,
                    message: e.to_string(),
                });
                err
            })?,
            None => self.default_base.clone(),
        };
        let (check, _) = validate(&base, &token, self.lang).await?;
        let mut store = self.store()?;
        let row = self.store_new_place(&mut store, &token, &base, name)?;
        Ok((check, row))
    }

    /// A new place with its token, as one unit: a never-used id, the token saved under it,
    /// then the row (bound to where the token was checked, the environment's address
    /// included). A row that cannot be stored takes its token back out; a keychain that
    /// cannot be written leaves no row. The first place takes the rows stored before
    /// places existed.
    fn store_new_place(
        &self,
        store: &mut Store,
        token: &ApiToken,
        base: &BaseUrl,
        name: String,
    ) -> Result<PlaceRow, AppError> {
        let first = store.places().map_err(internal)?.is_empty();
        let id = store
            .new_place_id(FIRST_PLACE, random_place_id)
            .map_err(internal)?;
        let install = store.install_id().map_err(internal)?;
        let entry = (self.keychains)(&keychain_entry(&install, &id));
        entry
            .set(token, &base.origin())
            .map_err(|e| keychain_error(self.lang, e))?;
        let row = PlaceRow {
            id: id.clone(),
            name,
            api_url: self.stored_url(base),
            notify_mode: None,
        };
        if let Err(e) = store.add_place(&row, wall_now()) {
            if let Err(k) = entry.clear() {
                tracing::warn!(place = %id, "a token saved for a place not added: {k}");
                // Deleted at the next start, if the database takes this at least.
                let _ = store.token_to_clear(&id);
            }
            return Err(internal(e));
        }
        if first {
            store.adopt_unplaced(&id).map_err(internal)?;
        }
        Ok(row)
    }

    /// Deletes the keychain entries of removed places that still may hold a token (a
    /// keychain that failed at the removal, or a crash right after it). Failures are
    /// logged and tried again at the next start.
    pub fn clear_removed_tokens(&self, store: &mut Store) {
        let ids = match store.tokens_to_clear() {
            Ok(ids) => ids,
            Err(e) => return tracing::warn!("could not list removed places' tokens: {e}"),
        };
        if ids.is_empty() {
            return;
        }
        let Ok(install) = store.install_id() else {
            return;
        };
        for id in ids {
            self.clear_removed_token(store, &install, &id);
        }
    }

    /// Deletes a removed place's keychain entry; true when it is gone.
    fn clear_removed_token(&self, store: &mut Store, install: &str, id: &str) -> bool {
        match (self.keychains)(&keychain_entry(install, id)).clear() {
            Ok(()) => {
                if let Err(e) = store.token_cleared(id) {
                    tracing::warn!(place = %id, "could not note the token deleted: {e}");
                }
                true
            }
            Err(e) => {
                tracing::warn!(
                    place = %id,
                    "the removed place's token could not be deleted; tried again at the next start: {e}"
                );
                false
            }
        }
    }

    /// Removes the place (and its history when asked), then its token. The place is gone
    /// even when the keychain fails: its token is then deleted at the next start.
    pub fn remove(&self, id_or_name: &str, delete_history: bool) -> Result<PlaceRow, AppError> {
        let place = self.find(id_or_name)?;
        let mut store = self.store()?;
        let install = store.install_id().map_err(internal)?;
        // The account it checks now, whose poll log and state go with its history (even
        // before it stored a row).
        let sources: Vec<String> = match delete_history {
            true => self.token(&install, &place).ok().flatten(),
            false => None,
        }
        .map(|(token, base)| crate::http::source_key(&base, &token))
        .into_iter()
        .collect();
        let feeds = store.feeds(Some(&place.id)).map_err(internal)?;
        store
            .remove_place(&place.id, delete_history, &sources)
            .map_err(internal)?;
        self.clear_removed_token(&mut store, &install, &place.id);
        // Its booking feeds' links go with it.
        for feed in feeds {
            let entry = crate::feeds::feed_entry(&install, &place.id, &feed.label);
            if let Err(e) = (self.keychains)(&entry).clear() {
                tracing::warn!(place = %place.id, feed = %feed.label, "a removed place's feed link could not be deleted: {e}");
            }
        }
        Ok(place)
    }
}

/// The place's own settings values after `patch`, checked; `None` when it changes none.
fn own_settings(
    store: &Store,
    id: &str,
    patch: &PlacePatch,
    lang: Language,
) -> Result<Option<SettingsPatch>, AppError> {
    if patch.settings.is_none() && patch.clear_settings.is_empty() {
        return Ok(None);
    }
    let settings = store.load_settings().map_err(internal)?;
    let own = store.place_settings(id).map_err(internal)?;
    let change = patch.settings.clone().unwrap_or_default();
    settings
        .place_values(&own, &change, &patch.clear_settings)
        .map(Some)
        .map_err(|fields| super::settings::invalid(lang, &fields))
}

fn keychain_error(lang: Language, e: impl std::fmt::Display) -> AppError {
    let message = i18n::t(lang, Msg::KeychainUnavailable, &[]);
    AppError::new(ErrorCode::KeychainUnavailable, format!("{message} ({e})"))
}

/// A candidate for a new place's id: random and short ([`Store::new_place_id`] makes sure
/// it was never given out).
pub(super) fn random_place_id() -> String {
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
