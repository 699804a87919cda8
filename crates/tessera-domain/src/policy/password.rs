//! Password complexity as Metabase defines it (`MB_PASSWORD_COMPLEXITY`, `MB_PASSWORD_LENGTH`), plus an
//! offline list of common passwords shipped in the binary (see `data/NOTICE.md`).

use crate::types::error::WeakPassword;
use std::collections::HashSet;
use std::sync::OnceLock;

/// 30,000 common passwords, lower-cased.
static COMMON: &str = include_str!("../../data/common-passwords.txt");

fn common_passwords() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| COMMON.lines().filter(|l| !l.is_empty()).collect())
}

/// Whether a password (compared lower-cased) is on the shipped list.
pub fn is_common(password: &str) -> bool {
    common_passwords().contains(password.to_lowercase().as_str())
}

/// The requirement map, in the order Metabase prints it.
pub type Requirements = Vec<(&'static str, usize)>;

/// Minimum counts per character class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordPolicy {
    pub complexity: Complexity,
    pub total: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Complexity {
    Weak,
    Normal,
    Strong,
}

impl Complexity {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "weak" => Some(Self::Weak),
            "normal" => Some(Self::Normal),
            "strong" => Some(Self::Strong),
            _ => None,
        }
    }

    fn default_total(self) -> usize {
        match self {
            Self::Weak | Self::Normal => 6,
            Self::Strong => 8,
        }
    }
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self::new(Complexity::Normal, None)
    }
}

impl PasswordPolicy {
    pub fn new(complexity: Complexity, length: Option<usize>) -> Self {
        Self {
            complexity,
            total: length.unwrap_or(complexity.default_total()),
        }
    }

    /// What `password-complexity` shows in the session properties, e.g. `{"total":6,"digit":1}`.
    pub fn requirements(&self) -> Requirements {
        let mut r = vec![("total", self.total)];
        match self.complexity {
            Complexity::Weak => {}
            Complexity::Normal => r.push(("digit", 1)),
            Complexity::Strong => {
                r.extend([("lower", 2), ("upper", 2), ("digit", 1), ("special", 1)]);
            }
        }
        r
    }

    /// Complexity, and (unless `weak`) not a common password.
    pub fn accepts(&self, password: &str) -> bool {
        self.check(password).is_ok()
    }

    /// [`accepts`](Self::accepts), saying why not.
    pub fn check(&self, password: &str) -> Result<(), WeakPassword> {
        if !self.complex_enough(password) {
            Err(WeakPassword::TooSimple)
        } else if self.complexity != Complexity::Weak && is_common(password) {
            Err(WeakPassword::Common)
        } else {
            Ok(())
        }
    }

    fn complex_enough(&self, password: &str) -> bool {
        let (mut lower, mut upper, mut digit, mut special) = (0, 0, 0, 0);
        for c in password.chars() {
            if c.is_lowercase() {
                lower += 1;
            } else if c.is_uppercase() {
                upper += 1;
            } else if c.is_numeric() {
                digit += 1;
            } else {
                special += 1;
            }
        }
        self.requirements().iter().all(|&(class, min)| {
            let have = match class {
                "total" => password.chars().count(),
                "lower" => lower,
                "upper" => upper,
                "digit" => digit,
                _ => special,
            };
            have >= min
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_needs_six_chars_and_a_digit() {
        let p = PasswordPolicy::default();
        assert!(p.accepts("zqxwv1"));
        assert!(!p.accepts("abcdef"));
        assert!(!p.accepts("abc1"));
    }

    #[test]
    fn common_passwords_are_refused_unless_weak() {
        assert!(common_passwords().len() >= 10_000);
        assert!(is_common("Password1"), "compared lower-cased");
        assert!(!PasswordPolicy::default().accepts("password1"));
        assert!(!PasswordPolicy::default().accepts("abc123"));
        assert!(PasswordPolicy::new(Complexity::Weak, None).accepts("abc123"));
        assert!(PasswordPolicy::default().accepts("zq7-unlikely-phrase"));
    }

    #[test]
    fn strong_needs_every_class() {
        let p = PasswordPolicy::new(Complexity::Strong, None);
        assert!(p.accepts("abCD1!xy"));
        assert!(!p.accepts("abcd1!xy"));
        assert!(!p.accepts("aB1!"));
    }

    #[test]
    fn length_overrides_total() {
        let p = PasswordPolicy::new(Complexity::Weak, Some(10));
        assert!(!p.accepts("abcdefghi"));
        assert!(p.accepts("abcdefghij"));
        assert_eq!(p.requirements(), vec![("total", 10)]);
    }
}
