//! Standard base64 (RFC 4648, with `=` padding), for the bytes of an imported file: runtime
//! messages between extension pages carry JSON, so a page sends a file as base64 text.

use std::fmt;

use serde::Serialize;

use crate::error::UiError;

/// Why a text is not base64.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "name", rename = "Base64Invalid", rename_all = "camelCase")]
pub struct Base64Error {
    /// The 0-based offset of the first character that is not base64, or the length for a text
    /// cut short.
    pub offset: usize,
}

impl fmt::Display for Base64Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the file data is not base64 (at offset {})", self.offset)
    }
}

impl std::error::Error for Base64Error {}
impl UiError for Base64Error {}

fn value(byte: u8) -> Option<u32> {
    match byte {
        b'A'..=b'Z' => Some(u32::from(byte - b'A')),
        b'a'..=b'z' => Some(u32::from(byte - b'a') + 26),
        b'0'..=b'9' => Some(u32::from(byte - b'0') + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// Decodes standard base64 with padding; ASCII whitespace is skipped.
///
/// # Errors
/// [`Base64Error`] at the first character that does not belong, or when the text ends inside a
/// group.
///
/// # Examples
/// ```
/// use tenant_switch::base64::decode;
/// assert_eq!(decode("aGk=").unwrap(), b"hi");
/// assert!(decode("a*").is_err());
/// ```
pub fn decode(text: &str) -> Result<Vec<u8>, Base64Error> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let mut group = 0u32;
    let mut filled = 0u32;
    let mut padding = 0u32;
    for (offset, byte) in text.bytes().enumerate() {
        if byte.is_ascii_whitespace() {
            continue;
        }
        if byte == b'=' {
            padding += 1;
            if filled + padding > 4 || filled < 2 {
                return Err(Base64Error { offset });
            }
            continue;
        }
        let Some(bits) = value(byte).filter(|_| padding == 0) else {
            return Err(Base64Error { offset });
        };
        group = group << 6 | bits;
        filled += 1;
        if filled == 4 {
            out.extend_from_slice(&group.to_be_bytes()[1..]);
            group = 0;
            filled = 0;
        }
    }
    match (filled, padding) {
        (0, 0) => {}
        (2, _) if padding == 0 || padding == 2 => out.push((group >> 4) as u8),
        (3, _) if padding <= 1 => {
            let bytes = (group << 6).to_be_bytes();
            out.extend_from_slice(&bytes[1..3]);
        }
        _ => return Err(Base64Error { offset: text.len() }),
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test;

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn decodes_rfc_4648_test_vectors() {
        for (text, bytes) in [
            ("", ""),
            ("Zg==", "f"),
            ("Zm8=", "fo"),
            ("Zm9v", "foo"),
            ("Zm9vYg==", "foob"),
            ("Zm9vYmE=", "fooba"),
            ("Zm9vYmFy", "foobar"),
            ("Zm9v\nYmFy", "foobar"),
            ("Zm8", "fo"),
        ] {
            assert_eq!(decode(text).unwrap(), bytes.as_bytes(), "{text:?}");
        }
        assert_eq!(decode("//79").unwrap(), vec![0xff, 0xfe, 0xfd]);
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn refuses_what_is_not_base64() {
        assert_eq!(decode("Zm9v!"), Err(Base64Error { offset: 4 }));
        assert_eq!(decode("Z==="), Err(Base64Error { offset: 1 }));
        assert_eq!(decode("Zg==Zg"), Err(Base64Error { offset: 4 }));
        assert_eq!(decode("Z"), Err(Base64Error { offset: 1 }));
    }
}
