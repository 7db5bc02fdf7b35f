//! The Unicode the core needs: three character properties as small range tables
//! ([`is_default_ignorable`], [`is_format`], [`is_mark`]) and normalisation, which comes from the
//! platform.
//!
//! Normalisation tables are large (about 138 KB of the WebAssembly module when compiled in), and
//! every browser has them already: `String.prototype.normalize`. The WebAssembly build (feature
//! `wasm` without `unicode-tables`) takes the browser's through the binding layer
//! ([`crate::wasm`]); native builds (tests, benchmarks, fuzzing) compile the `unicode-normalization`
//! crate in (the `unicode-tables` feature, on by default). The same tests run on both (natively,
//! and in Node.js and Chromium), so the two must agree on every name the tests know.

mod tables;

use std::borrow::Cow;

/// A Unicode normalisation form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// Canonical composition.
    Nfc,
    /// Compatibility composition (`ＣＯＮＴＯＳＯ` becomes `CONTOSO`).
    Nfkc,
    /// Compatibility decomposition (`ü` becomes `u` and a combining diaeresis).
    Nfkd,
}

impl Form {
    /// The form's name as `String.prototype.normalize` takes it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Nfc => "NFC",
            Self::Nfkc => "NFKC",
            Self::Nfkd => "NFKD",
        }
    }
}

/// `text` in `form`. ASCII text is its own normal form in all three, so it is never passed on.
pub fn normalize(text: &str, form: Form) -> Cow<'_, str> {
    if text.is_ascii() {
        return Cow::Borrowed(text);
    }
    platform(text, form)
}

#[cfg(feature = "unicode-tables")]
fn platform(text: &str, form: Form) -> Cow<'_, str> {
    use unicode_normalization::UnicodeNormalization;
    Cow::Owned(match form {
        Form::Nfc => text.nfc().collect(),
        Form::Nfkc => text.nfkc().collect(),
        Form::Nfkd => text.nfkd().collect(),
    })
}

/// The WebAssembly build: the browser's `String.prototype.normalize`, through the binding layer.
#[cfg(all(not(feature = "unicode-tables"), feature = "wasm"))]
fn platform(text: &str, form: Form) -> Cow<'_, str> {
    Cow::Owned(crate::wasm::normalize(text, form))
}

// Without a normaliser names would compare without compatibility folding, so two tenants that
// look alike could both be stored: refuse to build rather than ship that.
#[cfg(all(not(feature = "unicode-tables"), not(feature = "wasm")))]
compile_error!(
    "Tenant Switch needs a Unicode normaliser: the `unicode-tables` or the `wasm` feature"
);

fn in_table(table: &[(char, char)], character: char) -> bool {
    table
        .binary_search_by(|&(start, end)| {
            if end < character {
                std::cmp::Ordering::Less
            } else if start > character {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// `Default_Ignorable_Code_Point`: the character renders as nothing (zero-width spaces, joiners,
/// variation selectors, Hangul fillers, tag characters, ...).
pub fn is_default_ignorable(character: char) -> bool {
    in_table(tables::DEFAULT_IGNORABLE, character)
}

/// General category Format (Cf): invisible characters that change how text around them shows.
pub fn is_format(character: char) -> bool {
    in_table(tables::FORMAT, character)
}

/// General category Mark: a combining mark, drawn on the character before it.
pub fn is_mark(character: char) -> bool {
    in_table(tables::MARK, character)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test;

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn the_property_tables_hold_what_the_standard_says() {
        for c in [
            '\u{AD}',
            '\u{34F}',
            '\u{115F}',
            '\u{1160}',
            '\u{17B4}',
            '\u{180B}',
            '\u{200B}',
            '\u{200D}',
            '\u{2060}',
            '\u{3164}',
            '\u{FE0F}',
            '\u{FEFF}',
            '\u{FFA0}',
            '\u{1BCA0}',
            '\u{1D173}',
            '\u{E0041}',
            '\u{E0FFF}',
        ] {
            assert!(is_default_ignorable(c), "{c:?}");
        }
        for c in ['a', ' ', '\u{2800}', '\u{FFF9}', '\u{1F600}', 'ü'] {
            assert!(!is_default_ignorable(c), "{c:?}");
        }
        assert!(is_format('\u{FFF9}') && is_format('\u{200D}') && !is_format('a'));
        for c in ['\u{301}', '\u{308}', '\u{903}', '\u{20DD}'] {
            assert!(is_mark(c), "{c:?}");
        }
        assert!(!is_mark('u') && !is_mark('\u{2800}'));
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn normalisation_leaves_ascii_borrowed() {
        assert!(matches!(
            normalize("Contoso", Form::Nfkc),
            Cow::Borrowed("Contoso")
        ));
    }

    /// What the tests rely on, whichever normaliser is in use (the crate natively, the
    /// browser's in wasm tests).
    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn the_forms_do_what_names_and_search_need() {
        assert_eq!(normalize("ＣＯＮＴＯＳＯ", Form::Nfkc), "CONTOSO");
        assert_eq!(normalize("u\u{308}", Form::Nfc), "ü");
        assert_eq!(normalize("ü", Form::Nfkd), "u\u{308}");
        assert_eq!(normalize("ﬁ", Form::Nfkd), "fi");
    }
}
