//! Short labels: the few characters that stand for a tenant on the toolbar badge, in the popup,
//! on the options page and on the portal page's banner.
//!
//! [`badge_text`] gives a name's natural label ("Contoso Ltd" → `CONT`, "Alpine Ski House" →
//! `ASH`). Over a real list many collide (Fabrikam Holdings AG and Falcon Healthcare are both
//! `FH`), so [`assign`] gives every tenant of the effective list a label of its own: a label
//! assigned before is kept while it is still unique, so a tenant's label does not change when
//! others are added; a new tenant gets the first free one of its candidates ([`candidates`]).
//! The session stores the assignment (`tenantLabels` in the settings).

use std::collections::{HashMap, HashSet};

use crate::search::fold;
use crate::tenant::Tenant;
use crate::tenant_id::TenantId;
use crate::unicode::{self, is_mark, Form};

/// Badge text for a tab whose `tid` is not a tenant in the list, or not a tenant ID.
pub const UNKNOWN_BADGE: &str = "?";

/// Legal forms dropped from the end of a name before making its badge label, so that
/// "Contoso Ltd" and "Contoso GmbH & Co. KG" are both `CONT` rather than `CL` and `CGCK`.
const LEGAL_FORMS: [&str; 28] = [
    "ab",
    "ag",
    "as",
    "asa",
    "bv",
    "co",
    "company",
    "corp",
    "corporation",
    "gmbh",
    "inc",
    "incorporated",
    "kg",
    "limited",
    "llc",
    "llp",
    "ltd",
    "nv",
    "oy",
    "oyj",
    "plc",
    "pte",
    "pty",
    "sa",
    "sarl",
    "sas",
    "spa",
    "srl",
];

/// Characters in a badge label.
const BADGE_LENGTH: usize = 4;

/// The short label for a tenant's badge: at most four characters (a base character with its
/// combining marks counts as one), upper case where the script has case, never empty.
///
/// The name's words are its runs of letters and digits; trailing legal forms (`Ltd`, `Inc`,
/// `GmbH`, `& Co. KG`…) are dropped unless nothing else is left. One word gives its first four
/// characters; several words give their initials, a word of digits counting whole (so
/// "Contoso 2" and "Contoso 3" differ). A name without letters or digits gives its first
/// characters.
///
/// # Examples
/// ```
/// use tenant_switch::labels::badge_text;
/// assert_eq!(badge_text("Contoso Ltd"), "CONT");
/// assert_eq!(badge_text("Alpine Ski House"), "ASH");
/// assert_eq!(badge_text("Contoso 2"), "C2");
/// assert_eq!(badge_text("Müller & Söhne GmbH"), "MS");
/// assert_eq!(badge_text("東芝"), "東芝");
/// ```
pub fn badge_text(name: &str) -> String {
    let composed = unicode::normalize(name, Form::Nfc);
    let mut words: Vec<&str> = composed
        .split(|c: char| !(c.is_alphanumeric() || is_mark(c)))
        .filter(|word| word.chars().next().is_some_and(char::is_alphanumeric))
        .collect();
    while words.len() > 1
        && words
            .last()
            .is_some_and(|word| LEGAL_FORMS.contains(&fold(word).as_str()))
    {
        words.pop();
    }
    let label: String = match words.as_slice() {
        [] => composed.chars().filter(|c| !c.is_whitespace()).collect(),
        [word] => (*word).to_owned(),
        several => several
            .iter()
            .map(|word| {
                if word.chars().all(|c| c.is_ascii_digit()) {
                    word
                } else {
                    word.get(..first_character_length(word)).unwrap_or(word)
                }
            })
            .collect(),
    };
    let mut text = String::new();
    let mut characters = 0;
    for character in label.chars().flat_map(char::to_uppercase) {
        if !is_mark(character) {
            if characters == BADGE_LENGTH {
                break;
            }
            characters += 1;
        }
        text.push(character);
    }
    if characters == 0 {
        // Unreachable for a valid tenant (its name has a visible character); never show blank.
        return UNKNOWN_BADGE.to_owned();
    }
    text
}

/// Byte length of the first character of `word` with the combining marks that follow it.
fn first_character_length(word: &str) -> usize {
    word.char_indices()
        .skip(1)
        .find(|(_, c)| !is_mark(*c))
        .map_or(word.len(), |(at, _)| at)
}

