//! The units an organisation or a system names (security unit, operator, appraiser): their
//! names, and where each is written so that a diagnostic about them can point there.

use toml::Spanned;

use super::Validator;
use crate::diag::Diagnostic;
use crate::inventory::model::UnitLocs;

/// The units of one `[organization]` or `[systems.ID]` table.
pub(super) struct Units {
    pub security_unit: Option<String>,
    pub operator: Option<String>,
    pub appraiser: Option<String>,
    pub locs: UnitLocs,
}

impl Validator<'_> {
    /// Each unit's name and place. An `appraiser` that is empty or only whitespace names no
    /// unit: it is reported (`empty-value`) and dropped. (An empty `security_unit` or `operator`
    /// has always been accepted, and the documents leave a blank for it.)
    pub(super) fn units(
        &mut self,
        security_unit: Option<Spanned<String>>,
        operator: Option<Spanned<String>>,
        appraiser: Option<Spanned<String>>,
    ) -> Units {
        let mut one = |value: Option<Spanned<String>>, key: &str| {
            let value = value?;
            let loc = self.loc(value.span());
            let name = value.into_inner();
            if key == "appraiser" && name.trim().is_empty() {
                self.diags.push(
                    Diagnostic::new("empty-value", format!("`{key}` names no unit"))
                        .at(loc, "empty")
                        .hint(format!("write the unit's name, or remove `{key}`")),
                );
                return None;
            }
            Some((name, loc))
        };
        let (security_unit, security_unit_loc) = one(security_unit, "security_unit").unzip();
        let (operator, operator_loc) = one(operator, "operator").unzip();
        let (appraiser, appraiser_loc) = one(appraiser, "appraiser").unzip();
        Units {
            security_unit,
            operator,
            appraiser,
            locs: UnitLocs {
                security_unit: security_unit_loc,
                operator: operator_loc,
                appraiser: appraiser_loc,
            },
        }
    }
}
