//! Throttling failed attempts (Metabase's `throttle` library): the arithmetic, kept pure, and the two
//! ways the use cases apply it over the store's counters.

use crate::store::Store;
use crate::types::error::{Error, ThrottleScope};
use crate::types::stats::DomainCounters;
use crate::types::throttle::{ThrottleKey, Throttler, Window};
use chrono::{DateTime, Duration, Utc};

/// Failures older than this are forgotten; no policy looks further back.
const LONGEST_WINDOW: Duration = Duration::hours(1);

#[derive(Debug, Clone, Copy)]
pub struct ThrottlePolicy {
    pub threshold: u32,
    pub window: Duration,
    pub initial_delay: Duration,
    pub exponent: f64,
}

/// The limit each counter keeps.
pub fn policy(throttler: Throttler) -> ThrottlePolicy {
    match throttler {
        Throttler::LoginUsername => ThrottlePolicy::new(10),
        Throttler::LoginIp | Throttler::ForgotPasswordIp => ThrottlePolicy::new(50),
        // Three requests a second per address typed in (reference §4).
        Throttler::ForgotPasswordEmail => ThrottlePolicy {
            window: Duration::milliseconds(1000),
            ..ThrottlePolicy::new(3)
        },
        Throttler::ResetPasswordIp => ThrottlePolicy::new(10),
        Throttler::OidcStartIp => ThrottlePolicy::new(100),
    }
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

    /// `Err(retry_after)` when an attempt must be refused now; `Err(None)` once the delay has passed
    /// but the key is still over the threshold. Once a key has reached the threshold every attempt is
    /// refused until failures age out of the window, as Metabase's `with-throttling` does.
    pub fn check(
        &self,
        window: Window,
        now: DateTime<Utc>,
    ) -> Result<(), Option<std::time::Duration>> {
        if window.count < self.threshold {
            return Ok(());
        }
        let over = (window.count + 1 - self.threshold) as f64;
        let delay_ms = over.powf(self.exponent) * self.initial_delay.num_milliseconds() as f64;
        let last = window.last_at.unwrap_or(now);
        let remaining_ms =
            last.timestamp_millis() as f64 + delay_ms - now.timestamp_millis() as f64;
        if remaining_ms > 0.0 {
            Err(Some(std::time::Duration::from_secs_f64(
                remaining_ms / 1000.0,
            )))
        } else {
            Err(None)
        }
    }
}

/// The throttle counters in the store, or nothing when `MB_DISABLE_SESSION_THROTTLE` turned them off.
pub struct Throttle<'a> {
    pub store: &'a dyn Store,
    pub enabled: bool,
    /// Where each refusal is counted, by scope.
    pub counters: &'a DomainCounters,
}

impl Throttle<'_> {
    /// The first of `keys` over its limit, as the error to answer with.
    async fn refusal(
        &self,
        keys: &[ThrottleKey],
        scope: ThrottleScope,
        now: DateTime<Utc>,
    ) -> Result<Option<Error>, Error> {
        for key in keys {
            let policy = policy(key.throttler());
            let window = self.store.throttle_window(key, now - policy.window).await?;
            if let Err(retry_after) = policy.check(window, now) {
                self.counters.throttle_hit(scope);
                return Ok(Some(Error::Throttled { scope, retry_after }));
            }
        }
        Ok(None)
    }

    /// Metabase's `with-throttling`, before a password guess (a login, an old password, an identity
    /// check): refuses when any key is over its limit, and counts the refusal as a failure. Failures
    /// after the gate are the caller's to [`record_failure`](Self::record_failure).
    pub async fn gate(
        &self,
        keys: &[ThrottleKey],
        scope: ThrottleScope,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        if !self.enabled {
            return Ok(());
        }
        match self.refusal(keys, scope, now).await? {
            Some(refused) => {
                self.record_failure(keys, now).await?;
                Err(refused)
            }
            None => Ok(()),
        }
    }

    /// Metabase's `throttle/check`: every attempt that passes is counted; refused ones are not.
    pub async fn count_attempt(
        &self,
        keys: &[ThrottleKey],
        scope: ThrottleScope,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        if !self.enabled {
            return Ok(());
        }
        if let Some(refused) = self.refusal(keys, scope, now).await? {
            return Err(refused);
        }
        self.record_failure(keys, now).await
    }

    pub async fn record_failure(
        &self,
        keys: &[ThrottleKey],
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        if !self.enabled {
            return Ok(());
        }
        Ok(self
            .store
            .record_failures(keys, now, now - LONGEST_WINDOW)
            .await?)
    }
}

/// The keys a password guess by or about `username` counts under: the username (normalised by the
/// key) and, when known, the client's address.
pub fn password_guess_keys(username: &str, client_ip: Option<&str>) -> Vec<ThrottleKey> {
    let mut keys = vec![ThrottleKey::new(Throttler::LoginUsername, username)];
    if let Some(ip) = client_ip {
        keys.push(ThrottleKey::new(Throttler::LoginIp, ip));
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000 + secs, 0).unwrap()
    }

    fn wait_secs(r: Result<(), Option<std::time::Duration>>) -> Option<i64> {
        r.unwrap_err().map(|d| d.as_secs_f64().round() as i64)
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
        assert_eq!(wait_secs(p.check(w(50), at(0))), Some(15));
        assert_eq!(wait_secs(p.check(w(51), at(0))), Some(42));
        assert_eq!(wait_secs(p.check(w(50), at(5))), Some(10));
    }

    #[test]
    fn after_the_delay_the_threshold_still_holds() {
        let p = ThrottlePolicy::new(10);
        let w = Window {
            count: 10,
            last_at: Some(at(0)),
        };
        assert_eq!(wait_secs(p.check(w, at(16))), None);
    }
}
