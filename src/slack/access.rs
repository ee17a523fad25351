//! Who may query what from Slack: the `[[slack.access]]` rules, matched by member ID or channel.

use crate::config::SlackAccess;

/// The access rules.
#[derive(Debug, Clone, Default)]
pub struct Access {
    rules: Vec<SlackAccess>,
}

impl Access {
    /// Rules as configured.
    pub fn new(rules: Vec<SlackAccess>) -> Self {
        Access { rules }
    }

    /// The sources `user` may query when asking in `channel`, in the order of `all`. Empty: refuse.
    pub fn sources_for(&self, user: &str, channel: &str, all: &[String]) -> Vec<String> {
        let granted: Vec<&String> = self
            .rules
            .iter()
            .filter(|rule| {
                rule.users.iter().any(|u| u == "*" || u == user) || rule.channels.iter().any(|c| c == channel)
            })
            .flat_map(|rule| rule.sources.iter())
            .collect();
        all.iter().filter(|source| granted.iter().any(|g| *g == "*" || g == source)).cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(users: &[&str], channels: &[&str], sources: &[&str]) -> SlackAccess {
        let strings = |items: &[&str]| items.iter().map(|s| s.to_string()).collect();
        SlackAccess { users: strings(users), channels: strings(channels), sources: strings(sources) }
    }

    #[test]
    fn users_and_channels_grant_sources_and_nothing_else() {
        let all: Vec<String> = ["demo", "sales", "hr"].iter().map(|s| s.to_string()).collect();
        let access = Access::new(vec![
            rule(&["U1"], &[], &["sales"]),
            rule(&[], &["CDATA"], &["demo", "sales"]),
            rule(&["UADMIN"], &[], &["*"]),
        ]);
        assert_eq!(access.sources_for("U1", "CX", &all), ["sales"]);
        assert_eq!(access.sources_for("U2", "CDATA", &all), ["demo", "sales"]);
        assert_eq!(access.sources_for("U1", "CDATA", &all), ["demo", "sales"]);
        assert_eq!(access.sources_for("UADMIN", "CX", &all), ["demo", "sales", "hr"]);
        assert!(access.sources_for("U2", "CX", &all).is_empty());
        let everyone = Access::new(vec![rule(&["*"], &[], &["demo"])]);
        assert_eq!(everyone.sources_for("U9", "C9", &all), ["demo"]);
    }
}
