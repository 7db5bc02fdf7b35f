//! Search: rank tenants for what the analyst types, and the popup's picker list.
//!
//! An MSSP analyst may have thousands of customer tenants and knows each one by its name, its
//! primary domain or the first characters of its tenant ID from a ticket. [`TenantIndex`] folds
//! every name and domain once (case, diacritics, compatibility forms), so each keystroke is a
//! linear scan over prepared bytes with no allocation per tenant.
//!
//! Ranking, best first (a tenant counts in its best tier only):
//!
//! | tier | the folded query is… |
//! |---|---|
//! | 1 | a prefix of the whole name or of an alias (`cont` → "Contoso Ltd") |
//! | 2 | a prefix of a later word of the name; a word starts after a space or punctuation (`ltd`, `uk` in "Proseware (UK)") |
//! | 3 | anywhere in the name |
//! | 4 | a prefix of the primary domain |
//! | 5 | anywhere in the primary domain |
//! | 6 | a prefix of the tenant ID written as 32 hex digits (hyphens in the query ignored) |
//!
//! Aliases are found like names, and a name's German spelling without umlauts (`mueller`) like
//! the name. Words of the query that start with `#` are tags: only tenants with a tag starting
//! with each of them are listed (`#eu fab` is the tenants tagged `EU…` matching `fab`; `#eu` alone
//! lists them A to Z).
//!
//! Ties keep one fixed order: folded name, then the name as written, then the tenant ID. An empty
//! (or all-whitespace) query lists every tenant in that order, which is "A to Z".
//!
//! [`TenantPicker`] builds the popup's list on the same index and adds "No tenant" (the analyst's
//! home tenant) and the recently used tenants.

use crate::unicode::{self, is_mark, Form};
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

use crate::settings::Settings;
use crate::tenant::Tenant;
use crate::tenant_id::TenantId;

/// How many recently used tenants the picker lists under "No tenant" for an empty query.
pub const RECENT_IN_PICKER: usize = 5;

/// Number of rank tiers (see the module documentation).
const TIERS: usize = 7;

/// The tier of a tenant that has every word of the query, but not the query as one phrase.
const EVERY_WORD: u8 = 6;

/// Folds text for searching: Unicode compatibility decomposition (NFKD) with combining marks
/// removed, lowercase, runs of whitespace collapsed to one space and trimmed.
///
/// A few letters that NFKD keeps whole but that people type as plain Latin letters are spelled
/// out: `ß`→`ss`, `æ`→`ae`, `œ`→`oe`, `ø`→`o`, `ł`→`l`, `đ`→`d`, dotless `ı`→`i`; Greek final
/// `ς` folds to `σ` so a word matches wherever it ends.
///
/// # Examples
/// ```
/// use tenant_switch::search::fold;
/// assert_eq!(fold("  Müller & Söhne  GmbH "), "muller & sohne gmbh");
/// assert_eq!(fold("Großmann ＡＢＣ"), "grossmann abc");
/// ```
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    fold_into(text, &mut out);
    out
}

/// Appends the folded `text` to `out` (see [`fold`]).
fn fold_into(text: &str, out: &mut String) {
    let start = out.len();
    let mut pending_space = false;
    // ASCII is its own decomposition and has no marks: the normaliser is not asked for it.
    let decomposed = unicode::normalize(text, Form::Nfkd);
    for character in decomposed.chars() {
        if is_mark(character) {
            continue;
        }
        if character.is_whitespace() {
            pending_space = out.len() > start;
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        if character.is_ascii() {
            out.push(character.to_ascii_lowercase());
            continue;
        }
        match character {
            'ß' | 'ẞ' => out.push_str("ss"),
            'æ' | 'Æ' => out.push_str("ae"),
            'œ' | 'Œ' => out.push_str("oe"),
            'ø' | 'Ø' => out.push('o'),
            'ł' | 'Ł' => out.push('l'),
            'đ' | 'Đ' => out.push('d'),
            'ı' => out.push('i'),
            'ς' => out.push('σ'),
            _ => out.extend(character.to_lowercase().filter(|c| !is_mark(*c))),
        }
    }
}

/// `text` folded the way German is typed without umlauts (`Müller` as `mueller`, `Straße` as
/// `strasse`), or `None` when that is the same as [`fold`]: a name is found by both spellings.
///
/// # Examples
/// ```
/// use tenant_switch::search::fold_german;
/// assert_eq!(fold_german("Müller & Söhne").as_deref(), Some("mueller & soehne"));
/// assert_eq!(fold_german("Contoso"), None);
/// ```
pub fn fold_german(text: &str) -> Option<String> {
    if text.is_ascii() {
        return None;
    }
    let composed = unicode::normalize(text, Form::Nfc);
    let mut spelled = String::with_capacity(composed.len() + 4);
    let mut changed = false;
    for character in composed.chars() {
        let replacement = match character {
            'ä' => "ae",
            'Ä' => "Ae",
            'ö' => "oe",
            'Ö' => "Oe",
            'ü' => "ue",
            'Ü' => "Ue",
            _ => {
                spelled.push(character);
                continue;
            }
        };
        changed = true;
        spelled.push_str(replacement);
    }
    changed.then(|| fold(&spelled))
}

/// The result of [`TenantIndex::search`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchResult {
    /// Indices into the tenant slice the index was built from, best first, at most `limit`.
    pub indices: Vec<usize>,
    /// How many tenants match in all, so a list can say "showing 50 of 8,000".
    pub total: usize,
}

