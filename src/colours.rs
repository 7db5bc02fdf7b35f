//! Tenant colours: a small palette of colours that white text reads on (at least 4.5:1, WCAG
//! AA), one per tenant, marking the badge, the popup row, the options row and the line or banner
//! on the portal page. A tenant's colour is the one the analyst chose, or one derived from its
//! tenant ID, so the same tenant has the same colour in every browser without anything stored.

use serde::{Deserialize, Serialize};

use crate::tenant_id::TenantId;

/// One colour of the palette, by name (as stored and as pages name it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Colour {
    Blue,
    Teal,
    Green,
    Olive,
    Orange,
    Red,
    Rose,
    Magenta,
    Purple,
    Indigo,
    Slate,
    Brown,
}

/// Every colour, in the order the options page offers them.
pub const PALETTE: [Colour; 12] = [
    Colour::Blue,
    Colour::Teal,
    Colour::Green,
    Colour::Olive,
    Colour::Orange,
    Colour::Red,
    Colour::Rose,
    Colour::Magenta,
    Colour::Purple,
    Colour::Indigo,
    Colour::Slate,
    Colour::Brown,
];

impl Colour {
    /// The colour as CSS `#rrggbb`.
    pub fn hex(self) -> &'static str {
        match self {
            Self::Blue => "#1f5fbf",
            Self::Teal => "#00676b",
            Self::Green => "#1e6b34",
            Self::Olive => "#5b6300",
            Self::Orange => "#9a4a00",
            Self::Red => "#b3261e",
            Self::Rose => "#a3174e",
            Self::Magenta => "#9c1f8a",
            Self::Purple => "#6b3fb5",
            Self::Indigo => "#3d44b8",
            Self::Slate => "#4a5568",
            Self::Brown => "#7a4a24",
        }
    }

    /// The colour's name as stored (`blue`, `teal`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Self::Blue => "blue",
            Self::Teal => "teal",
            Self::Green => "green",
            Self::Olive => "olive",
            Self::Orange => "orange",
            Self::Red => "red",
            Self::Rose => "rose",
            Self::Magenta => "magenta",
            Self::Purple => "purple",
            Self::Indigo => "indigo",
            Self::Slate => "slate",
            Self::Brown => "brown",
        }
    }

    /// The colour named `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        PALETTE.iter().copied().find(|colour| colour.name() == name)
    }

    /// The colour a tenant has unless one was chosen: from its tenant ID, spread over the
    /// palette (FNV-1a over the ID's bytes).
    pub fn for_tenant(id: TenantId) -> Self {
        let hash = id
            .as_uuid()
            .as_bytes()
            .iter()
            .fold(0x811c_9dc5u32, |hash, byte| {
                (hash ^ u32::from(*byte)).wrapping_mul(0x0100_0193)
            });
        let index = usize::try_from(hash).unwrap_or(0) % PALETTE.len();
        PALETTE.get(index).copied().unwrap_or(Colour::Blue)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test;

    /// WCAG 2 contrast of white text on `hex`, computed here from the definition.
    fn contrast_with_white(hex: &str) -> f64 {
        let channel = |at: usize| {
            let value = f64::from(u8::from_str_radix(&hex[at..at + 2], 16).unwrap()) / 255.0;
            if value <= 0.039_28 {
                value / 12.92
            } else {
                ((value + 0.055) / 1.055).powf(2.4)
            }
        };
        let luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
        1.05 / (luminance + 0.05)
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn white_text_reads_on_every_colour() {
        for colour in PALETTE {
            let ratio = contrast_with_white(colour.hex());
            assert!(ratio >= 4.5, "{colour:?} {}: {ratio:.2}", colour.hex());
            assert_eq!(Colour::from_name(colour.name()), Some(colour));
        }
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn the_derived_colour_is_fixed_and_spread_out() {
        let id = |n: u32| TenantId::parse(&format!("00000000-0000-4000-8000-{n:012x}")).unwrap();
        assert_eq!(Colour::for_tenant(id(1)), Colour::for_tenant(id(1)));
        let used: std::collections::HashSet<Colour> =
            (1..=200).map(|n| Colour::for_tenant(id(n))).collect();
        assert_eq!(used.len(), PALETTE.len(), "200 tenants use every colour");
    }
}
