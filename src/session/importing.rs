//! Import through the session: the preview is judged once and held, so that the options page
//! can page and filter its rows without sending the file again, and "Apply import" applies
//! exactly what the page showed.
//!
//! - `previewImport {data, mode?}` reads the file (base64) and judges it against the user's
//!   list and the policy's tenants in `mode` (`merge`, the default: "Add and update"; `match`:
//!   "Make my list match this file"); the session holds the file and its preview (not in
//!   storage: a worker restart forgets it) and answers the first page of rows.
//! - `importRows {mode?, show?, query?, offset?}` answers a page of the held preview: at most
//!   [`PAGE_SIZE`] rows that have the status `show` (see [`Show`]; `changes` by default, which
//!   leaves the unchanged rows out) and whose text contains every word of `query`, from
//!   `offset`. Another mode, or a list or policy that changed since, judges the held file again
//!   first.
//! - `importTenants {mode?}` applies the held preview. When the list or the policy changed
//!   since it was judged (another page, sync), or `mode` is not the held one, nothing is
//!   applied: the file is judged again and the answer is `ImportPreviewChanged`, so the page
//!   shows the new preview before anything happens. A change keeps the list as it was as a
//!   backup in the same write; unlike a deletion, an import is refused rather than stored
//!   without its backup when storage is full.
//! - `discardImport` forgets the held file ("Cancel import", or after it was applied).

use std::sync::Arc;

use serde_json::{json, Value};

use crate::import::{self, Change, ImportError, ImportMode, ImportPreview, ImportRow, RowOutcome};
use crate::search::fold;
use crate::settings::Settings;
use crate::tenant::Tenant;

use super::messages::{Fields, MessageError};
use super::{Commit, Out, Session};

/// The most rows one answer holds.
pub const PAGE_SIZE: usize = 100;

/// A file judged by `previewImport`, held until it is applied or discarded.
pub(super) struct HeldImport {
    bytes: Vec<u8>,
    /// The user's list and the policy's tenants it was judged against.
    base: Vec<Tenant>,
    managed: Vec<Tenant>,
    preview: ImportPreview,
    /// Each row's text, folded, for the filter.
    keys: Vec<String>,
}

impl std::fmt::Debug for HeldImport {
    // Not the file itself: it may hold megabytes.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HeldImport")
            .field("bytes", &self.bytes.len())
            .field("base", &self.base.len())
            .field("managed", &self.managed.len())
            .field("mode", &self.preview.mode())
            .field("counts", &self.preview.counts())
            .finish_non_exhaustive()
    }
}

/// Which rows `importRows` answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Show {
    /// Every row but the unchanged ones (the default: unchanged rows are only counted).
    Changes,
    All,
    New,
    /// Every changed row, whatever changes.
    Changed,
    Renamed,
    /// The primary or the initial domain changes.
    DomainChanged,
    /// The tags or the aliases change.
    TagsChanged,
    Unchanged,
    Rejected,
    Removed,
}

impl Show {
    const NAMES: &'static str =
        "changes, all, new, changed, renamed, domainChanged, tagsChanged, unchanged, rejected or removed";

    fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "" | "changes" => Self::Changes,
            "all" => Self::All,
            "new" => Self::New,
            "changed" => Self::Changed,
            "renamed" => Self::Renamed,
            "domainChanged" => Self::DomainChanged,
            "tagsChanged" => Self::TagsChanged,
            "unchanged" => Self::Unchanged,
            "rejected" => Self::Rejected,
            "removed" => Self::Removed,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Self::Changes => "changes",
            Self::All => "all",
            Self::New => "new",
            Self::Changed => "changed",
            Self::Renamed => "renamed",
            Self::DomainChanged => "domainChanged",
            Self::TagsChanged => "tagsChanged",
            Self::Unchanged => "unchanged",
            Self::Rejected => "rejected",
            Self::Removed => "removed",
        }
    }

    fn shows(self, outcome: &RowOutcome) -> bool {
        let changed = |wanted: &[Change]| match outcome {
            RowOutcome::Changed { changes, .. } => changes.iter().any(|c| wanted.contains(c)),
            _ => false,
        };
        match self {
            Self::Changes => !matches!(outcome, RowOutcome::Unchanged { .. }),
            Self::All => true,
            Self::New => matches!(outcome, RowOutcome::New { .. }),
            Self::Changed => matches!(outcome, RowOutcome::Changed { .. }),
            Self::Renamed => changed(&[Change::Name]),
            Self::DomainChanged => changed(&[Change::Domain, Change::InitialDomain]),
            Self::TagsChanged => changed(&[Change::Tags, Change::Aliases]),
            Self::Unchanged => matches!(outcome, RowOutcome::Unchanged { .. }),
            Self::Rejected => matches!(outcome, RowOutcome::Rejected { .. }),
            Self::Removed => matches!(outcome, RowOutcome::Removed { .. }),
        }
    }
}

