//! The starter inventory of `capdo init DIR`: a commented inventory for one regime, written by
//! the command line into a new or empty folder (as `capdo import --out` writes its own).

use crate::inventory::Regime;

/// The starter inventory, with `{{regime}}`, `{{regime_note}}` and `{{level_basis}}` to fill.
const STARTER: &str = include_str!("../templates/init/inventory.toml");

/// The file `init` and `import --out` write in their folder.
pub const INVENTORY_FILE: &str = "inventory.toml";

/// The starter inventory for `regime`.
pub fn starter(regime: Regime) -> String {
    let (name, note, basis) = match regime {
        Regime::Nd85 => (
            "nd85",
            "legacy regime: NĐ 85/2016 + TT 12/2022 + TCVN 11930:2017",
            "NĐ 85/2016 Đ8.1",
        ),
        Regime::Nd331 => (
            "nd331",
            "current regime: Luật 116/2025 + NĐ 331/2026 + TCVN 14423:2026",
            "NĐ 331/2026 Đ12.1",
        ),
    };
    STARTER
        .replace("{{regime}}", name)
        .replace("{{regime_note}}", note)
        .replace("{{level_basis}}", basis)
}
