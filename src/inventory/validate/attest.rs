//! `protection.attestations`: the human attestations recorded in the inventory, each with the
//! place its control id is written. Whether an id names a human-attestation control of the
//! packs is checked where the packs are known (`capdo validate`, through
//! `dossier::attestation_problems`): the inventory alone does not know them.

use std::collections::BTreeMap;

use toml::Spanned;

use super::Validator;
use crate::diag::Diagnostic;
use crate::inventory::model::Attestation;

impl Validator<'_> {
    /// The attestations by control id. An empty evidence attests nothing: it is reported
    /// (`empty-value`) and dropped.
    pub(super) fn attestations(
        &mut self,
        raw: Option<BTreeMap<Spanned<String>, Spanned<String>>>,
    ) -> BTreeMap<String, Attestation> {
        let mut out = BTreeMap::new();
        for (id, evidence) in raw.unwrap_or_default() {
            let loc = self.loc(id.span());
            if evidence.get_ref().trim().is_empty() {
                self.diags.push(
                    Diagnostic::new(
                        "empty-value",
                        format!("the attestation of `{}` gives no evidence", id.get_ref()),
                    )
                    .at(self.loc(evidence.span()), "empty")
                    .hint(
                        "write the document that proves it (number and date), or remove the line",
                    ),
                );
                continue;
            }
            out.insert(
                id.into_inner(),
                Attestation {
                    evidence: evidence.into_inner(),
                    loc,
                },
            );
        }
        out
    }
}
