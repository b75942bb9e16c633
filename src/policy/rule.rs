//! Declarative controls: predicates over host facts and inventory attributes.
//!
//! A predicate is written in a pack as a TOML table (docs/policies.md):
//!
//! ```toml
//! rule = { all = [
//!   { fact = "password.pam_pwquality", eq = true },
//!   { fact = "password.min_length", ge = "$min_length" },
//! ] }
//! ```
//!
//! Leaves name a subject (`fact` for a host fact, `attr` for an inventory attribute, `field`
//! for a field of the element a quantifier is looking at) and one operator. Values that are
//! strings starting with `$` refer to the control's per-level parameters. Evaluation is
//! three-valued: a fact that could not be read makes the predicate an error (never a pass)
//! unless the rest decides it (`any` with a true branch, `all` with a false one).

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;
use toml::Spanned;

/// A predicate as written, before it is checked. Every key is optional so that a bad one is
/// reported with the others.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPred {
    all: Option<Vec<RawPred>>,
    any: Option<Vec<RawPred>>,
    not: Option<Box<RawPred>>,
    fact: Option<Spanned<String>>,
    attr: Option<Spanned<String>>,
    field: Option<String>,
    /// The control's own parameter at the target's level (`param = "remember", le = 0`): lets
    /// a rule say "only where the level asks for it".
    param: Option<String>,
    eq: Option<toml::Value>,
    ne: Option<toml::Value>,
    #[serde(rename = "in")]
    in_: Option<Vec<toml::Value>>,
    not_in: Option<Vec<toml::Value>>,
    lt: Option<toml::Value>,
    le: Option<toml::Value>,
    gt: Option<toml::Value>,
    ge: Option<toml::Value>,
    present: Option<bool>,
    matches: Option<String>,
    contains: Option<toml::Value>,
    some: Option<Box<RawPred>>,
    every: Option<Box<RawPred>>,
    none: Option<Box<RawPred>>,
}

