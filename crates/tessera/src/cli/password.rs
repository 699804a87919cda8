//! Where a command's new password comes from: a prompt that does not echo, standard input, or (with a
//! warning) the command line, where every user of the machine can read it in the process list.

use super::CommandError;
use clap::Args;
use std::io::{BufRead, IsTerminal};

#[derive(Args)]
pub struct PasswordArgs {
    /// Read the password from the first line of standard input.
    #[arg(long, conflicts_with = "password")]
    password_stdin: bool,
    /// The password itself. Visible to other users in the process list: prefer the prompt or
    /// --password-stdin.
    #[arg(long)]
    password: Option<String>,
}

impl PasswordArgs {
    pub fn read(self) -> Result<String, CommandError> {
        if self.password_stdin {
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .map_err(super::failed(
                    "cannot read the password from standard input",
                ))?;
            return non_empty(line.trim_end_matches(['\r', '\n']).to_string());
        }
        if let Some(password) = self.password {
            eprintln!(
                "warning: --password is visible to other users in the process list; \
                 prefer the prompt or --password-stdin"
            );
            return non_empty(password);
        }
        if !std::io::stdin().is_terminal() {
            return Err(CommandError::Refused(
                "no password given: type it at the prompt (in a terminal) or pass --password-stdin"
                    .into(),
            ));
        }
        let first = rpassword::prompt_password("Password: ")
            .map_err(super::failed("cannot read the password"))?;
        let again = rpassword::prompt_password("Password (again): ")
            .map_err(super::failed("cannot read the password"))?;
        if first != again {
            return Err(CommandError::Refused("the passwords differ".into()));
        }
        non_empty(first)
    }
}

fn non_empty(password: String) -> Result<String, CommandError> {
    if password.is_empty() {
        Err(CommandError::Refused("the password is empty".into()))
    } else {
        Ok(password)
    }
}
