//! The handlebars engines of every templated output (host configuration, reports, the dossier
//! and the annual report), built one way: strict mode (a template naming a value that does not
//! exist fails instead of printing nothing), one escaping function for the output language (from
//! [`crate::escape`], or none for configuration files), and the shipped templates, each replaced
//! by a `--templates` file when one exists. An override therefore behaves the same everywhere.
//!
//! Reads override files; renders nothing and prints nothing.

use std::path::Path;

use anyhow::anyhow;
use handlebars::Handlebars;

/// A strict engine escaping every `{{value}}` with `escape`, with the `shipped` templates
/// (name, text), each replaced by `<overrides>/<name>.hbs` when that file exists.
pub fn engine<'r>(
    escape: fn(&str) -> String,
    shipped: &[(&str, &str)],
    overrides: Option<&Path>,
) -> anyhow::Result<Handlebars<'r>> {
    Ok(engine_changed(escape, shipped, overrides)?.0)
}

/// [`engine`], and for each of the `shipped` templates whether an override changed it: an
/// override file whose text is the shipped text byte for byte (such as the copies in the
/// repository's `templates/`) renders what the shipped template renders, so a writer that
/// stands for a shipped template may still stand for it.
pub fn engine_changed<'r>(
    escape: fn(&str) -> String,
    shipped: &[(&str, &str)],
    overrides: Option<&Path>,
) -> anyhow::Result<(Handlebars<'r>, Vec<bool>)> {
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    hb.register_escape_fn(escape);
    let mut changed = Vec::with_capacity(shipped.len());
    for (name, text) in shipped {
        let custom = overrides
            .filter(|_| overridden(name, overrides))
            .map(|d| d.join(format!("{name}.hbs")));
        changed.push(register(&mut hb, name, text, custom.as_deref())?);
    }
    Ok((hb, changed))
}

/// Whether `<overrides>/<name>.hbs` replaces the shipped template `name`: the file exists in
/// any form (a link, a FIFO: [`engine`] then reads it the safe way or refuses it).
pub fn overridden(name: &str, overrides: Option<&Path>) -> bool {
    overrides.is_some_and(|d| std::fs::symlink_metadata(d.join(format!("{name}.hbs"))).is_ok())
}

/// Largest template override read.
const MAX_TEMPLATE: u64 = 1 << 20;

/// Register template `name`: the file `custom` when given (it exists, see [`overridden`]), else
/// the shipped text. Whether the registered text differs from the shipped one.
fn register(
    hb: &mut Handlebars<'_>,
    name: &str,
    shipped: &str,
    custom: Option<&Path>,
) -> anyhow::Result<bool> {
    // An override that exists in any form (a link, a FIFO) is read the safe way or refused;
    // only an absent one falls back to the shipped text.
    match custom {
        Some(path) => {
            let folder = path.parent().unwrap_or(Path::new("."));
            let text = crate::infile::read_text(path, folder, MAX_TEMPLATE)
                .map_err(|why| anyhow!("cannot read template `{}`: {why}", path.display()))?;
            let changed = text != shipped;
            hb.register_template_string(name, text)
                .map_err(|e| anyhow!("template `{}`: {e}", path.display()))?;
            Ok(changed)
        }
        None => hb
            .register_template_string(name, shipped)
            .map(|()| false)
            .map_err(|e| anyhow!("shipped template `{name}`: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_engine_is_strict_escapes_and_prefers_an_override() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("b.hbs"), "B {{x}}").expect("write");
        let hb = engine(
            crate::escape::html,
            &[("a", "A {{x}}"), ("b", "shipped")],
            Some(dir.path()),
        )
        .expect("engine");
        let data = serde_json::json!({"x": "<i>"});
        assert_eq!(hb.render("a", &data).expect("a"), "A &lt;i&gt;");
        assert_eq!(hb.render("b", &data).expect("b"), "B &lt;i&gt;");
        assert!(hb.render("a", &serde_json::json!({})).is_err());
        let e = engine(handlebars::no_escape, &[("c", "{{#if}}")], None).expect_err("bad");
        assert!(e.to_string().starts_with("shipped template `c`"), "{e}");
    }

    #[test]
    fn an_override_with_the_shipped_text_changes_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("same.hbs"), "S {{x}}").expect("write");
        std::fs::write(dir.path().join("other.hbs"), "S {{x}} ").expect("write");
        let shipped = [("same", "S {{x}}"), ("other", "S {{x}}"), ("none", "N")];
        let (_, changed) =
            engine_changed(crate::escape::html, &shipped, Some(dir.path())).expect("engine");
        assert_eq!(changed, [false, true, false]);
        let (_, changed) = engine_changed(crate::escape::html, &shipped, None).expect("engine");
        assert_eq!(changed, [false, false, false]);
    }
}
