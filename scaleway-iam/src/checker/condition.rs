//! Rule conditions (CEL expressions). The checker never assumes a condition holds: a rule
//! with a condition meets a requirement "only under a condition", unless the caller told
//! the checker what its requests look like ([`RequestContext`]) and the condition is one of
//! the few forms it can evaluate exactly:
//!
//! * `inIpRange(request.ip, "203.0.113.0/24")` (the documented IAM function),
//! * `request.ip == "203.0.113.7"`,
//! * `request.user_agent.contains("terraform/")`,
//!
//! joined by `&&` or `||` (no parentheses). Anything else is reported as not evaluated.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

/// What the checker knows about the requests the key will make.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RequestContext {
    /// Public IP address the requests come from.
    pub ip: Option<IpAddr>,
    /// User agent the requests carry.
    pub user_agent: Option<String>,
}

impl RequestContext {
    /// A context with a known source IP.
    pub fn from_ip(ip: IpAddr) -> Self {
        RequestContext {
            ip: Some(ip),
            user_agent: None,
        }
    }
}

/// Result of looking at a condition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ConditionOutcome {
    /// No condition: the rule always applies.
    None,
    /// Evaluated with the given request context.
    Evaluated {
        /// The value.
        holds: bool,
    },
    /// Not evaluated (unsupported form or unknown context): never assumed true.
    NotEvaluated {
        /// Why.
        reason: String,
    },
}

/// Evaluates `condition` for `ctx`.
pub fn evaluate(condition: &str, ctx: &RequestContext) -> ConditionOutcome {
    let c = condition.trim();
    if c.is_empty() {
        return ConditionOutcome::None;
    }
    match eval_or(c, ctx) {
        Ok(Some(b)) => ConditionOutcome::Evaluated { holds: b },
        Ok(None) => ConditionOutcome::NotEvaluated {
            reason: "the request context needed to evaluate it is unknown".into(),
        },
        Err(()) => ConditionOutcome::NotEvaluated {
            reason: "the checker does not evaluate this form of condition".into(),
        },
    }
}

/// Splits on `sep` outside quotes and parentheses.
fn split_top(s: &str, sep: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut cur = String::new();
    let chars: Vec<char> = s.chars().collect();
    let sepc: Vec<char> = sep.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let ch = chars[i];
        match quote {
            Some(q) if ch == q => quote = None,
            Some(_) => {}
            None => match ch {
                '"' | '\'' => quote = Some(ch),
                '(' => depth += 1,
                ')' => depth -= 1,
                _ => {
                    if depth == 0 && chars[i..].starts_with(&sepc) {
                        parts.push(std::mem::take(&mut cur));
                        i += sepc.len();
                        continue;
                    }
                }
            },
        }
        cur.push(ch);
        i += 1;
    }
    parts.push(cur);
    parts
}

type Eval = Result<Option<bool>, ()>;

fn eval_or(s: &str, ctx: &RequestContext) -> Eval {
    let (mut unknown, mut unsupported) = (false, false);
    for part in split_top(s, "||") {
        match eval_and(part.trim(), ctx) {
            Ok(Some(true)) => return Ok(Some(true)),
            Ok(Some(false)) => {}
            Ok(None) => unknown = true,
            Err(()) => unsupported = true,
        }
    }
    if unsupported {
        Err(())
    } else if unknown {
        Ok(None)
    } else {
        Ok(Some(false))
    }
}

fn eval_and(s: &str, ctx: &RequestContext) -> Eval {
    let (mut unknown, mut unsupported) = (false, false);
    for part in split_top(s, "&&") {
        match eval_atom(part.trim(), ctx) {
            Ok(Some(false)) => return Ok(Some(false)),
            Ok(Some(true)) => {}
            Ok(None) => unknown = true,
            Err(()) => unsupported = true,
        }
    }
    if unsupported {
        Err(())
    } else if unknown {
        Ok(None)
    } else {
        Ok(Some(true))
    }
}

fn unquote(s: &str) -> Option<&str> {
    let s = s.trim();
    let b = s.as_bytes();
    if b.len() >= 2 && (b[0] == b'"' || b[0] == b'\'') && b[b.len() - 1] == b[0] {
        Some(&s[1..s.len() - 1])
    } else {
        None
    }
}