/// What the index is built from: a tenant, or the picker's "No tenant" item.
struct Item<'a> {
    name: &'a str,
    domain: Option<&'a str>,
    /// The initial domain (`<name>.onmicrosoft.com`), found as the domain is.
    initial_domain: Option<&'a str>,
    id: Option<TenantId>,
    /// The tenant's short label, found when typed exactly.
    label: Option<&'a str>,
    /// Other names the tenant is known by.
    aliases: &'a [String],
    /// Its tags.
    tags: &'a [String],
}

impl<'a> Item<'a> {
    fn of(tenant: &'a Tenant, label: Option<&'a str>) -> Self {
        Self {
            name: tenant.name(),
            domain: tenant.domain(),
            initial_domain: tenant.initial_domain(),
            id: Some(tenant.id()),
            label,
            aliases: tenant.aliases(),
            tags: tenant.tags(),
        }
    }
}

/// Marks a tenant that does not match in [`TenantIndex::ranked`]'s per-query tier table.
const NO_MATCH: u8 = TIERS as u8;

/// Appends the folded `text` and [`SEPARATOR`] to `field`, its start to `starts` and the
/// offsets of its later words to `word_starts`.
fn push_words(
    text: &str,
    field: &mut String,
    starts: &mut Vec<usize>,
    word_starts: &mut Vec<usize>,
) {
    let start = field.len();
    starts.push(start);
    let mut previous_is_word = true;
    for (offset, character) in text.char_indices() {
        let is_word = character.is_alphanumeric();
        if is_word && !previous_is_word {
            word_starts.push(start + offset);
        }
        previous_is_word = is_word;
    }
    field.push_str(text);
    field.push(SEPARATOR);
}

/// Separates the spellings of one entry in [`TenantIndex`]'s other spellings; like
/// [`SEPARATOR`], folding never leaves it in a query.
const SPELLING_BREAK: char = '\r';

/// Ends every folded name and domain in the index's text: folding turns line breaks into
/// spaces, so no folded query contains it and no match can run from one tenant into the next.
const SEPARATOR: char = '\n';

/// Tenants prepared for searching as the analyst types.
///
/// Building folds and sorts all tenants once; build it again when the tenants change. A search
/// then scans one string of all folded names and one of all domains, jumping between places
/// where the query's two rarest bytes sit, with no allocation per tenant: well under a
/// millisecond for 10,000 tenants.
///
/// # Examples
/// ```
/// use tenant_switch::search::TenantIndex;
/// use tenant_switch::tenant::Tenant;
/// let tenants = [
///     Tenant::new("Müller Logistik", "0b5a8a4e-8f36-4f8e-9d6a-7f0c1e2d3b4a", None).unwrap(),
///     Tenant::new("Contoso", "6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b", Some("contoso.com")).unwrap(),
/// ];
/// let index = TenantIndex::new(&tenants);
/// assert_eq!(index.search("muller", 10).indices, vec![0]);
/// assert_eq!(index.search("", 10).indices, vec![1, 0]);
/// assert_eq!(index.search("6F1C-2B", 10).indices, vec![1]);
/// ```
#[derive(Debug, Clone)]
pub struct TenantIndex {
    /// For each entry, its position in the slice the index was built from. Entries are in tie
    /// order (folded name, name, ID), so scanning them yields each tier already sorted.
    originals: Vec<usize>,
    /// The folded names in entry order, each followed by [`SEPARATOR`].
    names: String,
    /// Where each entry's name starts in `names`, then `names.len()`.
    name_starts: Vec<usize>,
    /// Offsets in `names` where a word other than a name's first starts, increasing.
    word_starts: Vec<usize>,
    /// The folded primary domains in entry order (empty when unknown), each followed by the
    /// initial domain after [`SPELLING_BREAK`] where the tenant has another one, then by
    /// [`SEPARATOR`].
    domains: String,
    /// Where each entry's domain starts in `domains`, then `domains.len()`.
    domain_starts: Vec<usize>,
    /// Each entry's other spellings, found as names are: the name folded the German way
    /// ([`fold_german`]) where that differs, and each alias folded (and the German way), joined
    /// by [`SPELLING_BREAK`], each entry's followed by [`SEPARATOR`].
    german: String,
    /// Where each entry's other spellings start in `german`, then `german.len()`.
    german_starts: Vec<usize>,
    /// Offsets in `german` where a later word starts, increasing.
    german_word_starts: Vec<usize>,
    /// Offsets in `german` where a spelling other than an entry's first starts, increasing: a
    /// match there is a prefix match, as at the entry's start.
    spelling_starts: Vec<usize>,
    /// Each entry's tags, folded.
    tags: Vec<Vec<String>>,
    /// Each entry's label, folded (empty when it has none).
    labels: Vec<String>,
    /// Each entry's tenant ID as 32 lowercase hex digits; `None` for "No tenant".
    ids: Vec<Option<[u8; 32]>>,
    /// How often each byte occurs in `names` and `domains`, to pick the rarest byte of a query.
    byte_counts: Vec<usize>,
}

impl TenantIndex {
    /// Prepares `tenants` for searching; results refer to positions in this slice.
    pub fn new(tenants: &[Tenant]) -> Self {
        Self::from_items(tenants.iter().map(|tenant| Item::of(tenant, None)))
    }

    /// As [`TenantIndex::new`], each tenant also found by its short label (`labels[i]` is the
    /// label of `tenants[i]`).
    pub fn with_labels(tenants: &[Tenant], labels: &[String]) -> Self {
        Self::from_items(
            tenants
                .iter()
                .enumerate()
                .map(|(i, tenant)| Item::of(tenant, labels.get(i).map(String::as_str))),
        )
    }