impl HeldImport {
    fn judge(
        bytes: Vec<u8>,
        base: &[Tenant],
        managed: &[Tenant],
        mode: ImportMode,
    ) -> Result<Self, ImportError> {
        let preview = import::preview_import(&bytes, base, managed, mode)?;
        let keys = preview.rows().iter().map(row_key).collect();
        Ok(Self {
            bytes,
            base: base.to_vec(),
            managed: managed.to_vec(),
            preview,
            keys,
        })
    }

    /// Whether it was judged against exactly this list, policy and mode.
    fn current(&self, base: &[Tenant], managed: &[Tenant], mode: ImportMode) -> bool {
        self.preview.mode() == mode && self.base == base && self.managed == managed
    }

    /// `{format, mode, counts, show, query, total, offset, limit, rows}`: the rows `show` and
    /// `query` select, at most [`PAGE_SIZE`] from `offset` (an offset past the end gives the
    /// last page).
    fn page(&self, show: Show, query: &str, offset: usize) -> Value {
        let words: Vec<String> = fold(query).split(' ').map(str::to_owned).collect();
        let words: Vec<&str> = words
            .iter()
            .map(String::as_str)
            .filter(|w| !w.is_empty())
            .collect();
        let matching: Vec<&ImportRow> = self
            .preview
            .rows()
            .iter()
            .zip(&self.keys)
            .filter(|(row, key)| {
                show.shows(&row.outcome) && words.iter().all(|word| key.contains(word))
            })
            .map(|(row, _)| row)
            .collect();
        let total = matching.len();
        let last_page = total.saturating_sub(1) / PAGE_SIZE * PAGE_SIZE;
        let offset = offset.min(last_page);
        let rows: Vec<&ImportRow> = matching.into_iter().skip(offset).take(PAGE_SIZE).collect();
        json!({
            "format": self.preview.format(),
            "mode": self.preview.mode(),
            "counts": self.preview.counts(),
            "show": show.name(),
            "query": query,
            "total": total,
            "offset": offset,
            "limit": PAGE_SIZE,
            "rows": rows,
        })
    }
}

/// A row's text as the filter searches it: every name, ID, domain, tag and alias it shows,
/// folded, fields apart.
fn row_key(row: &ImportRow) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut tenant = |tenant: &Tenant| {
        parts.push(tenant.name().to_owned());
        parts.push(tenant.id().to_string());
        parts.extend(tenant.domain().map(str::to_owned));
        parts.extend(tenant.initial_domain().map(str::to_owned));
        parts.extend(tenant.tags().iter().cloned());
        parts.extend(tenant.aliases().iter().cloned());
    };
    match &row.outcome {
        RowOutcome::New { tenant: t }
        | RowOutcome::Unchanged { tenant: t }
        | RowOutcome::Removed { tenant: t } => tenant(t),
        RowOutcome::Changed {
            tenant: t,
            previous,
            ..
        } => {
            tenant(t);
            tenant(previous);
        }
        RowOutcome::Rejected { values, .. } => {
            if let Some(values) = values {
                parts.push(values.name.clone());
                parts.push(values.id.clone());
                parts.push(values.domain.clone());
                parts.push(values.initial_domain.clone());
                parts.extend(values.tags.iter().cloned());
                parts.extend(values.aliases.iter().cloned());
            }
        }
    }
    parts
        .iter()
        .map(|part| fold(part))
        .collect::<Vec<_>>()
        .join("\u{1f}")
}

impl Session {
    /// The settings an import applies to: the user's own, or an empty list while the stored
    /// settings cannot be read (an import then replaces them; the kept copy stays).
    fn import_base(&self) -> Result<Settings, MessageError> {
        match &self.core.directory {
            Ok(directory) => Ok(directory.own.clone()),
            Err(problem) if problem.copy_error.is_some() => Err(MessageError::SettingsNotKept),
            Err(_) => Ok(Settings::default()),
        }
    }

    fn import_mode(
        fields: &Fields<'_>,
        held: Option<ImportMode>,
    ) -> Result<ImportMode, MessageError> {
        match fields.get("mode").map(|mode| mode.as_str()) {
            None => Ok(held.unwrap_or_default()),
            Some(Some("merge")) => Ok(ImportMode::Merge),
            Some(Some("match")) => Ok(ImportMode::Match),
            Some(_) => Err(fields.invalid("mode", "merge or match")),
        }
    }