/// A name's words as [`badge_text`] sees them: runs of letters and digits (with their marks),
/// trailing legal forms dropped unless nothing else is left, upper case.
fn words(name: &str) -> Vec<Vec<String>> {
    let composed = unicode::normalize(name, Form::Nfc);
    let mut words: Vec<&str> = composed
        .split(|c: char| !(c.is_alphanumeric() || is_mark(c)))
        .filter(|word| word.chars().next().is_some_and(char::is_alphanumeric))
        .collect();
    while words.len() > 1
        && words
            .last()
            .is_some_and(|word| LEGAL_FORMS.contains(&fold(word).as_str()))
    {
        words.pop();
    }
    words
        .iter()
        .map(|word| {
            // Each base character with the marks that follow it counts as one.
            let mut characters: Vec<String> = Vec::new();
            for character in word.chars().flat_map(char::to_uppercase) {
                match characters.last_mut() {
                    Some(last) if is_mark(character) => last.push(character),
                    _ => characters.push(character.to_string()),
                }
            }
            characters
        })
        .collect()
}

/// The labels a tenant may get, best first: its natural label ([`badge_text`]), then (for a
/// name of several words) more letters of each word, then the natural label shortened with a
/// number, then hex digits of its tenant ID (which always give a free one in the end).
pub fn candidates(name: &str, id: TenantId) -> Vec<String> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    each_candidate(name, id, 0, |label, _| {
        if seen.insert(label.clone()) {
            out.push(label);
        }
        false
    });
    out
}

/// Calls `visit` with each of [`candidates`] in order (a label may come twice), until it
/// returns `true`; whether it did. Lazy, so that finding the first free label of a tenant whose
/// natural one is free (nearly all) builds no other. The first `skip` candidates that come from
/// the name (all but the tenant-ID ones) are passed over without being built; `visit` is told
/// each candidate's place among those (`Some(i)`), or `None` for a tenant-ID one.
fn each_candidate(
    name: &str,
    id: TenantId,
    skip: usize,
    mut visit: impl FnMut(String, Option<usize>) -> bool,
) -> bool {
    let natural = badge_text(name);
    let base: Vec<char> = natural.chars().collect();
    let mut index = 0usize;
    // Offers the candidate `make` builds, unless it is one of the skipped.
    let mut offer = |make: &mut dyn FnMut() -> String| -> bool {
        let at = index;
        index += 1;
        at >= skip && visit(make(), Some(at))
    };
    if offer(&mut || natural.clone()) {
        return true;
    }
    let words = words(name);
    let join = |parts: &[&String]| -> String { parts.iter().map(|s| s.as_str()).collect() };
    // One word: its natural label, then numbered ones ("another Contoso" reads better as CON2
    // than as CONS). Several: more of the first word, then more of the later ones, as long as
    // it fits, then the initials.
    if let several @ [_, _, ..] = words.as_slice() {
        for (which, word) in several.iter().enumerate() {
            for extra in 2..=BADGE_LENGTH {
                let mut label: Vec<&String> = Vec::new();
                for (other, each) in several.iter().enumerate() {
                    if other == which {
                        label.extend(each.iter().take(extra));
                    } else if let Some(first) = each.first() {
                        label.push(first);
                    }
                }
                if label.len() <= BADGE_LENGTH && extra <= word.len() && offer(&mut || join(&label))
                {
                    return true;
                }
            }
        }
        let initials: Vec<&String> = several
            .iter()
            .filter_map(|w| w.first())
            .take(BADGE_LENGTH)
            .collect();
        if offer(&mut || join(&initials)) {
            return true;
        }
    }
    let stem3: String = base.iter().take(BADGE_LENGTH - 1).collect();
    for number in 2..=9u32 {
        if offer(&mut || format!("{stem3}{number}")) {
            return true;
        }
    }
    let stem2: String = base.iter().take(BADGE_LENGTH - 2).collect();
    for number in 10..=99u32 {
        if offer(&mut || format!("{stem2}{number}")) {
            return true;
        }
    }
    let digits: Vec<char> = id
        .to_string()
        .chars()
        .filter(|c| *c != '-')
        .flat_map(char::to_uppercase)
        .collect();
    digits
        .windows(BADGE_LENGTH)
        .any(|window| visit(window.iter().collect(), None))
}