    /// Prepares `(name, domain, initial domain, id)` entries that are not [`Tenant`]s, such as
    /// the link builder's pasted tenant IDs, whose name may be missing (pass `""`: such an entry
    /// is found by its domains or ID only, and sorts before named ones). Results refer to
    /// positions in the order given.
    pub fn from_entries<'a>(
        entries: impl IntoIterator<Item = (&'a str, Option<&'a str>, Option<&'a str>, TenantId)>,
    ) -> Self {
        Self::from_items(
            entries
                .into_iter()
                .map(|(name, domain, initial_domain, id)| Item {
                    name,
                    domain,
                    initial_domain,
                    id: Some(id),
                    label: None,
                    aliases: &[],
                    tags: &[],
                }),
        )
    }

    fn from_items<'a>(items: impl Iterator<Item = Item<'a>>) -> Self {
        let mut keyed: Vec<(String, usize, Item<'a>)> = items
            .enumerate()
            .map(|(original, item)| (fold(item.name), original, item))
            .collect();
        keyed.sort_by(|(a_folded, a_original, a), (b_folded, b_original, b)| {
            a_folded
                .cmp(b_folded)
                .then_with(|| a.name.cmp(b.name))
                .then_with(|| a.id.cmp(&b.id))
                .then_with(|| a_original.cmp(b_original))
        });
        let mut index = Self {
            originals: Vec::with_capacity(keyed.len()),
            names: String::new(),
            name_starts: Vec::with_capacity(keyed.len() + 1),
            word_starts: Vec::new(),
            domains: String::new(),
            domain_starts: Vec::with_capacity(keyed.len() + 1),
            german: String::new(),
            german_starts: Vec::with_capacity(keyed.len() + 1),
            german_word_starts: Vec::new(),
            spelling_starts: Vec::new(),
            tags: Vec::with_capacity(keyed.len()),
            labels: Vec::with_capacity(keyed.len()),
            ids: Vec::with_capacity(keyed.len()),
            byte_counts: vec![0; 256],
        };
        for (folded, original, item) in keyed {
            index.originals.push(original);
            push_words(
                &folded,
                &mut index.names,
                &mut index.name_starts,
                &mut index.word_starts,
            );
            let mut german = fold_german(item.name).unwrap_or_default();
            let mut breaks = Vec::new();
            for alias in item.aliases {
                for spelling in std::iter::once(fold(alias)).chain(fold_german(alias)) {
                    if !german.is_empty() {
                        german.push(SPELLING_BREAK);
                    }
                    breaks.push(german.len());
                    german.push_str(&spelling);
                }
            }
            let base = index.german.len();
            index
                .spelling_starts
                .extend(breaks.into_iter().filter(|&at| at > 0).map(|at| base + at));
            push_words(
                &german,
                &mut index.german,
                &mut index.german_starts,
                &mut index.german_word_starts,
            );
            index
                .tags
                .push(item.tags.iter().map(|tag| fold(tag)).collect());
            index.labels.push(item.label.map(fold).unwrap_or_default());
            index.domain_starts.push(index.domains.len());
            if let Some(domain) = item.domain {
                fold_into(domain, &mut index.domains);
            }
            // The initial domain after the primary one: a match in it ranks as one inside a
            // domain (tier 4), and no query crosses the break between the two.
            if let Some(initial) = item
                .initial_domain
                .filter(|&initial| Some(initial) != item.domain)
            {
                index.domains.push(SPELLING_BREAK);
                fold_into(initial, &mut index.domains);
            }
            index.domains.push(SEPARATOR);
            index.ids.push(item.id.map(hex));
        }
        index.name_starts.push(index.names.len());
        index.domain_starts.push(index.domains.len());
        index.german_starts.push(index.german.len());
        for byte in index
            .names
            .bytes()
            .chain(index.domains.bytes())
            .chain(index.german.bytes())
        {
            if let Some(count) = index.byte_counts.get_mut(usize::from(byte)) {
                *count += 1;
            }
        }
        index
    }

    /// How many tenants the index holds.
    pub fn len(&self) -> usize {
        self.originals.len()
    }

    /// Whether the index holds no tenants.
    pub fn is_empty(&self) -> bool {
        self.originals.is_empty()
    }

    /// The tenants matching `query`, best first (see the module documentation for the ranking),
    /// at most `limit` of them, and how many match in all. An empty query matches every tenant,
    /// A to Z.
    pub fn search(&self, query: &str, limit: usize) -> SearchResult {
        let mut indices = Vec::new();
        let total = self.ranked(query, limit, |original| indices.push(original));
        SearchResult { indices, total }
    }

    /// Calls `emit` with the original position of each of the best `limit` matches, best first;
    /// returns how many match in all.
    fn ranked(&self, query: &str, limit: usize, mut emit: impl FnMut(usize)) -> usize {
        let (tags, rest) = split_tags(query);
        let query = rest.as_str();
        let tagged = |entry: usize| {
            tags.iter().all(|wanted| {
                self.tags
                    .get(entry)
                    .is_some_and(|have| have.iter().any(|tag| tag.starts_with(wanted.as_str())))
            })
        };
        let folded = fold(query);
        if folded.is_empty() {
            let mut total = 0;
            for (entry, &original) in self.originals.iter().enumerate() {
                if tags.is_empty() || tagged(entry) {
                    if total < limit {
                        emit(original);
                    }
                    total += 1;
                }
            }
            return total;
        }
        let mut best = vec![NO_MATCH; self.originals.len()];
        // A pasted portal address finds the tenant it names, before anything else.
        if let Ok(id) = crate::portal::tenant_of(query.trim()) {
            let id = hex(id);
            for (slot, entry) in best.iter_mut().zip(&self.ids) {
                if *entry == Some(id) {
                    *slot = 0;
                }
            }
        }
        let spellings: Vec<String> = std::iter::once(folded.clone())
            .chain(fold_german(query))
            .collect();
        for needle in &spellings {
            self.rank_phrase(needle, &mut best);
        }
        // Every word of the query somewhere, in any order ("inc fab" finds "Fabrikam, Inc.").
        let words: Vec<Vec<&str>> = spellings
            .iter()
            .map(|spelling| spelling.split(' ').filter(|w| !w.is_empty()).collect())
            .collect();
        if words.iter().any(|words| words.len() > 1) {
            for (entry, slot) in best.iter_mut().enumerate() {
                if *slot == NO_MATCH && words.iter().any(|words| self.has_every(entry, words)) {
                    *slot = EVERY_WORD;
                }
            }
        }
        if !tags.is_empty() {
            for (entry, slot) in best.iter_mut().enumerate() {
                if !tagged(entry) {
                    *slot = NO_MATCH;
                }
            }
        }
        let mut counts = [0usize; TIERS];
        // Only the first `limit` of each tier can ever be shown, so the buckets stay small even
        // when a one-letter query matches nearly everything.
        let mut buckets: [Vec<usize>; TIERS] = Default::default();
        for (&tier, &original) in best.iter().zip(&self.originals) {
            let tier = usize::from(tier);
            if let (Some(count), Some(bucket)) = (counts.get_mut(tier), buckets.get_mut(tier)) {
                *count += 1;
                if bucket.len() < limit {
                    bucket.push(original);
                }
            }
        }
        buckets
            .iter()
            .flatten()
            .take(limit)
            .for_each(|&original| emit(original));
        counts.iter().sum()
    }

    /// Ranks every entry for the whole folded `needle` (tiers 0 to 5), keeping each entry's best.
    fn rank_phrase(&self, needle: &str, best: &mut [u8]) {
        let bytes = needle.as_bytes();
        let rare = self.rarest_bytes(bytes);
        let none: &[usize] = &[];
        for (text, starts, word_starts, spelling_starts) in [
            (&self.names, &self.name_starts, &self.word_starts, none),
            (
                &self.german,
                &self.german_starts,
                &self.german_word_starts,
                self.spelling_starts.as_slice(),
            ),
        ] {
            let mut words = 0;
            let mut spellings = 0;
            occurrences(text, starts, bytes, rare, |entry, start, at| {
                while spelling_starts.get(spellings).is_some_and(|&s| s < at) {
                    spellings += 1;
                }
                let tier = if at == start || spelling_starts.get(spellings) == Some(&at) {
                    0
                } else {
                    // Occurrences arrive in increasing order, so the cursor only moves forward.
                    while word_starts.get(words).is_some_and(|&word| word < at) {
                        words += 1;
                    }
                    if word_starts.get(words) == Some(&at) {
                        1
                    } else {
                        2
                    }
                };
                if let Some(slot) = best.get_mut(entry) {
                    *slot = (*slot).min(tier);
                }
                // A later occurrence can only improve a plain substring match (to a word start).
                tier < 2
            });
        }
        for (slot, label) in best.iter_mut().zip(&self.labels) {
            if !label.is_empty() && label == needle {
                *slot = (*slot).min(1);
            }
        }
        occurrences(
            &self.domains,
            &self.domain_starts,
            bytes,
            rare,
            |entry, start, at| {
                if let Some(slot) = best.get_mut(entry) {
                    *slot = (*slot).min(if at == start { 3 } else { 4 });
                }
                true
            },
        );
        if let Some(digits) = HexQuery::new(needle).digits() {
            for (slot, id) in best.iter_mut().zip(&self.ids) {
                if *slot == NO_MATCH && id.is_some_and(|id| id.starts_with(digits)) {
                    *slot = 5;
                }
            }
        }
    }

    /// Whether each of `words` occurs in the entry's name (either spelling), domain or label,
    /// or starts its tenant ID.
    fn has_every(&self, entry: usize, words: &[&str]) -> bool {
        let field = |text: &str, starts: &[usize]| -> String {
            match (starts.get(entry), starts.get(entry + 1)) {
                (Some(&from), Some(&to)) => text.get(from..to).unwrap_or("").to_owned(),
                _ => String::new(),
            }
        };
        let name = field(&self.names, &self.name_starts);
        let german = field(&self.german, &self.german_starts);
        let domain = field(&self.domains, &self.domain_starts);
        let label = self.labels.get(entry).map_or("", String::as_str);
        let id = self.ids.get(entry).copied().flatten();
        words.iter().all(|word| {
            name.contains(word)
                || german.contains(word)
                || domain.contains(word)
                || label == *word
                || HexQuery::new(word)
                    .digits()
                    .zip(id)
                    .is_some_and(|(digits, id)| id.starts_with(digits))
        })
    }

    /// Offsets of the two least frequent bytes of `needle` (the same one twice for one byte).
    fn rarest_bytes(&self, needle: &[u8]) -> [usize; 2] {
        let count = |at: &usize| {
            needle
                .get(*at)
                .and_then(|&byte| self.byte_counts.get(usize::from(byte)))
                .copied()
                .unwrap_or(0)
        };
        let first = (0..needle.len()).min_by_key(count).unwrap_or(0);
        let second = (0..needle.len())
            .filter(|&at| at != first)
            .min_by_key(count)
            .unwrap_or(first);
        [first, second]
    }

    /// Original positions of all entries, A to Z.
    fn in_order(&self) -> impl Iterator<Item = usize> + '_ {
        self.originals.iter().copied()
    }
}

