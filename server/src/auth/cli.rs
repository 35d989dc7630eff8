//! `berth user ...`: account management for operators, straight against the
//! database (there are no default accounts; this is how an install starts).

use anyhow::{Context, bail};
use std::io::{BufRead, IsTerminal};

use super::{Email, Password, PasswordHasher};
use crate::config::{InviteArgs, UserAction, UserArgs};
use crate::store::Store;

pub async fn run(args: UserArgs) -> anyhow::Result<()> {
    let store = args.database.open().await?;
    let result = act(&store, args.action).await;
    store.close().await;
    result
}

async fn act(store: &Store, action: UserAction) -> anyhow::Result<()> {
    let hasher = PasswordHasher::default();
    match action {
        UserAction::Add {
            email,
            role,
            password_stdin,
        } => {
            let email = parse_email(&email)?;
            let password = read_password(password_stdin, &email)?;
            let user = store.create_user(&email, &hasher.hash(&password).await, role).await?;
            println!("created {} ({})", user.email, user.role);
        }
        UserAction::List => {
            let users = store.users().await?;
            println!("{:<40} {:<11} CREATED", "EMAIL", "ROLE");
            for u in &users {
                let created =
                    std::time::UNIX_EPOCH + std::time::Duration::from_millis(u.created_at.get().max(0) as u64);
                println!(
                    "{:<40} {:<11} {}",
                    u.email,
                    u.role,
                    humantime::format_rfc3339_seconds(created)
                );
            }
            eprintln!("{} account{}", users.len(), if users.len() == 1 { "" } else { "s" });
        }
        UserAction::SetRole { email, role } => {
            let email = parse_email(&email)?;
            if !store.set_role(&email, role).await? {
                bail!("there is no account for {email}");
            }
            println!("{email} is now {role}");
        }
        UserAction::ResetPassword { email, password_stdin } => {
            let email = parse_email(&email)?;
            if store.user_by_email(&email).await?.is_none() {
                bail!("there is no account for {email}");
            }
            let password = read_password(password_stdin, &email)?;
            store.set_password_hash(&email, &hasher.hash(&password).await).await?;
            println!("the password of {email} is changed");
        }
    }
    Ok(())
}

fn parse_email(input: &str) -> anyhow::Result<Email> {
    Ok(Email::parse(input)?)
}

/// One line from standard input, or typed twice at a prompt that does not
/// echo.
fn read_password(from_stdin: bool, email: &Email) -> anyhow::Result<Password> {
    let text = if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("reading the password from standard input")?;
        line.trim_end_matches(['\n', '\r']).to_string()
    } else if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("New password: ")?;
        if rpassword::prompt_password("Repeat it: ")? != first {
            bail!("the two passwords differ; nothing was changed");
        }
        first
    } else {
        bail!("there is no terminal to ask for the password on: pipe it in with --password-stdin");
    };
    Password::parse(&text, Some(email.as_str())).map_err(|problem| anyhow::anyhow!("{problem}"))
}

/// `berth invite`: prints a new code and the sign-up address that uses it.
pub async fn run_invite_command(args: InviteArgs) -> anyhow::Result<()> {
    let store = args.database.open().await?;
    let code = super::new_invite_code();
    let result = store
        .create_invite(&code, args.uses, berth_app::model::DAY * args.days)
        .await;
    store.close().await;
    result?;
    println!("{code}");
    eprintln!(
        "valid for {} day(s) and {} account(s); learners sign up at /signup?invite={code}",
        args.days, args.uses
    );
    Ok(())
}