/// A fact or attribute name as written, with its span (for the loader's name check).
#[derive(Debug, Clone)]
pub enum Name {
    Fact(Spanned<String>),
    Attr(Spanned<String>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Subject {
    Fact(String),
    Attr(String),
    Field(String),
    Param(String),
}

impl Subject {
    fn name(&self) -> &str {
        match self {
            Subject::Fact(n) | Subject::Attr(n) | Subject::Field(n) | Subject::Param(n) => n,
        }
    }
}

/// A literal, or a reference to a per-level parameter (`"$name"`).
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Lit(Value),
    Param(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quant {
    Some,
    Every,
    None,
}

#[derive(Debug, Clone)]
pub enum Op {
    Eq(Operand),
    Ne(Operand),
    In(Vec<Operand>),
    NotIn(Vec<Operand>),
    Cmp(Cmp, Operand),
    Present(bool),
    Matches(regex::Regex),
    Contains(Operand),
}

#[derive(Debug, Clone)]
pub enum Pred {
    All(Vec<Pred>),
    Any(Vec<Pred>),
    Not(Box<Pred>),
    Test(Subject, Op),
    Quant(Subject, Quant, Box<Pred>),
}

fn operand(v: &toml::Value) -> Operand {
    match v {
        toml::Value::String(s) if s.starts_with('$') => Operand::Param(s[1..].to_owned()),
        other => Operand::Lit(serde_json::to_value(other).unwrap_or(Value::Null)),
    }
}

impl RawPred {
    /// Every fact and attribute the predicate names, in the order written.
    pub fn names(&self, out: &mut Vec<Name>) {
        if let Some(f) = &self.fact {
            out.push(Name::Fact(f.clone()));
        }
        if let Some(a) = &self.attr {
            out.push(Name::Attr(a.clone()));
        }
        for list in [&self.all, &self.any].into_iter().flatten() {
            list.iter().for_each(|p| p.names(out));
        }
        for inner in [&self.not, &self.some, &self.every, &self.none]
            .into_iter()
            .flatten()
        {
            inner.names(out);
        }
    }

    /// Check the shape (one subject and one operator per leaf, or one combinator) and build the
    /// predicate; every problem is described in words for the caller to locate.
    pub fn build(self, params: &[&str], errors: &mut Vec<String>) -> Option<Pred> {
        let RawPred {
            all,
            any,
            not,
            fact,
            attr,
            field,
            param,
            eq,
            ne,
            in_,
            not_in,
            lt,
            le,
            gt,
            ge,
            present,
            matches,
            contains,
            some,
            every,
            none,
        } = self;
        let subjects: Vec<Subject> = [
            fact.map(|f| Subject::Fact(f.into_inner())),
            attr.map(|a| Subject::Attr(a.into_inner())),
            field.map(Subject::Field),
            param.map(Subject::Param),
        ]
        .into_iter()
        .flatten()
        .collect();
        for s in &subjects {
            if let Subject::Param(p) = s
                && !params.contains(&p.as_str())
            {
                errors.push(format!(
                    "`param = \"{p}\"` names no parameter of this control (it has: {})",
                    if params.is_empty() {
                        "none".to_owned()
                    } else {
                        params.join(", ")
                    }
                ));
            }
        }
        let combinators = all.is_some() as usize + any.is_some() as usize + not.is_some() as usize;
        let mut ops: Vec<Op> = Vec::new();
        let mut param_ref = |o: &Operand| {
            if let Operand::Param(p) = o
                && !params.contains(&p.as_str())
            {
                errors.push(format!(
                    "`${p}` names no parameter of this control (it has: {})",
                    if params.is_empty() {
                        "none".to_owned()
                    } else {
                        params.join(", ")
                    }
                ));
            }
        };
        let mut op1 = |v: Option<toml::Value>, f: fn(Operand) -> Op| {
            if let Some(v) = v {
                let o = operand(&v);
                param_ref(&o);
                ops.push(f(o));
            }
        };
        op1(eq, Op::Eq);
        op1(ne, Op::Ne);
        op1(lt, |o| Op::Cmp(Cmp::Lt, o));
        op1(le, |o| Op::Cmp(Cmp::Le, o));
        op1(gt, |o| Op::Cmp(Cmp::Gt, o));
        op1(ge, |o| Op::Cmp(Cmp::Ge, o));
        op1(contains, Op::Contains);
        if let Some(list) = in_ {
            ops.push(Op::In(list.iter().map(operand).collect()));
        }
        if let Some(list) = not_in {
            ops.push(Op::NotIn(list.iter().map(operand).collect()));
        }
        if let Some(p) = present {
            ops.push(Op::Present(p));
        }
        if let Some(re) = matches {
            match regex::Regex::new(&re) {
                Ok(r) => ops.push(Op::Matches(r)),
                Err(e) => errors.push(format!("`matches` is not a valid regular expression: {e}")),
            }
        }
        let quants: Vec<(Quant, Box<RawPred>)> = [
            some.map(|p| (Quant::Some, p)),
            every.map(|p| (Quant::Every, p)),
            none.map(|p| (Quant::None, p)),
        ]
        .into_iter()
        .flatten()
        .collect();

        let before = errors.len();
        if combinators > 0 {
            if combinators > 1 || !subjects.is_empty() || !ops.is_empty() || !quants.is_empty() {
                errors.push(
                    "a predicate is either one of `all`, `any`, `not`, or one test: not both"
                        .into(),
                );
                return None;
            }
            let list = |v: Vec<RawPred>, errors: &mut Vec<String>| -> Vec<Pred> {
                v.into_iter()
                    .filter_map(|p| p.build(params, errors))
                    .collect()
            };
            return Some(if let Some(v) = all {
                Pred::All(list(v, errors))
            } else if let Some(v) = any {
                Pred::Any(list(v, errors))
            } else {
                Pred::Not(Box::new(not?.build(params, errors)?))
            });
        }
        let [subject] = <[Subject; 1]>::try_from(subjects).unwrap_or_else(|s| {
            errors.push(if s.is_empty() {
                "a test needs a subject: `fact`, `attr` or `field`".into()
            } else {
                "a test has one subject: `fact`, `attr` or `field`".into()
            });
            [Subject::Field(String::new())]
        });
        if ops.len() + quants.len() != 1 {
            errors.push(format!(
                "a test on `{}` needs exactly one operator (eq, ne, in, not_in, lt, le, gt, ge, present, matches, contains, some, every, none)",
                subject.name()
            ));
        }
        if errors.len() > before {
            return None;
        }
        if let Some((q, inner)) = quants.into_iter().next() {
            return Some(Pred::Quant(
                subject,
                q,
                Box::new(inner.build(params, errors)?),
            ));
        }
        Some(Pred::Test(subject, ops.pop()?))
    }
}

/// The inventory attributes of a target (`server.*`, `system.*`), by name.
pub trait Attrs {
    fn attr(&self, name: &str) -> Option<Value>;
}

impl Attrs for serde_json::Map<String, Value> {
    fn attr(&self, name: &str) -> Option<Value> {
        self.get(name).cloned()
    }
}

/// Where subjects are looked up.
pub struct Env<'a> {
    /// The host's facts (`facts.<server>` of the report); `None` offline.
    pub facts: Option<&'a serde_json::Map<String, Value>>,
    /// The target's inventory attributes (`server.*`, `system.*`).
    pub attrs: &'a dyn Attrs,
    /// The control's parameters at the target's level.
    pub params: &'a BTreeMap<String, f64>,
}

/// What an evaluation read: `name = value` lines for the evidence, in first-read order.
#[derive(Debug, Default)]
pub struct Reads(Vec<(String, String)>);

impl Reads {
    fn note(&mut self, name: &str, v: &Value) {
        if !self.0.iter().any(|(n, _)| n == name) {
            let mut text = v.to_string();
            if text.len() > 300 {
                let cut = (0..=300)
                    .rev()
                    .find(|&i| text.is_char_boundary(i))
                    .unwrap_or(0);
                text.truncate(cut);
                text.push('…');
            }
            self.0.push((name.to_owned(), text));
        }
    }

    /// Whether the evaluation read `name`.
    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(n, _)| n == name)
    }