/// Finds `needle` in `text`, whose entries start at `starts` (increasing, then `text.len()`),
/// and calls `found(entry, entry_start, offset)` for each occurrence in increasing order; when
/// `found` returns `true` the rest of that entry is skipped.
///
/// Candidates are the positions where the needle's two least frequent bytes (`rare`, offsets
/// into the needle) both sit where they should, as memchr's `memmem` does; only there is the
/// whole needle compared.
fn occurrences(
    text: &str,
    starts: &[usize],
    needle: &[u8],
    rare: [usize; 2],
    mut found: impl FnMut(usize, usize, usize) -> bool,
) {
    let bytes = text.as_bytes();
    let (Some(&first), Some(&second)) = (needle.get(rare[0]), needle.get(rare[1])) else {
        return;
    };
    let pair = [(rare[0], first), (rare[1], second)];
    let mut from = 0;
    let mut entry = 0;
    while let Some(at) = find_pair(bytes, from, pair) {
        while starts.get(entry + 1).is_some_and(|&next| next <= at) {
            entry += 1;
        }
        from = at + 1;
        let matches = bytes.get(at..).is_some_and(|rest| rest.starts_with(needle));
        if matches && found(entry, starts.get(entry).copied().unwrap_or(0), at) {
            from = starts.get(entry + 1).copied().unwrap_or(bytes.len());
        }
    }
}