/// A unique label for every one of `tenants`, in order: `stored` labels are kept while they
/// are unique (the first tenant in the list keeps a label two claim) and still fit the name (a
/// renamed tenant gets a new one); every other tenant gets the first of its [`candidates`] that
/// is free.
pub fn assign(tenants: &[Tenant], stored: &HashMap<TenantId, String>) -> Vec<String> {
    let mut taken: HashSet<String> = HashSet::with_capacity(tenants.len());
    let mut labels: Vec<Option<String>> = tenants
        .iter()
        .map(|tenant| {
            stored
                .get(&tenant.id())
                .filter(|label| valid(label) && fits(tenant, label))
                .filter(|label| taken.insert((*label).clone()))
                .cloned()
        })
        .collect();
    // Tenants whose names give the same candidates (thousands of "Customer 00042") would each
    // try the same taken ones again: per name, how many of its name candidates are known taken
    // (labels are only ever added to `taken`, so they stay taken).
    let mut known_taken: HashMap<String, usize> = HashMap::new();
    for (slot, tenant) in labels.iter_mut().zip(tenants) {
        if slot.is_none() {
            let family = name_family(tenant.name());
            let skip = known_taken.get(&family).copied().unwrap_or(0);
            let mut free = None;
            let mut name_candidates_taken = skip;
            each_candidate(tenant.name(), tenant.id(), skip, |candidate, place| {
                if !candidate.is_empty() && !taken.contains(&candidate) {
                    free = Some(candidate);
                } else if let Some(place) = place {
                    name_candidates_taken = place + 1;
                }
                free.is_some()
            });
            known_taken.insert(family, name_candidates_taken);
            let label = free.unwrap_or_else(|| UNKNOWN_BADGE.to_owned());
            taken.insert(label.clone());
            *slot = Some(label);
        }
    }
    labels.into_iter().flatten().collect()
}

/// What the name candidates of a name depend on: its natural label and its words.
fn name_family(name: &str) -> String {
    let mut family = badge_text(name);
    for word in words(name) {
        family.push('\u{1}');
        family.extend(word);
    }
    family
}

/// Whether `label` is one of the tenant's [`candidates`] (its natural label, checked first, is
/// by far the most common).
fn fits(tenant: &Tenant, label: &str) -> bool {
    let natural = badge_text(tenant.name());
    if natural == label {
        return true;
    }
    // The numbered and the tenant-ID candidates are checked without building them all: a list
    // of thousands of look-alike names is mostly labelled that way.
    let stem = |length: usize| -> String { natural.chars().take(length).collect() };
    let numbered = |length: usize, width: usize, numbers: std::ops::RangeInclusive<u32>| {
        label
            .strip_prefix(stem(length).as_str())
            .filter(|digits| digits.len() == width && digits.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|digits| digits.parse::<u32>().ok())
            .is_some_and(|number| numbers.contains(&number))
    };
    if numbered(BADGE_LENGTH - 1, 1, 2..=9) || numbered(BADGE_LENGTH - 2, 2, 10..=99) {
        return true;
    }
    let hex: String = tenant
        .id()
        .to_string()
        .chars()
        .filter(|c| *c != '-')
        .flat_map(char::to_uppercase)
        .collect();
    if label.chars().count() == BADGE_LENGTH && hex.contains(label) {
        return true;
    }
    each_candidate(tenant.name(), tenant.id(), 0, |candidate, _| {
        candidate == label
    })
}

