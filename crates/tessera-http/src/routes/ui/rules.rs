//! The password rules in words, from the policy's own requirements, so the page and the check agree.

use tessera_domain::policy::password::{Complexity, PasswordPolicy};

pub fn password_rules(policy: &PasswordPolicy) -> Vec<String> {
    let plural = |n: usize, one: &str, many: &str| {
        if n == 1 {
            format!("at least 1 {one}")
        } else {
            format!("at least {n} {many}")
        }
    };
    let mut rules: Vec<String> = policy
        .requirements()
        .into_iter()
        .map(|(class, n)| match class {
            "total" => plural(n, "character", "characters"),
            "lower" => plural(n, "lower-case letter", "lower-case letters"),
            "upper" => plural(n, "capital letter", "capital letters"),
            "digit" => plural(n, "digit", "digits"),
            _ => plural(n, "symbol (such as ! or #)", "symbols (such as ! or #)"),
        })
        .collect();
    if policy.complexity != Complexity::Weak {
        rules.push("not to be a commonly used password".to_string());
    }
    rules
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_follow_the_policy() {
        assert_eq!(
            password_rules(&PasswordPolicy::default()),
            [
                "at least 6 characters",
                "at least 1 digit",
                "not to be a commonly used password"
            ]
        );
        let strong = password_rules(&PasswordPolicy::new(Complexity::Strong, None));
        assert!(strong.contains(&"at least 2 capital letters".to_string()));
    }
}
