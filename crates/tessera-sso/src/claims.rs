//! Turning verified ID-token claims into the domain's identity, and verification errors into its
//! failures.

use openidconnect::core::CoreIdTokenClaims;
use openidconnect::{ClaimsVerificationError, Nonce};
use subtle::ConstantTimeEq;
use tessera_domain::types::sso::{SsoFailure, SsoIdentity};
use tessera_domain::Error;

pub(crate) fn identity(claims: &CoreIdTokenClaims) -> Result<SsoIdentity, Error> {
    let Some(email) = claims.email() else {
        tracing::warn!("an ID token carries no email: is the `email` scope granted to Tessera?");
        return Err(Error::Sso(SsoFailure::InvalidToken));
    };
    let name = |n: Option<String>| n.filter(|s| !s.trim().is_empty());
    Ok(SsoIdentity {
        email: email.as_str().to_string(),
        email_verified: claims.email_verified() == Some(true),
        first_name: name(
            claims
                .given_name()
                .and_then(|n| n.get(None))
                .map(|n| n.as_str().to_string()),
        ),
        last_name: name(
            claims
                .family_name()
                .and_then(|n| n.get(None))
                .map(|n| n.as_str().to_string()),
        ),
    })
}

pub(crate) fn failure(e: &ClaimsVerificationError) -> Error {
    tracing::info!(reason = %e, "refused an ID token");
    Error::Sso(match e {
        ClaimsVerificationError::Expired(_) => SsoFailure::Expired,
        ClaimsVerificationError::InvalidAudience(_) => SsoFailure::WrongAudience,
        _ => SsoFailure::InvalidToken,
    })
}

/// Checks the token's nonce against the one this server sent, in constant time; with none sent (the
/// client ran the authorization itself), the nonce is the client's to check.
pub(crate) fn nonce_check(
    expected: Option<&str>,
) -> impl FnOnce(Option<&Nonce>) -> Result<(), String> + '_ {
    move |got| match (expected, got) {
        (None, _) => Ok(()),
        (Some(want), Some(got)) if bool::from(want.as_bytes().ct_eq(got.secret().as_bytes())) => {
            Ok(())
        }
        _ => Err("nonce mismatch".to_string()),
    }
}

pub(crate) fn is_unknown_key(e: &ClaimsVerificationError) -> bool {
    matches!(
        e,
        ClaimsVerificationError::SignatureVerification(
            openidconnect::SignatureVerificationError::NoMatchingKey
        )
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_must_match_when_one_was_sent() {
        let n = Nonce::new("abc".into());
        assert!(nonce_check(None)(None).is_ok());
        assert!(nonce_check(None)(Some(&n)).is_ok());
        assert!(nonce_check(Some("abc"))(Some(&n)).is_ok());
        assert!(nonce_check(Some("abd"))(Some(&n)).is_err());
        assert!(nonce_check(Some("abc"))(None).is_err());
    }
}
