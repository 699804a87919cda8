//! Login throttling arithmetic (Metabase's `throttle` library), kept pure: the store supplies how many
//! failures a key has in the window and when the last was, and this decides.

use chrono::{DateTime, Duration, Utc};

/// Which counter an attempt is recorded under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Throttler {
    LoginUsername,
    LoginIp,
    ForgotPasswordEmail,
    ForgotPasswordIp,
    ResetPasswordIp,
    /// Browser OpenID logins started: each writes a row, so a client may not start without bound.
    OidcStartIp,
}

impl Throttler {
    pub fn name(self) -> &'static str {
        match self {
            Self::LoginUsername => "login-username",
            Self::LoginIp => "login-ip",
            Self::ForgotPasswordEmail => "forgot-password-email",
            Self::ForgotPasswordIp => "forgot-password-ip",
            Self::ResetPasswordIp => "reset-password-ip",
            Self::OidcStartIp => "oidc-start-ip",
        }
    }

    pub fn policy(self) -> ThrottlePolicy {
        match self {
            Self::LoginUsername => ThrottlePolicy::new(10),
            Self::LoginIp | Self::ForgotPasswordIp => ThrottlePolicy::new(50),
            // Three requests a second per address typed in (reference §4).
            Self::ForgotPasswordEmail => ThrottlePolicy {
                window: Duration::milliseconds(1000),
                ..ThrottlePolicy::new(3)
            },
            Self::ResetPasswordIp => ThrottlePolicy::new(10),
            Self::OidcStartIp => ThrottlePolicy::new(100),
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct ThrottlePolicy {
    pub threshold: u32,
    pub window: Duration,
    pub initial_delay: Duration,
    pub exponent: f64,
}

/// Recent attempts recorded for one key.
#[derive(Debug, Clone, Copy, Default)]
pub struct Window {
    pub count: u32,
    pub last_at: Option<DateTime<Utc>>,
}

impl ThrottlePolicy {
    pub fn new(threshold: u32) -> Self {
        Self {
            threshold,
            window: Duration::hours(1),
            initial_delay: Duration::seconds(15),
            exponent: 1.5,
        }
    }

    /// `Err(message)` when an attempt must be refused now. Once a key has reached the threshold every
    /// attempt is refused until failures age out of the window, as Metabase's `with-throttling` does.
    pub fn check(&self, window: Window, now: DateTime<Utc>) -> Result<(), String> {
        if window.count < self.threshold {
            return Ok(());
        }
        let over = (window.count + 1 - self.threshold) as f64;
        let delay_ms = over.powf(self.exponent) * self.initial_delay.num_milliseconds() as f64;
        let last = window.last_at.unwrap_or(now);
        let remaining_ms =
            last.timestamp_millis() as f64 + delay_ms - now.timestamp_millis() as f64;
        if remaining_ms > 0.0 {
            Err(format!(
                "Too many attempts! You must wait {} seconds before trying again.",
                (remaining_ms / 1000.0).round() as i64
            ))
        } else {
            Err("Too many attempts! Please try again later.".to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000 + secs, 0).unwrap()
    }

    #[test]
    fn below_threshold_passes() {
        let p = ThrottlePolicy::new(10);
        let w = Window {
            count: 9,
            last_at: Some(at(0)),
        };
        assert!(p.check(w, at(0)).is_ok());
    }

    #[test]
    fn delay_grows_with_the_power_one_and_a_half() {
        let p = ThrottlePolicy::new(50);
        let w = |count| Window {
            count,
            last_at: Some(at(0)),
        };
        assert_eq!(
            p.check(w(50), at(0)).unwrap_err(),
            "Too many attempts! You must wait 15 seconds before trying again."
        );
        assert_eq!(
            p.check(w(51), at(0)).unwrap_err(),
            "Too many attempts! You must wait 42 seconds before trying again."
        );
        assert_eq!(
            p.check(w(50), at(5)).unwrap_err(),
            "Too many attempts! You must wait 10 seconds before trying again."
        );
    }

    #[test]
    fn after_the_delay_the_threshold_still_holds() {
        let p = ThrottlePolicy::new(10);
        let w = Window {
            count: 10,
            last_at: Some(at(0)),
        };
        assert_eq!(
            p.check(w, at(16)).unwrap_err(),
            "Too many attempts! Please try again later."
        );
    }
}