    pub fn evidence(&self) -> String {
        self.0
            .iter()
            .map(|(n, v)| format!("{n} = {v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// `Ok(truth)`, or why it cannot be decided (a fact that could not be read).
pub type Truth = Result<bool, String>;

impl Pred {
    pub fn eval(&self, env: &Env, reads: &mut Reads) -> Truth {
        self.eval_in(env, None, reads)
    }

    fn eval_in(&self, env: &Env, elem: Option<&Value>, reads: &mut Reads) -> Truth {
        match self {
            // Every part is evaluated (no short cut), so the evidence shows every value read.
            Pred::All(ps) => {
                let (mut any_false, mut err) = (false, None);
                for p in ps {
                    match p.eval_in(env, elem, reads) {
                        Ok(false) => any_false = true,
                        Ok(true) => {}
                        Err(e) => err = err.or(Some(e)),
                    }
                }
                if any_false {
                    Ok(false)
                } else {
                    err.map_or(Ok(true), Err)
                }
            }
            Pred::Any(ps) => {
                let (mut any_true, mut err) = (false, None);
                for p in ps {
                    match p.eval_in(env, elem, reads) {
                        Ok(true) => any_true = true,
                        Ok(false) => {}
                        Err(e) => err = err.or(Some(e)),
                    }
                }
                if any_true {
                    Ok(true)
                } else {
                    err.map_or(Ok(false), Err)
                }
            }
            Pred::Not(p) => p.eval_in(env, elem, reads).map(|t| !t),
            Pred::Test(subject, op) => {
                let v = lookup(env, elem, subject, reads)?;
                op.test(&v, env.params)
            }
            Pred::Quant(subject, q, inner) => {
                let v = lookup(env, elem, subject, reads)?;
                let items: &[Value] = match &v {
                    Value::Array(a) => a,
                    Value::Null => &[],
                    other => std::slice::from_ref(other),
                };
                let mut hits = 0usize;
                for item in items {
                    if inner.eval_in(env, Some(item), reads)? {
                        hits += 1;
                    }
                }
                Ok(match q {
                    Quant::Some => hits > 0,
                    Quant::Every => hits == items.len(),
                    Quant::None => hits == 0,
                })
            }
        }
    }

    /// The host facts the predicate reads.
    pub fn facts(&self, out: &mut Vec<String>) {
        match self {
            Pred::All(ps) | Pred::Any(ps) => ps.iter().for_each(|p| p.facts(out)),
            Pred::Not(p) => p.facts(out),
            Pred::Test(s, _) | Pred::Quant(s, _, _) => {
                if let Subject::Fact(n) = s {
                    out.push(n.clone());
                }
                if let Pred::Quant(_, _, inner) = self {
                    inner.facts(out);
                }
            }
        }
    }
}

fn lookup(
    env: &Env,
    elem: Option<&Value>,
    subject: &Subject,
    reads: &mut Reads,
) -> Result<Value, String> {
    match subject {
        // `field = "."` is the element itself (a list of strings).
        Subject::Field(name) if name == "." => Ok(elem.cloned().unwrap_or(Value::Null)),
        Subject::Field(name) => Ok(elem
            .and_then(|e| e.get(name))
            .cloned()
            .unwrap_or(Value::Null)),
        Subject::Param(name) => Ok(env
            .params
            .get(name)
            .and_then(|n| serde_json::Number::from_f64(*n))
            .map_or(Value::Null, Value::Number)),
        Subject::Attr(name) => {
            let v = env.attrs.attr(name).unwrap_or(Value::Null);
            reads.note(name, &v);
            Ok(v)
        }
        Subject::Fact(name) => {
            let Some(facts) = env.facts else {
                return Err(format!("`{name}` needs a scan of the host"));
            };
            match facts.get(name) {
                None => Err(format!("`{name}` was not collected")),
                Some(Value::Object(o)) if o.contains_key("error") => Err(format!(
                    "`{name}` could not be read: {}",
                    o.get("error")
                        .and_then(Value::as_str)
                        .unwrap_or("unknown reason")
                )),
                Some(v) => {
                    reads.note(name, v);
                    Ok(v.clone())
                }
            }
        }
    }
}

fn resolve(o: &Operand, params: &BTreeMap<String, f64>) -> Value {
    match o {
        Operand::Lit(v) => v.clone(),
        Operand::Param(p) => params
            .get(p)
            .and_then(|n| serde_json::Number::from_f64(*n))
            .map_or(Value::Null, Value::Number),
    }
}

/// Equality that treats 3 and 3.0 as equal.
fn same(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

impl Op {
    fn test(&self, v: &Value, params: &BTreeMap<String, f64>) -> Truth {
        Ok(match self {
            Op::Eq(o) => same(v, &resolve(o, params)),
            Op::Ne(o) => !same(v, &resolve(o, params)),
            Op::In(list) => list.iter().any(|o| same(v, &resolve(o, params))),
            Op::NotIn(list) => !list.iter().any(|o| same(v, &resolve(o, params))),
            Op::Cmp(c, o) => match (v.as_f64(), resolve(o, params).as_f64()) {
                (Some(x), Some(y)) => match c {
                    Cmp::Lt => x < y,
                    Cmp::Le => x <= y,
                    Cmp::Gt => x > y,
                    Cmp::Ge => x >= y,
                },
                // A missing number never satisfies a comparison.
                _ => false,
            },
            Op::Present(want) => v.is_null() != *want,
            Op::Matches(re) => match v {
                Value::String(s) => re.is_match(s),
                Value::Array(a) => a.iter().filter_map(Value::as_str).any(|s| re.is_match(s)),
                _ => false,
            },
            Op::Contains(o) => {
                let want = resolve(o, params);
                match v {
                    Value::Array(a) => a.iter().any(|x| same(x, &want)),
                    Value::String(s) => want.as_str().is_some_and(|w| s.contains(w)),
                    _ => false,
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pred(src: &str, params: &[&str]) -> Pred {
        let raw: RawPred = toml::from_str(src).expect("toml");
        let mut errors = Vec::new();
        let p = raw.build(params, &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        p.expect("pred")
    }

    fn eval(p: &Pred, facts: Value, params: &[(&str, f64)]) -> (Truth, String) {
        let facts = facts.as_object().cloned().unwrap_or_default();
        let attrs = serde_json::Map::new();
        let params = params.iter().map(|(k, v)| (k.to_string(), *v)).collect();
        let env = Env {
            facts: Some(&facts),
            attrs: &attrs,
            params: &params,
        };
        let mut reads = Reads::default();
        let t = p.eval(&env, &mut reads);
        (t, reads.evidence())
    }

    /// A rule can ask for something only at the levels whose parameter asks for it: with no
    /// password history, `remember` 0 (levels 1–2) passes and `remember` 10 (levels 3–5)
    /// fails (issue 15, item 4: it used to pass whenever the history was absent).
    #[test]
    fn a_param_subject_asks_only_where_the_level_does() {
        let p = pred(
            r#"any = [ { param = "remember", le = 0 }, { fact = "password.remember", ge = "$remember" } ]"#,
            &["remember"],
        );
        let none = json!({"password.remember": null});
        assert_eq!(eval(&p, none.clone(), &[("remember", 0.0)]).0, Ok(true));
        assert_eq!(eval(&p, none, &[("remember", 10.0)]).0, Ok(false));
        let five = json!({"password.remember": 5});
        assert_eq!(eval(&p, five, &[("remember", 10.0)]).0, Ok(false));
        let ten = json!({"password.remember": 10});
        assert_eq!(eval(&p, ten, &[("remember", 10.0)]).0, Ok(true));
        // A parameter the control does not have is a pack problem.
        let raw: RawPred = toml::from_str(
            r#"param = "rememebr"
le = 0"#,
        )
        .expect("toml");
        let mut errors = Vec::new();
        let _ = raw.build(&["remember"], &mut errors);
        assert!(errors.iter().any(|e| e.contains("rememebr")), "{errors:?}");
    }

    #[test]
    fn comparison_with_parameter() {
        let p = pred(
            r#"fact = "password.min_length"
ge = "$min_length""#,
            &["min_length"],
        );
        let (t, ev) = eval(
            &p,
            json!({"password.min_length": 12}),
            &[("min_length", 14.0)],
        );
        assert_eq!(t, Ok(false));
        assert_eq!(ev, "password.min_length = 12");
        let (t, _) = eval(
            &p,
            json!({"password.min_length": 14}),
            &[("min_length", 14.0)],
        );
        assert_eq!(t, Ok(true));
        // Unset never satisfies a threshold.
        let (t, _) = eval(
            &p,
            json!({"password.min_length": null}),
            &[("min_length", 8.0)],
        );
        assert_eq!(t, Ok(false));
    }

    #[test]
    fn unreadable_fact_is_an_error_unless_decided_elsewhere() {
        let p = pred(
            r#"any = [{ fact = "session.tmout", le = 300 }, { fact = "sshd.client_alive_interval", le = 300 }]"#,
            &[],
        );
        let unreadable = json!({"error": "needs privilege"});
        let (t, _) = eval(
            &p,
            json!({"session.tmout": unreadable, "sshd.client_alive_interval": 600}),
            &[],
        );
        assert_eq!(
            t,
            Err("`session.tmout` could not be read: needs privilege".into())
        );
        let (t, _) = eval(
            &p,
            json!({"session.tmout": unreadable, "sshd.client_alive_interval": 120}),
            &[],
        );
        assert_eq!(t, Ok(true));
        let (t, _) = eval(&p, json!({}), &[]);
        assert!(matches!(t, Err(e) if e.contains("not collected")));
    }

    #[test]
    fn quantifiers_over_lists() {
        let p = pred(
            r#"fact = "listening"
none = { all = [{ field = "proto", eq = "tcp" }, { field = "port", in = [21, 23, 513] }] }"#,
            &[],
        );
        let ok = json!({"listening": [{"proto": "tcp", "port": 22}, {"proto": "udp", "port": 23}]});
        assert_eq!(eval(&p, ok, &[]).0, Ok(true));
        let bad =
            json!({"listening": [{"proto": "tcp", "port": 22}, {"proto": "tcp", "port": 23}]});
        assert_eq!(eval(&p, bad, &[]).0, Ok(false));
        let every = pred(
            r#"fact = "xs"
every = { field = "ok", eq = true }"#,
            &[],
        );
        assert_eq!(eval(&every, json!({"xs": []}), &[]).0, Ok(true));
        assert_eq!(
            eval(&every, json!({"xs": [{"ok": true}, {"ok": false}]}), &[]).0,
            Ok(false)
        );
    }

    #[test]
    fn other_operators() {
        let only_root = pred(
            r#"fact = "accounts.uid0"
every = { field = ".", eq = "root" }"#,
            &[],
        );
        assert_eq!(
            eval(&only_root, json!({"accounts.uid0": ["root"]}), &[]).0,
            Ok(true)
        );
        assert_eq!(
            eval(&only_root, json!({"accounts.uid0": ["root", "toor"]}), &[]).0,
            Ok(false)
        );
        let re = pred(
            r#"fact = "os.id"
matches = "^(debian|ubuntu)$""#,
            &[],
        );
        assert_eq!(eval(&re, json!({"os.id": "debian"}), &[]).0, Ok(true));
        assert_eq!(eval(&re, json!({"os.id": "rhel"}), &[]).0, Ok(false));
        let has = pred(
            r#"fact = "agents.running"
contains = "auditd""#,
            &[],
        );
        assert_eq!(
            eval(&has, json!({"agents.running": ["sshd", "auditd"]}), &[]).0,
            Ok(true)
        );
        let not = pred(r#"not = { fact = "sshd.port", eq = 22 }"#, &[]);
        assert_eq!(eval(&not, json!({"sshd.port": 2222}), &[]).0, Ok(true));
        assert_eq!(eval(&not, json!({"sshd.port": 22.0}), &[]).0, Ok(false));
    }

    #[test]
    fn shape_errors_are_described() {
        let build = |src: &str, params: &[&str]| {
            let raw: RawPred = toml::from_str(src).expect("toml");
            let mut errors = Vec::new();
            let _ = raw.build(params, &mut errors);
            errors
        };
        assert!(build(r#"fact = "a""#, &[])[0].contains("exactly one operator"));
        assert!(build(r#"eq = 1"#, &[])[0].contains("needs a subject"));
        assert!(
            build(
                r#"fact = "a"
ge = "$nope""#,
                &["min"]
            )[0]
            .contains("`$nope` names no parameter")
        );
        assert!(
            build(
                r#"fact = "a"
matches = "(""#,
                &[]
            )[0]
            .contains("regular expression")
        );
        assert!(
            build(
                r#"all = []
fact = "a""#,
                &[]
            )[0]
            .contains("either one of")
        );
        assert!(
            toml::from_str::<RawPred>(
                r#"fact = "a"
equals = 1"#
            )
            .is_err()
        );
    }
}