/// The first position `at >= from` where `haystack[at + offset] == byte` for both pairs.
///
/// Tests 16 positions at a time without an early exit, which compilers turn into vector
/// compares; `position` alone would go byte by byte.
fn find_pair(haystack: &[u8], from: usize, pair: [(usize, u8); 2]) -> Option<usize> {
    const BLOCK: usize = 16;
    let [(first_offset, first), (second_offset, second)] = pair;
    let firsts = haystack.get(from + first_offset..)?;
    let seconds = haystack.get(from + second_offset..)?;
    let length = firsts.len().min(seconds.len());
    let (firsts, seconds) = (firsts.get(..length)?, seconds.get(..length)?);
    let hit = |(&a, &b): (&u8, &u8)| (a == first) & (b == second);
    let mut offset = 0;
    for (a, b) in firsts.chunks_exact(BLOCK).zip(seconds.chunks_exact(BLOCK)) {
        if a.iter().zip(b).fold(false, |seen, pair| seen | hit(pair)) {
            return a.iter().zip(b).position(hit).map(|at| from + offset + at);
        }
        offset += BLOCK;
    }
    let a = firsts.get(offset..)?;
    let b = seconds.get(offset..)?;
    a.iter().zip(b).position(hit).map(|at| from + offset + at)
}

/// Ranks `tenants` for `query` and returns the positions of all matches, best first.
///
/// For a list searched on every keystroke build a [`TenantIndex`] once instead.
///
/// # Examples
/// ```
/// use tenant_switch::search::search;
/// use tenant_switch::tenant::Tenant;
/// let tenants = [
///     Tenant::new("Northwind Traders", "0b5a8a4e-8f36-4f8e-9d6a-7f0c1e2d3b4a", None).unwrap(),
///     Tenant::new("Tailspin Toys", "6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b", None).unwrap(),
/// ];
/// // "Tailspin" starts with "t" (tier 1); "Traders" is a later word (tier 2).
/// assert_eq!(search(&tenants, "t"), vec![1, 0]);
/// ```
pub fn search(tenants: &[Tenant], query: &str) -> Vec<usize> {
    TenantIndex::new(tenants).search(query, usize::MAX).indices
}

/// The popup's tenant list for what the analyst types (see [`TenantPicker::search`]).
///
/// # Examples
/// ```
/// use tenant_switch::search::TenantPicker;
/// use tenant_switch::settings::Settings;
/// let picker = TenantPicker::new(&Settings::default(), "No tenant");
/// let all = picker.search("", 50);
/// assert_eq!((all.items, all.total), (vec![None], 1));
/// assert_eq!(picker.search("no t", 50).items, vec![None]);
/// assert_eq!(picker.search("contoso", 50).total, 0);
/// ```
#[derive(Debug, Clone)]
pub struct TenantPicker {
    /// The tenants followed by one more item: "No tenant", named by the UI's label.
    index: TenantIndex,
    ids: Vec<TenantId>,
    /// Positions in `ids` of the favourite tenants, A to Z.
    favourites: Vec<usize>,
    /// Positions in `ids` of the recently used tenants that still exist and are not favourites,
    /// most recent first.
    recent: Vec<usize>,
}

/// The result of [`TenantPicker::search`].
///
/// Serialises as `{"items": [{"id": "<tenant id>" or null}, ...], "total": n}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickerResult {
    /// The items to show, at most `limit`: a tenant ID, or `None` for "No tenant".
    pub items: Vec<Option<TenantId>>,
    /// How many items match in all, counting "No tenant" when it is listed.
    pub total: usize,
    /// For an empty query, how many of `items` after "No tenant" are favourites, and how many
    /// after those are recent tenants; the rest are everyone else, A to Z. Zero for a query.
    pub favourites: usize,
    pub recent: usize,
}

