//! An error with its causes, the way everything outside HTTP prints one: `top: cause: cause`.

use std::error::Error;
use std::fmt;

/// Displays an error followed by each of its sources, walking [`Error::source`]. A cause whose words
/// the message before it already carries (libraries often repeat their source) is not repeated.
pub struct Chain<'a>(pub &'a (dyn Error + 'static));

impl fmt::Display for Chain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut previous = self.0.to_string();
        f.write_str(&previous)?;
        let mut source = self.0.source();
        while let Some(cause) = source {
            let message = cause.to_string();
            if !message.is_empty() && !previous.contains(&message) {
                write!(f, ": {message}")?;
            }
            previous = message;
            source = cause.source();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::Chain;

    #[derive(Debug, thiserror::Error)]
    #[error("cannot open the database")]
    struct Top(#[source] Middle);

    #[derive(Debug, thiserror::Error)]
    #[error("database error")]
    struct Middle(#[source] std::io::Error);

    #[derive(Debug, thiserror::Error)]
    #[error("connection error: {0}")]
    struct Repeats(#[source] std::io::Error);

    #[test]
    fn every_cause_is_printed_once() {
        let io = || std::io::Error::other("unable to open database file");
        assert_eq!(
            Chain(&Top(Middle(io()))).to_string(),
            "cannot open the database: database error: unable to open database file"
        );
        assert_eq!(
            Chain(&Repeats(io())).to_string(),
            "connection error: unable to open database file"
        );
    }
}