/// A stored label that can be shown: one to four characters, none of them invisible.
pub fn valid(label: &str) -> bool {
    let count = label.chars().filter(|c| !is_mark(*c)).count();
    (1..=BADGE_LENGTH).contains(&count)
        && label
            .chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && !unicode::is_default_ignorable(c))
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test;

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn badge_text_examples() {
        for (name, text) in [
            ("Contoso", "CONT"),
            ("Contoso Ltd", "CONT"),
            ("Contoso GmbH & Co. KG", "CONT"),
            ("Contoso Europe Ltd", "CE"),
            ("Fabrikam Inc.", "FABR"),
            ("Alpine Ski House", "ASH"),
            ("Bank of America Merrill Lynch", "BOAM"),
            ("Proseware (UK)", "PU"),
            ("Müller & Söhne GmbH", "MS"),
            ("Mu\u{308}ller", "MÜLL"),
            ("Großmann", "GROS"),
            ("ßeta", "SSET"),
            ("Contoso 2", "C2"),
            ("Contoso 12", "C12"),
            ("HP", "HP"),
            ("3M", "3M"),
            ("Ltd", "LTD"),
            ("東芝", "東芝"),
            ("株式会社 東芝", "株東"),
            ("Ωmega", "ΩMEG"),
            ("🚀", "🚀"),
            ("🚀 Rocket", "ROCK"),
            ("-", "-"),
            ("", "?"),
        ] {
            assert_eq!(badge_text(name), text, "{name:?}");
        }
    }

    fn tenant(name: &str, n: u32) -> Tenant {
        Tenant::new(name, &format!("00000000-0000-4000-8000-{n:012x}"), None).unwrap()
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn colliding_names_get_labels_of_their_own() {
        let tenants: Vec<Tenant> = [
            "Fabrikam Holdings AG",
            "Falcon Healthcare",
            "Contoso",
            "Contoso Ltd",
            "Contoso GmbH",
            "Contoso Europe",
            "Contoso Eastern",
            "Litware",
            "Litware Inc.",
        ]
        .iter()
        .zip(1..)
        .map(|(name, n)| tenant(name, n))
        .collect();
        // Worked out by hand from the candidates' order: the natural label for the first
        // claimant, then more letters of the first word, then a number.
        assert_eq!(
            assign(&tenants, &HashMap::new()),
            ["FH", "FAH", "CONT", "CON2", "CON3", "CE", "COE", "LITW", "LIT2"]
        );
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn three_hundred_names_get_unique_labels_that_stay() {
        let fixture: serde_json::Value =
            serde_json::from_str(include_str!("../tests/fixtures/labels/300-names.json")).unwrap();
        let tenants: Vec<Tenant> = serde_json::from_value(fixture["tenants"].clone()).unwrap();
        assert_eq!(tenants.len(), 300);
        let labels = assign(&tenants, &HashMap::new());
        let unique: HashSet<&String> = labels.iter().collect();
        assert_eq!(unique.len(), 300, "labels collide");
        assert!(labels.iter().all(|label| valid(label)));
        // Adding tenants (here: 40 more, several with names the list has already) leaves
        // every existing label as it was.
        let stored: HashMap<TenantId, String> = tenants
            .iter()
            .map(Tenant::id)
            .zip(labels.iter().cloned())
            .collect();
        let mut more = tenants.clone();
        for n in 0..40u32 {
            let name = format!(
                "{} {}",
                tenants[(n * 7) as usize].name(),
                ["II", "Nord", "Süd", "West"][(n % 4) as usize]
            );
            more.insert((n * 5) as usize, tenant(&name, 9000 + n));
        }
        let after = assign(&more, &stored);
        for (tenant, label) in more.iter().zip(&after) {
            if let Some(before) = stored.get(&tenant.id()) {
                assert_eq!(label, before, "{} changed its label", tenant.name());
            }
        }
        let unique: HashSet<&String> = after.iter().collect();
        assert_eq!(unique.len(), after.len());
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn a_stored_label_that_collides_no_longer_fits_or_cannot_show_is_replaced() {
        let tenants = [
            tenant("Contoso", 1),
            tenant("Fabrikam", 2),
            tenant("Tailspin", 3),
        ];
        let stored: HashMap<TenantId, String> = [
            (tenants[0].id(), "X".to_owned()),
            (tenants[1].id(), "X".to_owned()),
            (tenants[2].id(), "TOOLONG".to_owned()),
        ]
        .into();
        assert_eq!(assign(&tenants, &stored), ["CONT", "FABR", "TAIL"]);
        // A label kept for a name that has changed since goes too.
        let renamed = [tenant("Fabrikam", 1)];
        let stored: HashMap<TenantId, String> = [(renamed[0].id(), "CONT".to_owned())].into();
        assert_eq!(assign(&renamed, &stored), ["FABR"]);
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn even_identical_names_end_up_unique() {
        // The settings refuse duplicate names, but policy renames and hand edits can bring
        // near-twins: numbers, then the tenant ID's digits keep them apart.
        let tenants: Vec<Tenant> = (1..=120u32)
            .map(|n| tenant(&format!("Contoso {}", n % 2), n))
            .collect();
        let labels = assign(&tenants, &HashMap::new());
        let unique: HashSet<&String> = labels.iter().collect();
        assert_eq!(unique.len(), 120);
    }
}