impl Serialize for PickerResult {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct PickerItem<'a> {
            id: &'a Option<TenantId>,
        }
        let items: Vec<PickerItem<'_>> = self.items.iter().map(|id| PickerItem { id }).collect();
        let mut result = serializer.serialize_struct("PickerResult", 2)?;
        result.serialize_field("items", &items)?;
        result.serialize_field("total", &self.total)?;
        result.end()
    }
}

impl TenantPicker {
    /// Prepares the picker for `settings`' tenants; `no_tenant_label` is what the popup calls the
    /// analyst's home tenant in the UI language (for example "No tenant"), so typing it finds it.
    pub fn new(settings: &Settings, no_tenant_label: &str) -> Self {
        Self::with(settings, no_tenant_label, &[], &[])
    }

    /// As [`TenantPicker::new`], with each tenant's short label (`labels[i]` for
    /// `settings.tenants()[i]`, found when typed exactly) and the favourite tenants.
    pub fn with(
        settings: &Settings,
        no_tenant_label: &str,
        labels: &[String],
        favourites: &[TenantId],
    ) -> Self {
        let tenants = settings.tenants();
        let ids: Vec<TenantId> = tenants.iter().map(Tenant::id).collect();
        let position: std::collections::HashMap<TenantId, usize> =
            ids.iter().enumerate().map(|(at, id)| (*id, at)).collect();
        let favourite: std::collections::HashSet<usize> = favourites
            .iter()
            .filter_map(|id| position.get(id).copied())
            .collect();
        let mut recent: Vec<usize> = Vec::with_capacity(RECENT_IN_PICKER);
        for id in settings.recent_tenants() {
            if recent.len() == RECENT_IN_PICKER {
                break;
            }
            if let Some(&at) = position.get(id) {
                if !recent.contains(&at) && !favourite.contains(&at) {
                    recent.push(at);
                }
            }
        }
        let no_tenant = Item {
            name: no_tenant_label,
            domain: None,
            initial_domain: None,
            id: None,
            label: None,
            aliases: &[],
            tags: &[],
        };
        let index = TenantIndex::from_items(
            tenants
                .iter()
                .enumerate()
                .map(|(at, tenant)| Item::of(tenant, labels.get(at).map(String::as_str)))
                .chain(std::iter::once(no_tenant)),
        );
        let favourites = index
            .in_order()
            .filter(|at| favourite.contains(at))
            .collect();
        Self {
            index,
            ids,
            favourites,
            recent,
        }
    }

    /// The items for `query`, at most `limit`, and how many there are in all.
    ///
    /// An empty query lists "No tenant" first, then the favourites A to Z, then up to
    /// [`RECENT_IN_PICKER`] recently used tenants, then every other tenant A to Z. Otherwise only
    /// matches are listed, best first, ranked as [`TenantIndex::search`] ranks them; "No tenant"
    /// is ranked against its label like a tenant without a domain or ID, so it appears only when
    /// the label matches.
    pub fn search(&self, query: &str, limit: usize) -> PickerResult {
        if fold(query).is_empty() {
            let listed = |at: &usize| self.favourites.contains(at) || self.recent.contains(at);
            let others = self
                .index
                .in_order()
                .filter(|at| *at < self.ids.len() && !listed(at));
            let tenants = self
                .favourites
                .iter()
                .copied()
                .chain(self.recent.iter().copied())
                .chain(others)
                .filter_map(|at| self.ids.get(at).copied().map(Some));
            let items: Vec<Option<TenantId>> =
                std::iter::once(None).chain(tenants).take(limit).collect();
            let shown = items.len().saturating_sub(1);
            let favourites = self.favourites.len().min(shown);
            return PickerResult {
                items,
                total: self.ids.len() + 1,
                favourites,
                recent: self.recent.len().min(shown - favourites),
            };
        }
        let mut items = Vec::new();
        // The label's position is `ids.len()`, so `get` yields `None` for "No tenant".
        let total = self.index.ranked(query, limit, |position| {
            items.push(self.ids.get(position).copied())
        });
        PickerResult {
            items,
            total,
            favourites: 0,
            recent: 0,
        }
    }
}

/// The query's `#tag` words, folded without the `#` (a lone `#` is no tag), and the rest of the
/// query.
fn split_tags(query: &str) -> (Vec<String>, String) {
    let mut tags = Vec::new();
    let mut rest = Vec::new();
    for word in query.split_whitespace() {
        match word.strip_prefix('#') {
            Some(tag) if !tag.is_empty() => tags.push(fold(tag)),
            _ => rest.push(word),
        }
    }
    if tags.is_empty() {
        return (tags, query.to_owned());
    }
    (tags, rest.join(" "))
}

/// The query as tenant-ID hex digits, when it is nothing but hex digits and hyphens.
struct HexQuery {
    digits: [u8; 32],
    len: usize,
}

impl HexQuery {
    fn new(folded_query: &str) -> Self {
        let mut query = Self {
            digits: [0; 32],
            len: 0,
        };
        for byte in folded_query.bytes().filter(|&byte| byte != b'-') {
            match query.digits.get_mut(query.len) {
                Some(slot) if byte.is_ascii_hexdigit() => {
                    *slot = byte.to_ascii_lowercase();
                    query.len += 1;
                }
                // Not hex, or longer than any tenant ID: no ID can match.
                _ => {
                    query.len = 0;
                    break;
                }
            }
        }
        query
    }

    fn digits(&self) -> Option<&[u8]> {
        self.digits
            .get(..self.len)
            .filter(|digits| !digits.is_empty())
    }
}

