//! When and how the session syncs (the model, merge and write plans are [`crate::sync`]'s): the
//! debounce after a change, the read after another browser wrote, the retry after a failure, the
//! wait for another browser's half-written generation, and the browser's write budget.
//!
//! `storage.local` keys: [`ENABLED_KEY`] (the opt-in), [`STATE_KEY`] (the sync model),
//! [`PROBLEM_KEY`] (why sync was turned off, shown on the options page) and [`WRITE_LOG_KEY`]
//! (the times of recent write operations, so the budget survives a worker restart).

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::sync::{Quotas, SyncState};
use crate::tenant_id::TenantId;

pub const ENABLED_KEY: &str = "syncEnabled";
pub const STATE_KEY: &str = "syncState";
pub const PROBLEM_KEY: &str = "syncProblem";
pub const WRITE_LOG_KEY: &str = "syncWriteLog";
/// The name of the sync timer.
pub const TIMER: &str = "sync";

/// Quiet time after a change before writing: several quick edits become one write.
pub const WRITE_DELAY_MS: u64 = 1_500;
/// Quiet time after a `storage.sync` change before reading: the items of one write arrive
/// together.
pub const READ_DELAY_MS: u64 = 300;
/// When a write failed (quota, network), the next attempt.
pub const RETRY_DELAY_MS: u64 = 60_000;
/// How long another browser's generation may stay incomplete before this browser writes over
/// it: its writer may have stopped half-way.
pub const STALLED_MS: u64 = 30_000;
const MINUTE_MS: u64 = 60_000;
const HOUR_MS: u64 = 60 * MINUTE_MS;

/// `storage.sync`'s limits as the browser publishes them; a browser that leaves one out gets
/// Chromium's documented value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SyncLimits {
    pub quota_bytes: usize,
    pub quota_bytes_per_item: usize,
    pub max_items: usize,
    pub max_write_operations_per_minute: usize,
    pub max_write_operations_per_hour: usize,
}

impl Default for SyncLimits {
    fn default() -> Self {
        Self {
            quota_bytes: Quotas::CHROME.quota_bytes,
            quota_bytes_per_item: Quotas::CHROME.quota_bytes_per_item,
            max_items: Quotas::CHROME.max_items,
            max_write_operations_per_minute: 120,
            max_write_operations_per_hour: 1_800,
        }
    }
}

impl SyncLimits {
    pub fn quotas(&self) -> Quotas {
        Quotas {
            quota_bytes: self.quota_bytes,
            quota_bytes_per_item: self.quota_bytes_per_item,
            max_items: self.max_items,
        }
    }
}

/// Where sync stands in this browser.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SyncRuntime {
    /// The user turned sync on (`syncEnabled`).
    pub enabled: bool,
    /// The sync model as stored (`syncState`), or `None`.
    pub model: Option<Value>,
    /// Why sync was turned off, or `None`.
    pub problem: Option<Value>,
    /// Tenants whose remote change clashes here and was held back.
    pub held: Vec<TenantId>,
    /// The last write failure, until a write succeeds.
    pub last_error: Option<Value>,
    /// Times of recent write operations, oldest first.
    pub write_log: Vec<u64>,
    /// An incomplete generation seen in `storage.sync`: `(generation, since)`.
    pub stalled: Option<(u64, u64)>,
    /// When the sync timer fires, if it is set.
    pub timer_due: Option<u64>,
}

impl SyncRuntime {
    /// What storage held at a start.
    pub fn restore(local: &Map<String, Value>) -> Self {
        Self {
            enabled: local.get(ENABLED_KEY) == Some(&Value::Bool(true)),
            model: local.get(STATE_KEY).filter(|v| !v.is_null()).cloned(),
            problem: local.get(PROBLEM_KEY).filter(|v| !v.is_null()).cloned(),
            write_log: local
                .get(WRITE_LOG_KEY)
                .and_then(Value::as_array)
                .map(|times| times.iter().filter_map(Value::as_u64).collect())
                .unwrap_or_default(),
            ..Self::default()
        }
    }

    /// The model, or a new one when none is stored or it cannot be read (only timestamps are
    /// lost: the next step records the list again).
    pub fn state(&self) -> SyncState {
        self.model
            .as_ref()
            .and_then(|value| SyncState::load(value).ok())
            .unwrap_or_default()
    }

    /// The delay of a timer to set so that sync runs within `delay` of `now`, or `None` when a
    /// timer that fires earlier is set already.
    pub fn schedule(&mut self, now: u64, delay: u64) -> Option<u64> {
        let due = now.saturating_add(delay);
        if self.timer_due.is_some_and(|set| set <= due) {
            return None;
        }
        self.timer_due = Some(due);
        Some(delay)
    }

    /// Milliseconds until `count` more write operations fit both budgets (0: now).
    pub fn budget_wait(&mut self, now: u64, count: usize, limits: &SyncLimits) -> u64 {
        self.write_log
            .retain(|at| now.saturating_sub(*at) < HOUR_MS);
        let wait_for = |window: u64, limit: usize| {
            let recent: Vec<u64> = self
                .write_log
                .iter()
                .copied()
                .filter(|at| now.saturating_sub(*at) < window)
                .collect();
            let excess = (recent.len() + count).saturating_sub(limit);
            if excess == 0 {
                return 0;
            }
            // Enough of the oldest operations in the window must age out of it.
            recent
                .get(excess.min(recent.len()).saturating_sub(1))
                .map_or(0, |at| (at + window).saturating_sub(now))
        };
        wait_for(MINUTE_MS, limits.max_write_operations_per_minute)
            .max(wait_for(HOUR_MS, limits.max_write_operations_per_hour))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test;

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn the_budget_waits_for_the_oldest_operation_to_age_out() {
        let limits = SyncLimits {
            max_write_operations_per_minute: 4,
            ..SyncLimits::default()
        };
        let mut runtime = SyncRuntime {
            write_log: vec![1_000, 2_000, 3_000],
            ..SyncRuntime::default()
        };
        assert_eq!(runtime.budget_wait(10_000, 1, &limits), 0);
        // Two more than fit: the second-oldest must leave the minute, at 62,000.
        assert_eq!(runtime.budget_wait(10_000, 3, &limits), 52_000);
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn an_earlier_timer_covers_a_later_request() {
        let mut runtime = SyncRuntime::default();
        assert_eq!(runtime.schedule(100, 1_500), Some(1_500));
        assert_eq!(runtime.schedule(200, 1_500), None);
        assert_eq!(runtime.schedule(200, 300), Some(300));
        assert_eq!(runtime.timer_due, Some(500));
    }
}