fn eval_atom(s: &str, ctx: &RequestContext) -> Eval {
    if let Some(args) = s
        .strip_prefix("inIpRange(")
        .and_then(|r| r.strip_suffix(')'))
    {
        let parts = split_top(args, ",");
        let [var, cidr] = parts.as_slice() else {
            return Err(());
        };
        if var.trim() != "request.ip" {
            return Err(());
        }
        let cidr = unquote(cidr).ok_or(())?;
        let (net, len) = parse_cidr(cidr).ok_or(())?;
        return Ok(ctx.ip.map(|ip| in_range(ip, net, len)));
    }
    if let Some(rest) = s.strip_prefix("request.ip") {
        let value = rest.trim().strip_prefix("==").ok_or(())?;
        let ip: IpAddr = unquote(value).ok_or(())?.parse().map_err(|_| ())?;
        return Ok(ctx.ip.map(|x| x == ip));
    }
    if let Some(args) = s
        .strip_prefix("request.user_agent.contains(")
        .and_then(|r| r.strip_suffix(')'))
    {
        let needle = unquote(args).ok_or(())?;
        return Ok(ctx.user_agent.as_ref().map(|ua| ua.contains(needle)));
    }
    Err(())
}

fn parse_cidr(s: &str) -> Option<(IpAddr, u8)> {
    let (addr, len) = match s.split_once('/') {
        Some((a, l)) => (a, l.parse::<u8>().ok()?),
        None => {
            let ip: IpAddr = s.parse().ok()?;
            let l = if ip.is_ipv4() { 32 } else { 128 };
            return Some((ip, l));
        }
    };
    let ip: IpAddr = addr.parse().ok()?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    (len <= max).then_some((ip, len))
}

fn in_range(ip: IpAddr, net: IpAddr, len: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let mask = if len == 0 {
                0
            } else {
                u32::MAX << (32 - u32::from(len))
            };
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let mask = if len == 0 {
                0
            } else {
                u128::MAX << (128 - u32::from(len))
            };
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> RequestContext {
        RequestContext::from_ip(s.parse().unwrap())
    }

    #[test]
    fn table() {
        let none = RequestContext::default();
        let cases: &[(&str, &RequestContext, ConditionOutcome)] = &[
            ("", &none, ConditionOutcome::None),
            ("  ", &none, ConditionOutcome::None),
            (
                r#"inIpRange(request.ip, "203.0.113.0/24")"#,
                &ip("203.0.113.9"),
                ConditionOutcome::Evaluated { holds: true },
            ),
            (
                r#"inIpRange(request.ip, '203.0.113.0/24')"#,
                &ip("198.51.100.1"),
                ConditionOutcome::Evaluated { holds: false },
            ),
            (
                r#"request.ip == "2001:db8::1" || inIpRange(request.ip, "10.0.0.0/8")"#,
                &ip("10.2.3.4"),
                ConditionOutcome::Evaluated { holds: true },
            ),
            (
                r#"inIpRange(request.ip, "2001:db8::/32")"#,
                &ip("2001:db8:1::5"),
                ConditionOutcome::Evaluated { holds: true },
            ),
        ];
        for (c, ctx, want) in cases {
            assert_eq!(&evaluate(c, ctx), want, "{c}");
        }
        let unknown = [
            ("1 == 1", &none),
            (r#"inIpRange(request.ip, "203.0.113.0/24")"#, &none),
            ("request.time.getDayOfWeek() != 0", &ip("1.2.3.4")),
            (r#"resource.name.startsWith("/x/")"#, &ip("1.2.3.4")),
            (r#"inIpRange(request.ip, "not-a-cidr")"#, &ip("1.2.3.4")),
        ];
        for (c, ctx) in unknown {
            assert!(
                matches!(evaluate(c, ctx), ConditionOutcome::NotEvaluated { .. }),
                "{c}"
            );
        }
        // A false conjunct decides even when another part is unknown.
        assert_eq!(
            evaluate(
                r#"request.time.getHours() < 5 && inIpRange(request.ip, "10.0.0.0/8")"#,
                &ip("192.0.2.1")
            ),
            ConditionOutcome::Evaluated { holds: false }
        );
    }
}