    /// `previewImport`, `importRows`, `importTenants`, `discardImport` (see the module docs).
    pub(super) fn on_import_message(
        &mut self,
        out: &mut Out,
        reply: u64,
        fields: &Fields<'_>,
        now: u64,
    ) {
        let result = match fields.what {
            "previewImport" => self.preview_import(fields),
            "importRows" => self.import_rows(fields),
            "importTenants" => return self.apply_import(out, reply, fields, now),
            // "discardImport"
            _ => {
                self.core.import = None;
                Ok(json!({}))
            }
        };
        match result {
            Ok(value) => out.answer(reply, self.success(value)),
            Err(error) => out.answer(reply, json!({"ok": false, "error": error})),
        }
    }

    fn preview_import(&mut self, fields: &Fields<'_>) -> Result<Value, Value> {
        let bytes = fields.bytes("data")?;
        let mode = Self::import_mode(fields, None).map_err(|e| crate::error::to_value(&e))?;
        let base = self.import_base().map_err(|e| crate::error::to_value(&e))?;
        let held = HeldImport::judge(bytes, base.tenants(), self.policy_tenants(), mode)
            .map_err(|e| crate::error::to_value(&e))?;
        let page = held.page(Show::Changes, "", 0);
        self.core.import = Some(Arc::new(held));
        Ok(json!({ "preview": page }))
    }

    /// The held import, judged again when the list, the policy or the mode changed since.
    fn current_import(&mut self, mode: ImportMode) -> Result<Arc<HeldImport>, MessageError> {
        let held = self
            .core
            .import
            .clone()
            .ok_or(MessageError::ImportPreviewNone)?;
        let base = self.import_base()?;
        if held.current(base.tenants(), self.policy_tenants(), mode) {
            return Ok(held);
        }
        // The same bytes were read before, so they read again; an error here would mean the
        // core changed under the worker.
        let judged = HeldImport::judge(
            held.bytes.clone(),
            base.tenants(),
            self.policy_tenants(),
            mode,
        )
        .map_err(|_| MessageError::ImportPreviewNone)?;
        let judged = Arc::new(judged);
        self.core.import = Some(judged.clone());
        Ok(judged)
    }

    fn import_rows(&mut self, fields: &Fields<'_>) -> Result<Value, Value> {
        let to_value = |error: MessageError| crate::error::to_value(&error);
        let held_mode = self.core.import.as_ref().map(|held| held.preview.mode());
        let mode = Self::import_mode(fields, held_mode).map_err(to_value)?;
        let show = fields.text_or_empty("show").map_err(to_value)?;
        let show =
            Show::parse(show).ok_or_else(|| to_value(fields.invalid("show", Show::NAMES)))?;
        let query = fields.text_or_empty("query").map_err(to_value)?;
        let offset = fields.number("offset").map_err(to_value)?.unwrap_or(0);
        let offset = usize::try_from(offset).unwrap_or(usize::MAX);
        let held = self.current_import(mode).map_err(to_value)?;
        Ok(json!({ "preview": held.page(show, query, offset) }))
    }

    fn apply_import(&mut self, out: &mut Out, reply: u64, fields: &Fields<'_>, now: u64) {
        let Some(held) = self.core.import.clone() else {
            return out.answer(reply, self.failure(&MessageError::ImportPreviewNone));
        };
        let mode = match Self::import_mode(fields, Some(held.preview.mode())) {
            Ok(mode) => mode,
            Err(error) => return out.answer(reply, self.failure(&error)),
        };
        let base = match self.import_base() {
            Ok(base) => base,
            Err(error) => return out.answer(reply, self.failure(&error)),
        };
        if !held.current(base.tenants(), self.policy_tenants(), mode) {
            // What the page shows is not what would happen: show the new preview first.
            return match self.current_import(mode) {
                Ok(_) => out.answer(reply, self.failure(&MessageError::ImportPreviewChanged)),
                Err(error) => out.answer(reply, self.failure(&error)),
            };
        }
        let settings = match base.with_import(&held.preview) {
            Ok(settings) => settings,
            Err(error) => return out.answer(reply, self.failure(&error)),
        };
        let counts = held.preview.counts();
        let changed = counts.changes_list();
        let answer = json!({"imported": {
            "format": held.preview.format(),
            "mode": mode,
            "counts": counts,
        }});
        if self.core.directory.is_ok() && !changed {
            self.core.import = None;
            return out.answer(reply, self.success(answer));
        }
        let commit = Commit {
            settings: Some(settings),
            backup: changed.then_some("import"),
            import_done: true,
            ..Commit::default()
        };
        self.commit(out, commit, Some(reply), answer, now);
    }
}