/// A tenant ID as 32 lowercase hex digits, as [`HexQuery`] compares it.
fn hex(id: TenantId) -> [u8; 32] {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = [0u8; 32];
    for (pair, byte) in out.chunks_exact_mut(2).zip(id.as_uuid().as_bytes()) {
        if let [high, low] = pair {
            *high = DIGITS.get(usize::from(byte >> 4)).copied().unwrap_or(b'0');
            *low = DIGITS
                .get(usize::from(byte & 0x0f))
                .copied()
                .unwrap_or(b'0');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test;

    #[derive(Deserialize)]
    struct Fixture {
        tenants: Vec<Tenant>,
        cases: Vec<Case>,
    }

    #[derive(Deserialize)]
    struct Case {
        query: String,
        why: String,
        expected: Vec<String>,
        limit: Option<usize>,
        total: Option<usize>,
    }

    fn fixture() -> Fixture {
        serde_json::from_str(include_str!("../tests/fixtures/search.json")).unwrap()
    }

    fn tenant(name: &str, id: &str, domain: Option<&str>) -> Tenant {
        Tenant::new(name, id, domain).unwrap()
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn ranking_fixture() {
        let fixture = fixture();
        assert!(fixture.cases.len() >= 20);
        let index = TenantIndex::new(&fixture.tenants);
        for case in &fixture.cases {
            let limit = case.limit.unwrap_or(usize::MAX);
            let result = index.search(&case.query, limit);
            let names: Vec<&str> = result
                .indices
                .iter()
                .map(|&i| fixture.tenants[i].name())
                .collect();
            assert_eq!(names, case.expected, "{:?}: {}", case.query, case.why);
            assert_eq!(
                result.total,
                case.total.unwrap_or(case.expected.len()),
                "total for {:?}",
                case.query
            );
            if case.limit.is_none() {
                assert_eq!(search(&fixture.tenants, &case.query), result.indices);
            }
        }
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn fold_examples() {
        for (input, folded) in [
            ("Müller", "muller"),
            ("MU\u{308}LLER", "muller"),
            ("Straße ẞ", "strasse ss"),
            ("Ærø Œuvre", "aero oeuvre"),
            ("Łódź Đakovo", "lodz dakovo"),
            ("ＡＢＣ ｶﾀｶﾅ", "abc カタカナ"),
            ("ﬁnance", "finance"),
            ("İstanbul ıspanak", "istanbul ispanak"),
            ("ΣΟΦΟΣ σοφος", "σοφοσ σοφοσ"),
            ("\u{a0} a \t\n b  ", "a b"),
            ("", ""),
        ] {
            assert_eq!(fold(input), folded, "{input:?}");
        }
    }

    /// Analysts know many customers by their `<name>.onmicrosoft.com` domain: it finds the
    /// tenant as a match inside a domain does, below names and primary domains that start with
    /// the query, and no query runs from the primary domain into the initial one.
    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn the_initial_domain_finds_its_tenant() {
        let tenants = [
            tenant(
                "Contoso",
                "11111111-0000-4000-8000-000000000001",
                Some("contoso.com"),
            )
            .with_initial_domain(Some("contosoltd.onmicrosoft.com"))
            .unwrap(),
            tenant(
                "Contosoltd Partners",
                "22222222-0000-4000-8000-000000000002",
                None,
            ),
            tenant(
                "Fabrikam",
                "33333333-0000-4000-8000-000000000003",
                Some("fabrikam.onmicrosoft.com"),
            )
            .with_initial_domain(Some("fabrikam.onmicrosoft.com"))
            .unwrap(),
        ];
        assert_eq!(search(&tenants, "contosoltd"), vec![1, 0]);
        assert_eq!(search(&tenants, "contosoltd.onmicrosoft"), vec![0]);
        assert_eq!(search(&tenants, "onmicrosoft"), vec![0, 2]);
        assert_eq!(search(&tenants, "com contosoltd"), vec![0]);
        assert_eq!(search(&tenants, "comcontosoltd"), Vec::<usize>::new());
        // A tenant whose primary domain is its initial one holds it once.
        let index = TenantIndex::new(&tenants[2..]);
        assert_eq!(index.domains, "fabrikam.onmicrosoft.com\n");
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn identical_names_tie_by_tenant_id() {
        let tenants = [
            tenant("Contoso", "ffffffff-0000-4000-8000-000000000001", None),
            tenant("Contoso", "00000000-0000-4000-8000-000000000002", None),
            tenant("contoso", "88888888-0000-4000-8000-000000000003", None),
        ];
        // Folded names are equal; "Contoso" < "contoso" as written; then by ID.
        assert_eq!(search(&tenants, "cont"), vec![1, 0, 2]);
        assert_eq!(search(&tenants, ""), vec![1, 0, 2]);
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn limit_zero_and_empty_index() {
        let index = TenantIndex::new(&[]);
        assert!(index.is_empty());
        assert_eq!(
            index.search("", 10),
            SearchResult {
                indices: vec![],
                total: 0
            }
        );
        let fixture = fixture();
        let index = TenantIndex::new(&fixture.tenants);
        assert_eq!(index.len(), 18);
        assert_eq!(
            index.search("contoso", 0),
            SearchResult {
                indices: vec![],
                total: 3
            }
        );
        assert_eq!(
            serde_json::to_value(index.search("contoso", 1)).unwrap(),
            serde_json::json!({ "indices": [0], "total": 3 })
        );
    }

    const CONTOSO: &str = "6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b";

    fn picker_settings() -> Settings {
        Settings::load(Some(&serde_json::json!({
            "schemaVersion": 2,
            "tenants": [
                { "name": "Contoso", "id": "6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b", "domain": "contoso.onmicrosoft.com" },
                { "name": "Fabrikam Inc.", "id": "5e6f7081-0000-4000-8000-000000000005" },
                { "name": "Northwind Traders", "id": "6f1c9999-0000-4000-8000-000000000006" },
                { "name": "Tailspin Toys", "id": "7a8b9c0d-0000-4000-8000-000000000007" },
                { "name": "Woodgrove Bank", "id": "8b9c0d1e-0000-4000-8000-000000000008" },
                { "name": "Adventure Works", "id": "9c0d1e2f-0000-4000-8000-000000000009" },
                { "name": "Litware", "id": "a0b1c2d3-0000-4000-8000-00000000000a" },
                { "name": "Trey Research", "id": "cafe0001-0000-4000-8000-00000000000d" },
                { "name": "Alpine Ski House", "id": "f5a6b7c8-0000-4000-8000-000000000010" }
            ],
            "defaultTenant": "8b9c0d1e-0000-4000-8000-000000000008",
            "automaticRewrite": true,
            "recentTenants": [
                "8b9c0d1e-0000-4000-8000-000000000008",
                "6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b",
                "cafe0001-0000-4000-8000-00000000000d",
                "a0b1c2d3-0000-4000-8000-00000000000a",
                "7a8b9c0d-0000-4000-8000-000000000007"
            ]
        })))
        .unwrap()
    }

    /// The picker's items as names, "No tenant" written as `-`.
    fn picked(settings: &Settings, result: &PickerResult) -> (Vec<String>, usize) {
        let names = result
            .items
            .iter()
            .map(|item| match item {
                None => "-".to_owned(),
                Some(id) => settings.tenant(*id).unwrap().name().to_owned(),
            })
            .collect();
        (names, result.total)
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn picker_lists() {
        let settings = picker_settings();
        let picker = TenantPicker::new(&settings, "No tenant");
        let all = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
        for (query, limit, names, total) in [
            (
                "",
                50,
                all(&[
                    "-",
                    "Woodgrove Bank",
                    "Contoso",
                    "Trey Research",
                    "Litware",
                    "Tailspin Toys",
                    "Adventure Works",
                    "Alpine Ski House",
                    "Fabrikam Inc.",
                    "Northwind Traders",
                ]),
                10,
            ),
            (" ", 3, all(&["-", "Woodgrove Bank", "Contoso"]), 10),
            ("", 0, all(&[]), 10),
            // "no tenant" < "northwind traders": the space sorts first.
            ("no", 50, all(&["-", "Northwind Traders"]), 2),
            ("NO TEN", 50, all(&["-"]), 1),
            ("tenant", 50, all(&["-"]), 1),
            (
                "t",
                50,
                all(&[
                    "Tailspin Toys",
                    "Trey Research",
                    "-",
                    "Northwind Traders",
                    "Adventure Works",
                    "Contoso",
                    "Litware",
                ]),
                7,
            ),
            ("t", 3, all(&["Tailspin Toys", "Trey Research", "-"]), 7),
            ("contoso", 50, all(&["Contoso"]), 1),
            ("onmicrosoft", 50, all(&["Contoso"]), 1),
            ("cafe", 50, all(&["Trey Research"]), 1),
            ("zzz", 50, all(&[]), 0),
        ] {
            assert_eq!(
                picked(&settings, &picker.search(query, limit)),
                (names, total),
                "{query:?} limit {limit}"
            );
        }
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn picker_label_follows_the_ui_language() {
        let settings = picker_settings();
        let picker = TenantPicker::new(&settings, "Kein Mandant");
        assert_eq!(
            picked(&settings, &picker.search("kein", 50)),
            (vec!["-".to_owned()], 1)
        );
        assert_eq!(
            picked(&settings, &picker.search("no", 50)),
            (vec!["Northwind Traders".to_owned()], 1)
        );
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn picker_without_tenants_or_recent() {
        let settings = Settings::load(None).unwrap();
        let picker = TenantPicker::new(&settings, "No tenant");
        assert_eq!(
            picker.search("", 50),
            PickerResult {
                items: vec![None],
                total: 1,
                favourites: 0,
                recent: 0
            }
        );
        assert_eq!(
            picker.search("x", 50),
            PickerResult {
                items: vec![],
                total: 0,
                favourites: 0,
                recent: 0
            }
        );
        let settings = Settings::load(Some(&serde_json::json!({
            "schemaVersion": 2,
            "tenants": [
                { "name": "Litware", "id": "a0b1c2d3-0000-4000-8000-00000000000a" },
                { "name": "Contoso", "id": CONTOSO }
            ],
            "defaultTenant": null,
            "automaticRewrite": true,
            "recentTenants": []
        })))
        .unwrap();
        let picker = TenantPicker::new(&settings, "No tenant");
        assert_eq!(
            picked(&settings, &picker.search("", 50)),
            (
                vec!["-".to_owned(), "Contoso".to_owned(), "Litware".to_owned()],
                3
            )
        );
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn picker_result_json() {
        let settings = picker_settings();
        let picker = TenantPicker::new(&settings, "No tenant");
        assert_eq!(
            serde_json::to_value(picker.search("no", 50)).unwrap(),
            serde_json::json!({
                "items": [{ "id": null }, { "id": "6f1c9999-0000-4000-8000-000000000006" }],
                "total": 2
            })
        );
    }
}
